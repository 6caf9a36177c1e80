import {
  PARAM_GROUPS,
  allocateParams,
  paramArrays,
  type GaussianParams,
} from "../contracts/gaussians.js";
import { densify } from "./densify.js";
import { addMeanNoise } from "./relocate.js";
import { initialAppearance } from "./appearance.js";
import {
  adamStepReference,
  appearanceAdamStep,
  appearanceBackward,
  applyAppearance,
  backwardReference,
  lossReference,
  renderReference,
  type RasterOptions,
} from "./reference/index.js";
import type {
  AdamState,
  AppearanceState,
  DensifyStats,
  ImageRGB,
  StepStats,
  TrainingBackend,
} from "./types.js";

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
  let raster: RasterOptions = {};
  let appearance: AppearanceState = initialAppearance(0);

  return {
    adapterDescription: "CPU float64 reference (tests only)",
    hardware: false,
    get count() {
      return params.count;
    },
    async setParams(p, a) {
      params = cloneParams(p);
      adam = a ? cloneAdam(a) : zeroAdam(params);
      stats = zeroStats(params.count);
      raster = { antialiased: raster.antialiased };
    },
    async setAntiAliasing(a) {
      checkFilterLength(a.filter3d, params.count);
      raster = {
        antialiased: a.antialiased,
        ...(a.filter3d ? { filter3d: a.filter3d.slice() } : {}),
      };
    },
    async addMeanNoise({ seed, step, scale }) {
      addMeanNoise(params, seed, step, scale);
    },
    async setAppearance(s) {
      appearance = cloneAppearance(s);
    },
    async getAppearance() {
      return cloneAppearance(appearance);
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
    async step(args): Promise<StepStats> {
      const target = targets[args.targetIndex];
      if (!target) throw new Error(`no target image ${args.targetIndex}`);
      const { loss, r, render } = viewGradients({ params, raster, appearance }, target, args);
      accumulateStats(stats, render.radii, r.mean2dGradNdc);
      adam.step = adamStepReference(params, r.grads, adam.m, adam.v, adam.step, args.lr);
      return { loss: loss.loss };
    },
    async render(camera, shDegree) {
      const fwd = renderReference({ ...params, shDegree }, camera, raster);
      return { width: camera.width, height: camera.height, data: Float32Array.from(fwd.image) };
    },
    async densifyStats() {
      return cloneStats(stats);
    },
    async resetDensifyStats() {
      stats = zeroStats(params.count);
    },
    async setDensifyStats(s) {
      stats = cloneStats(s);
    },
    async densify(cfg, noiseSeed) {
      const r = densify(params, adam, stats, cfg, noiseSeed);
      params = r.params;
      adam = r.adam;
      stats = zeroStats(params.count);
      raster = { antialiased: raster.antialiased };
      return { cloned: r.cloned, split: r.split, pruned: r.pruned, count: r.count };
    },
    destroy() {
      targets = [];
    },
  };
}

function checkFilterLength(filter: Float32Array | null, count: number): void {
  if (filter && filter.length !== count) {
    throw new Error(`3D filter has ${filter.length} values for ${count} splats`);
  }
}

/** Densification statistics, as 3DGS: the NDC-scaled screen-space mean gradient's norm. */
function accumulateStats(stats: DensifyStats, radii: Int32Array, ndc: Float64Array): void {
  for (let i = 0; i < radii.length; i++) {
    if (radii[i]! <= 0) continue;
    stats.gradNormSum[i]! += Math.hypot(ndc[i * 2]!, ndc[i * 2 + 1]!);
    stats.visibleCount[i]! += 1;
    stats.maxRadius[i] = Math.max(stats.maxRadius[i]!, radii[i]!);
  }
}

function cloneStats(s: DensifyStats): DensifyStats {
  return {
    gradNormSum: s.gradNormSum.slice(),
    visibleCount: s.visibleCount.slice(),
    maxRadius: s.maxRadius.slice(),
  };
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

/**
 * Loss and gradients of one step's view; the view's appearance transform (when the step learns
 * one) is applied before the loss and takes its own Adam step here.
 */
function viewGradients(
  state: { params: GaussianParams; raster: RasterOptions; appearance: AppearanceState },
  target: ImageRGB,
  args: Parameters<TrainingBackend["step"]>[0],
) {
  const { camera, appearance: app } = args;
  const p = { ...state.params, shDegree: args.shDegree };
  const render = renderReference(p, camera, state.raster);
  const o = (app?.index ?? 0) * 12;
  const theta = app ? state.appearance.theta.slice(o, o + 12) : null;
  const shown = theta ? applyAppearance(render.image, theta) : render.image;
  const loss = lossReference(shown, target.data, camera.width, camera.height);
  let dImage = loss.dImage;
  if (app && theta) {
    const back = appearanceBackward(render.image, theta, loss.dImage);
    dImage = back.dImage;
    appearanceAdamStep(
      state.appearance,
      app.index,
      back.dTheta,
      app.lr,
      app.weight,
      app.mask,
      app.prior,
    );
  }
  return { loss, r: backwardReference(p, camera, render, dImage), render };
}

function cloneAppearance(s: AppearanceState): AppearanceState {
  return {
    count: s.count,
    theta: s.theta.slice(),
    moments: s.moments.slice(),
    steps: s.steps.slice(),
  };
}

function cloneAdam(a: AdamState): AdamState {
  const copy = (x: AdamState["m"]) =>
    Object.fromEntries(PARAM_GROUPS.map((g) => [g, Float32Array.from(x[g])])) as AdamState["m"];
  return { step: a.step, m: copy(a.m), v: copy(a.v) };
}

function zeroAdam(p: GaussianParams): AdamState {
  return {
    step: 0,
    m: paramArrays(allocateParams(p.count, p.maxShDegree)),
    v: paramArrays(allocateParams(p.count, p.maxShDegree)),
  };
}

function zeroStats(n: number): DensifyStats {
  return {
    gradNormSum: new Float32Array(n),
    visibleCount: new Float32Array(n),
    maxRadius: new Float32Array(n),
  };
}
