/**
 * `cameras.json` (src/contracts/viewCameras.ts) from a training dataset: the capture cameras in
 * the model's world frame, the world's up and the point the cameras look at, for viewers.
 */
import { join } from "node:path";
import { VIEW_CAMERAS_FILENAME, type ViewCameras } from "../contracts/viewCameras.js";
import { writeJsonAtomically } from "../util/atomicFile.js";
import { cameraCentre } from "../contracts/sceneModel.js";
import { dot, unit, type Vec3 } from "../util/vec3.js";
import type { TrainingDataset, TrainingView } from "./dataset.js";

/** Row `r` of the rotation of a row-major 4×4 world→camera matrix. */
function row(viewmat: ArrayLike<number>, r: number): Vec3 {
  return [viewmat[r * 4]!, viewmat[r * 4 + 1]!, viewmat[r * 4 + 2]!];
}

/** Unit up of the world: the mean of the cameras' up (−y) axes. */
export function worldUp(viewmats: readonly ArrayLike<number>[]): Vec3 {
  const sum: Vec3 = [0, 0, 0];
  for (const m of viewmats) {
    const down = row(m, 1);
    for (let a = 0; a < 3; a++) sum[a] -= down[a]!;
  }
  return unit(sum);
}

/** Median depth of the sparse points in front of the cameras and inside their pictures. */
export function medianPointDepth(views: readonly TrainingView[], xyz: ArrayLike<number>): number {
  const count = Math.floor(xyz.length / 3);
  const stride = Math.max(1, Math.floor(count / 2000));
  const depths: number[] = [];
  for (const { camera: c } of views) {
    const m = c.viewmat;
    for (let i = 0; i < count; i += stride) {
      const p: Vec3 = [xyz[i * 3]!, xyz[i * 3 + 1]!, xyz[i * 3 + 2]!];
      const z = dot(row(m, 2), p) + m[11]!;
      if (!(z > 0)) continue;
      const u = (c.fx * (dot(row(m, 0), p) + m[3]!)) / z + c.cx;
      const v = (c.fy * (dot(row(m, 1), p) + m[7]!)) / z + c.cy;
      if (u >= 0 && u < c.width && v >= 0 && v < c.height) depths.push(z);
    }
  }
  depths.sort((a, b) => a - b);
  return depths.length ? depths[depths.length >> 1]! : NaN;
}

/**
 * The point nearest to every camera's optical axis in the least-squares sense, pulled slightly
 * towards `fallback` (the cameras' centres pushed forward by `depth`) so that near-parallel axes
 * (a forward walk) still give a point in front of the cameras.
 */
export function lookAtPoint(viewmats: readonly ArrayLike<number>[], depth: number): Vec3 {
  const a = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  const b: Vec3 = [0, 0, 0];
  const fallback: Vec3 = [0, 0, 0];
  for (const m of viewmats) {
    const f = row(m, 2);
    const c = cameraCentre(m);
    for (let r = 0; r < 3; r++) {
      fallback[r] += (c[r]! + f[r]! * depth) / viewmats.length;
      for (let k = 0; k < 3; k++) {
        const p = (r === k ? 1 : 0) - f[r]! * f[k]!;
        a[r * 3 + k] += p;
        b[r] += p * c[k]!;
      }
    }
  }
  const lambda = 0.01 * viewmats.length;
  for (let r = 0; r < 3; r++) {
    a[r * 4] += lambda;
    b[r] += lambda * fallback[r]!;
  }
  return solve3(a, b);
}

/** Solves the symmetric positive definite 3×3 system a·x = b (Cramer's rule). */
function solve3(a: number[], b: Vec3): Vec3 {
  const det = (m: number[]) =>
    m[0]! * (m[4]! * m[8]! - m[5]! * m[7]!) -
    m[1]! * (m[3]! * m[8]! - m[5]! * m[6]!) +
    m[2]! * (m[3]! * m[7]! - m[4]! * m[6]!);
  const d = det(a);
  return [0, 1, 2].map((col) => {
    const m = [...a];
    for (let r = 0; r < 3; r++) m[r * 3 + col] = b[r]!;
    return det(m) / d;
  }) as Vec3;
}

/** The cameras file's content for a dataset (held-out views first). */
export function viewCameras(dataset: TrainingDataset): ViewCameras {
  const views = [...dataset.eval, ...dataset.train];
  const viewmats = views.map((v) => v.camera.viewmat);
  const depth = medianPointDepth(views, dataset.points.xyz);
  const heldOut = new Set(dataset.eval);
  return {
    version: 1,
    up: worldUp(viewmats),
    look_at: lookAtPoint(viewmats, Number.isFinite(depth) ? depth : dataset.sceneExtent / 2),
    cameras: views.map((v) => {
      const c = v.camera;
      return {
        name: v.name,
        held_out: heldOut.has(v),
        ...{ width: c.width, height: c.height, fx: c.fx, fy: c.fy, cx: c.cx, cy: c.cy },
        viewmat: Array.from(c.viewmat).slice(0, 12),
      };
    }),
  };
}

/** Writes `<folder>/cameras.json` atomically. */
export async function writeViewCameras(folder: string, dataset: TrainingDataset): Promise<void> {
  await writeJsonAtomically(join(folder, VIEW_CAMERAS_FILENAME), viewCameras(dataset));
}
