import { REFERENCE_CONVENTIONS } from "./reference/conventions.js";
import { lossReference } from "./reference/loss.js";
import { projectSplat, projectSplatBackward, type ProjectedSplat } from "./reference/project.js";
import { rasterizeBackward, rasterizeForward } from "./reference/rasterize.js";
import { allocateParams } from "./init.js";
import {
  shCoeffCount,
  type AdamState,
  type Camera,
  type DensifyStats,
  type GaussianParams,
  type ImageRGB,
  type LearningRates,
  type StepStats,
  type TrainingBackend,
} from "./types.js";

type Group = "means" | "logScales" | "quats" | "opacityLogits" | "sh";
const GROUPS: Group[] = ["means", "logScales", "quats", "opacityLogits", "sh"];

/**
 * A `TrainingBackend` over the CPU float64 reference (src/train/reference): the real forward,
 * loss, backward and Adam math, but brute force — for tiny test scenes only (tens of splats,
 * images of a few thousand pixels). Parameters and moments are stored as float32 between steps,
 * like the GPU backend, so snapshots restore it bit-exactly and runs are fully deterministic.
 */
export function createReferenceTrainingBackend(): TrainingBackend {
  let params: GaussianParams = allocateParams(0, 0);
  let adam: AdamState = zeroAdam(params);
  let targets: ImageRGB[] = [];
  let stats: DensifyStats = zeroStats(0);

  const project = (p: GaussianParams, camera: Camera): ProjectedSplat[] => {
    const out: ProjectedSplat[] = [];
    for (let i = 0; i < p.count; i++) {
      const ps = projectSplat(p, i, camera);
      if (ps) out.push(ps);
    }
    return out;
  };

  const backend: TrainingBackend = {
    adapterDescription: "CPU float64 reference (tests only)",
    get count() {
      return params.count;
    },
    async setParams(p, a) {
      params = cloneParams(p);
      adam = a ? cloneAdam(a) : zeroAdam(params);
      stats = zeroStats(params.count);
    },
    async getParams() {
      return cloneParams(params);
    },
    async getAdamState() {
      return cloneAdam(adam);
    },
    async setTargets(images) {
      targets = images;
    },
    async step({ camera, targetIndex, lr, shDegree }): Promise<StepStats> {
      const target = targets[targetIndex];
      if (!target) throw new Error(`no target image ${targetIndex}`);
      const p = { ...params, shDegree };
      const projected = project(p, camera);
      const fwd = rasterizeForward(projected, camera);
      const loss = lossReference(fwd.image, target.data, camera.width, camera.height);
      const pGrads = rasterizeBackward(projected, fwd, loss.dImage);
      const grads = allocateParams(params.count, params.maxShDegree);
      const K = shCoeffCount(params.maxShDegree);
      projected.forEach((ps, slot) => {
        const g = projectSplatBackward(p, camera, ps, pGrads[slot]!);
        const i = ps.index;
        grads.means.set(g.mean, i * 3);
        grads.logScales.set(g.logScale, i * 3);
        grads.quats.set(g.quat, i * 4);
        grads.opacityLogits[i] = g.opacityLogit;
        grads.sh.set(g.sh, i * K * 3);
        // Densification statistics, as 3DGS: the NDC-scaled screen-space mean gradient.
        const gm = pGrads[slot]!.mean2d;
        stats.gradNormSum[i]! += Math.hypot(
          (gm[0] * camera.width) / 2,
          (gm[1] * camera.height) / 2,
        );
        stats.visibleCount[i]! += 1;
        stats.maxRadius[i] = Math.max(stats.maxRadius[i]!, ps.radius);
      });
      adamStep(params, adam, grads, lr, K);
      return { loss: loss.loss };
    },
    async render(camera, shDegree) {
      const p = { ...params, shDegree };
      const fwd = rasterizeForward(project(p, camera), camera);
      return { width: camera.width, height: camera.height, data: Float32Array.from(fwd.image) };
    },
    async densifyStats() {
      return {
        gradNormSum: stats.gradNormSum.slice(),
        visibleCount: stats.visibleCount.slice(),
        maxRadius: stats.maxRadius.slice(),
      };
    },
    async resetDensifyStats() {
      stats = zeroStats(params.count);
    },
    async setDensifyStats(s) {
      stats = {
        gradNormSum: s.gradNormSum.slice(),
        visibleCount: s.visibleCount.slice(),
        maxRadius: s.maxRadius.slice(),
      };
    },
    destroy() {
      targets = [];
    },
  };
  return backend;
}

/** Dense Adam over every splat (3DGS/PyTorch): β1 0.9, β2 0.999, ε 1e-15 after sqrt(v̂). */
function adamStep(
  params: GaussianParams,
  adam: AdamState,
  grads: GaussianParams,
  lr: LearningRates,
  K: number,
): void {
  const { adamBeta1: b1, adamBeta2: b2, adamEps: eps } = REFERENCE_CONVENTIONS;
  adam.step += 1;
  const c1 = 1 - b1 ** adam.step;
  const c2 = 1 - b2 ** adam.step;
  for (const g of GROUPS) {
    const p = params[g];
    const d = grads[g];
    const m = adam.m[g];
    const v = adam.v[g];
    for (let j = 0; j < p.length; j++) {
      // SH: coefficient 0 of each splat is the DC term, the rest use the slower rate.
      const rate = g === "sh" ? (Math.floor(j / 3) % K === 0 ? lr.shDC : lr.shRest) : lr[g];
      const mj = b1 * m[j]! + (1 - b1) * d[j]!;
      const vj = b2 * v[j]! + (1 - b2) * d[j]! * d[j]!;
      m[j] = mj;
      v[j] = vj;
      p[j] = p[j]! - (rate * (mj / c1)) / (Math.sqrt(vj / c2) + eps);
    }
  }
}

function cloneParams(p: GaussianParams): GaussianParams {
  return {
    count: p.count,
    shDegree: p.shDegree,
    maxShDegree: p.maxShDegree,
    means: Float32Array.from(p.means),
    logScales: Float32Array.from(p.logScales),
    quats: Float32Array.from(p.quats),
    opacityLogits: Float32Array.from(p.opacityLogits),
    sh: Float32Array.from(p.sh),
  };
}

function pickGroups(p: GaussianParams): AdamState["m"] {
  return {
    means: p.means,
    logScales: p.logScales,
    quats: p.quats,
    opacityLogits: p.opacityLogits,
    sh: p.sh,
  };
}

function cloneAdam(a: AdamState): AdamState {
  const copy = (x: AdamState["m"]) =>
    Object.fromEntries(GROUPS.map((g) => [g, Float32Array.from(x[g])])) as AdamState["m"];
  return { step: a.step, m: copy(a.m), v: copy(a.v) };
}

function zeroAdam(p: GaussianParams): AdamState {
  return {
    step: 0,
    m: pickGroups(allocateParams(p.count, p.maxShDegree)),
    v: pickGroups(allocateParams(p.count, p.maxShDegree)),
  };
}

function zeroStats(n: number): DensifyStats {
  return {
    gradNormSum: new Float32Array(n),
    visibleCount: new Float32Array(n),
    maxRadius: new Float32Array(n),
  };
}
