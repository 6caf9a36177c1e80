import {
  SH_C0,
  allocateParams,
  logit,
  shCoeffCount,
  type GaussianParams,
} from "../contracts/gaussians.js";
import { meanSquaredKnnDistance } from "./knn.js";
import type { Rng } from "./rng.js";

/** Splats of the random initialisation used when the model has no point cloud. */
export const RANDOM_INIT_SPLATS = 10_000;

/** Initial opacity of every splat, as in 3DGS. */
export const INITIAL_OPACITY = 0.1;

/**
 * Splats from a sparse point cloud (3DGS): one per point, colour DC from the point colour
 * (f_dc = (rgb/255 − 0.5)/SH_C0), isotropic log-scale from the RMS distance to the 3 nearest
 * neighbours (as gsplat: sqrt of the mean squared distance), identity rotation, opacity 0.1.
 * At most `maxCount` points are used (a seeded random subset when there are more).
 */
export function initFromPoints(
  xyz: ArrayLike<number>,
  rgb: ArrayLike<number>,
  count: number,
  maxShDegree: number,
  maxCount: number,
  rng: Rng,
): GaussianParams {
  const keep = pickSubset(count, maxCount, rng);
  const n = keep.length;
  // Training starts at SH degree 0 and raises it on schedule.
  const p = allocateParams(n, maxShDegree, 0);
  for (let i = 0; i < n; i++) {
    const src = keep[i]!;
    for (let a = 0; a < 3; a++) p.means[i * 3 + a] = xyz[src * 3 + a]!;
  }
  const d2 = meanSquaredKnnDistance(p.means, n, 3);
  // Lone points (or duplicates) get a small positive floor instead of log(0).
  const floor = 1e-7;
  const k = shCoeffCount(maxShDegree);
  const logOpacity = logit(INITIAL_OPACITY);
  for (let i = 0; i < n; i++) {
    const src = keep[i]!;
    const s = Math.log(Math.sqrt(Math.max(d2[i]!, floor)));
    p.logScales.fill(s, i * 3, i * 3 + 3);
    p.quats[i * 4] = 1;
    p.opacityLogits[i] = logOpacity;
    for (let c = 0; c < 3; c++) p.sh[i * k * 3 + c] = (rgb[src * 3 + c]! / 255 - 0.5) / SH_C0;
  }
  return p;
}

/**
 * Fallback when there is no point cloud: `count` splats uniform in a cube of half-size `extent`
 * around `center`, random colours, scales from their own neighbour distances.
 */
export function initRandom(
  count: number,
  center: readonly number[],
  extent: number,
  maxShDegree: number,
  rng: Rng,
): GaussianParams {
  const xyz = new Float64Array(count * 3);
  const rgb = new Uint8Array(count * 3);
  for (let i = 0; i < count; i++) {
    for (let a = 0; a < 3; a++) {
      xyz[i * 3 + a] = center[a]! + (rng.next() * 2 - 1) * extent;
      rgb[i * 3 + a] = Math.floor(rng.next() * 256);
    }
  }
  return initFromPoints(xyz, rgb, count, maxShDegree, count, rng);
}

function pickSubset(count: number, maxCount: number, rng: Rng): Uint32Array {
  const idx = new Uint32Array(count);
  for (let i = 0; i < count; i++) idx[i] = i;
  if (count <= maxCount) return idx;
  // Partial Fisher–Yates: the first maxCount entries become a uniform random subset.
  for (let i = 0; i < maxCount; i++) {
    const j = i + rng.int(count - i);
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.slice(0, maxCount).sort();
}
