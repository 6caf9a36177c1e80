/**
 * Helpers over the scene model every reader produces (the types live in
 * src/contracts/sceneModel.ts, shared with the trainer).
 */

import type { SceneImage, ScenePoints } from "../contracts/sceneModel.js";

export type { SceneCamera, SceneImage, ScenePoints, SceneModel } from "../contracts/sceneModel.js";
export { cameraCentre } from "../contracts/sceneModel.js";

/** Camera models without distortion: the rasterizer can use them directly. */
export const PINHOLE_MODELS: ReadonlySet<string> = new Set(["PINHOLE", "SIMPLE_PINHOLE"]);

/** Empty point set (transforms.json without a point cloud). */
export function emptyPoints(): ScenePoints {
  return {
    count: 0,
    ids: new Float64Array(0),
    xyz: new Float64Array(0),
    rgb: new Uint8Array(0),
    error: new Float64Array(0),
    trackLength: new Uint32Array(0),
  };
}

/** Allocates a point set of `count` points. */
export function allocatePoints(count: number): ScenePoints {
  return {
    count,
    ids: new Float64Array(count),
    xyz: new Float64Array(count * 3),
    rgb: new Uint8Array(count * 3),
    error: new Float64Array(count).fill(-1),
    trackLength: new Uint32Array(count),
  };
}

/** A Uint32Array built by appending, for lists whose length a reader learns as it goes. */
export function growableU32(): { push(v: number): void; done(): Uint32Array } {
  let data = new Uint32Array(1024);
  let length = 0;
  return {
    push(v) {
      if (length === data.length) {
        const bigger = new Uint32Array(data.length * 2);
        bigger.set(data);
        data = bigger;
      }
      data[length++] = v;
    },
    done: () => data.slice(0, length),
  };
}

/**
 * Mean reprojection error over the points that have one, in pixels: the plain mean of the
 * per-point errors, as COLMAP's model_analyzer reports it. NaN when no point has an error.
 */
export function meanReprojectionError(points: ScenePoints): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < points.count; i++) {
    const e = points.error[i]!;
    if (e >= 0) {
      sum += e;
      n++;
    }
  }
  return n > 0 ? sum / n : Number.NaN;
}

/**
 * World→camera matrix from COLMAP's pose: quaternion (w, x, y, z; normalised here, as COLMAP
 * does) and translation.
 */
export function viewmatFromQuaternion(q: ArrayLike<number>, t: ArrayLike<number>): Float64Array {
  const n = Math.hypot(q[0]!, q[1]!, q[2]!, q[3]!) || 1;
  const w = q[0]! / n;
  const x = q[1]! / n;
  const y = q[2]! / n;
  const z = q[3]! / n;
  // prettier-ignore
  return Float64Array.of(
    1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y), t[0]!,
    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x), t[1]!,
    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y), t[2]!,
    0, 0, 0, 1,
  );
}

/** Sorts images by name (stable order for every reader). */
export function sortImagesByName(images: SceneImage[]): SceneImage[] {
  return images.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id));
}
