/**
 * A tiny synthetic scene for trainer tests: known random Gaussians seen by a ring of cameras,
 * target images rendered with the CPU reference, and a perturbed point cloud to start from.
 */
import {
  SH_C0,
  shCoeffCount,
  type GaussianParams,
  allocateParams,
  logit,
} from "../../src/contracts/gaussians.js";
import type { TrainingDataset, TrainingView } from "../../src/train/dataset.js";
import { createReferenceTrainingBackend } from "../../src/train/referenceBackend.js";
import { createRng } from "../../src/train/rng.js";
import { type Camera } from "../../src/train/types.js";

/** World→camera (OpenCV: x right, y down, z forward) for a camera at `eye` looking at the origin. */
export function lookAt(eye: [number, number, number]): Float64Array {
  const norm = (v: number[]) => {
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  const cross = (a: number[], b: number[]) => [
    a[1]! * b[2]! - a[2]! * b[1]!,
    a[2]! * b[0]! - a[0]! * b[2]!,
    a[0]! * b[1]! - a[1]! * b[0]!,
  ];
  const z = norm(eye.map((e) => -e));
  const x = norm(cross(z, [0, 1, 0]));
  const y = cross(z, x);
  const rows = [x, y, z];
  const m = new Float64Array(16);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) m[r * 4 + c] = rows[r]![c]!;
    m[r * 4 + 3] = -(rows[r]![0]! * eye[0] + rows[r]![1]! * eye[1] + rows[r]![2]! * eye[2]);
  }
  m[15] = 1;
  return m;
}

export interface SyntheticScene {
  truth: GaussianParams;
  dataset: TrainingDataset;
}

/** `splats` random Gaussians in [−0.8, 0.8]³, `views` cameras of `size`² px on a ring. */
export async function syntheticScene(opts: {
  seed: number;
  splats?: number;
  views?: number;
  size?: number;
  maxShDegree?: number;
  /** Std-dev of the noise added to the initial point positions. */
  pointNoise?: number;
}): Promise<SyntheticScene> {
  const rng = createRng(opts.seed);
  const n = opts.splats ?? 16;
  const nViews = opts.views ?? 9;
  const size = opts.size ?? 24;
  const deg = opts.maxShDegree ?? 1;
  const K = shCoeffCount(deg);
  const truth = allocateParams(n, deg);
  truth.shDegree = 0;
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < 3; a++) {
      truth.means[i * 3 + a] = (rng.next() * 2 - 1) * 0.8;
      truth.logScales[i * 3 + a] = Math.log(0.12 + rng.next() * 0.15);
      truth.sh[i * K * 3 + a] = (rng.next() - 0.5) / SH_C0;
    }
    for (let a = 0; a < 4; a++) truth.quats[i * 4 + a] = rng.normal();
    truth.opacityLogits[i] = logit(0.6 + rng.next() * 0.3);
  }
  const backend = createReferenceTrainingBackend();
  await backend.setParams(truth);
  const views: TrainingView[] = [];
  for (let v = 0; v < nViews; v++) {
    const angle = (2 * Math.PI * v) / nViews;
    const eye: [number, number, number] = [
      3 * Math.cos(angle),
      0.8 * Math.sin(3 * angle),
      3 * Math.sin(angle),
    ];
    const camera: Camera = {
      width: size,
      height: size,
      fx: size * 1.2,
      fy: size * 1.2,
      cx: size / 2,
      cy: size / 2,
      viewmat: lookAt(eye),
    };
    const image = await backend.render(camera, 0);
    views.push({ name: `view_${String(v).padStart(2, "0")}.png`, camera, image });
  }
  backend.destroy();
  const xyz = new Float64Array(n * 3);
  const rgb = new Uint8Array(n * 3);
  const noise = opts.pointNoise ?? 0.05;
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < 3; a++) {
      xyz[i * 3 + a] = truth.means[i * 3 + a]! + noise * rng.normal();
      const c = 0.5 + SH_C0 * truth.sh[i * K * 3 + a]!;
      rgb[i * 3 + a] = Math.round(Math.min(1, Math.max(0, c + 0.1 * rng.normal())) * 255);
    }
  }
  const evalViews = views.filter((_, i) => i % 8 === 0);
  const trainViews = views.filter((_, i) => i % 8 !== 0);
  return {
    truth,
    dataset: {
      source: "synthetic",
      train: trainViews,
      eval: evalViews,
      points: { count: n, xyz, rgb },
      sceneExtent: 3 * 1.1,
      sceneCenter: [0, 0, 0],
    },
  };
}
