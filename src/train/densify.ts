import {
  PARAM_GROUPS,
  allocateParams,
  groupWidths,
  logit,
  paramArrays,
  type GaussianParams,
} from "../contracts/gaussians.js";
import { quatToMat } from "./reference/math.js";
import type { Rng } from "./rng.js";
import { type AdamState, type DensifyStats } from "./types.js";

/**
 * Adaptive density control of 3DGS (clone small, split large, prune), done on the CPU between
 * steps: the trainer reads parameters, Adam moments and screen-space statistics back, calls
 * `densify`, and uploads the result.
 *
 * Adam moments: splats that survive unchanged keep theirs; clones and split children start at
 * zero (as in 3DGS, where new rows are appended to the optimizer state as zeros). Split parents
 * are removed, so their moments go with them.
 */
export interface DensifyConfig {
  /** Average screen-space positional gradient above which a splat grows (3DGS: 0.0002). */
  gradThreshold: number;
  /** Splats whose largest scale is ≤ percentDense · sceneExtent are cloned, larger ones split. */
  percentDense: number;
  sceneExtent: number;
  /** Prune splats less opaque than this (0.005). */
  pruneOpacity: number;
  /** When set, also prune splats larger than this fraction of the scene extent (world, 0.1). */
  pruneWorldScale?: number;
  /** When set, also prune splats whose screen radius exceeded this many pixels. */
  pruneScreenRadiusPx?: number;
  /** Hard cap on the number of splats; growth stops (highest gradients first) at the cap. */
  maxSplats: number;
  /** Number of children a split produces (2) and their scale divisor (0.8·N = 1.6). */
  splitCount?: number;
}

export interface DensifyResult {
  params: GaussianParams;
  adam: AdamState;
  cloned: number;
  split: number;
  pruned: number;
}

/** Default 3DGS/gsplat values for everything but the scene extent and the cap. */
export const DEFAULT_DENSIFY = {
  gradThreshold: 0.0002,
  percentDense: 0.01,
  pruneOpacity: 0.005,
  pruneWorldScale: 0.1,
  splitCount: 2,
} as const;

/** Rotation matrix (row-major) of a possibly unnormalised quaternion w, x, y, z. */
export function quatToMatrix(w: number, x: number, y: number, z: number): number[] {
  const n = Math.hypot(w, x, y, z) || 1;
  return [...quatToMat(w / n, x / n, y / n, z / n)];
}

/**
 * New parameters holding `sources[j]`'s row for every output row j; moments are copied where
 * `keepMoments[j]` is 1 and zero otherwise.
 */
export function gatherSplats(
  params: GaussianParams,
  adam: AdamState,
  sources: ArrayLike<number>,
  keepMoments: ArrayLike<number>,
): { params: GaussianParams; adam: AdamState } {
  const n = sources.length;
  const out = allocateParams(n, params.maxShDegree);
  out.shDegree = params.shDegree;
  const m = allocateParams(n, params.maxShDegree);
  const v = allocateParams(n, params.maxShDegree);
  const widths = groupWidths(params.maxShDegree);
  for (const g of PARAM_GROUPS) {
    const w = widths[g];
    for (let j = 0; j < n; j++) {
      const s = sources[j]!;
      out[g].set(params[g].subarray(s * w, s * w + w), j * w);
      if (keepMoments[j]) {
        m[g].set(adam.m[g].subarray(s * w, s * w + w), j * w);
        v[g].set(adam.v[g].subarray(s * w, s * w + w), j * w);
      }
    }
  }
  return { params: out, adam: { step: adam.step, m: paramArrays(m), v: paramArrays(v) } };
}

/** One densification round: grow (clone/split), then prune. Inputs are not modified. */
export function densify(
  params: GaussianParams,
  adam: AdamState,
  stats: DensifyStats,
  cfg: DensifyConfig,
  rng: Rng,
): DensifyResult {
  const n = params.count;
  const splitN = cfg.splitCount ?? DEFAULT_DENSIFY.splitCount;
  const cloneLimit = cfg.percentDense * cfg.sceneExtent;
  const maxScale = (i: number) =>
    Math.exp(
      Math.max(
        params.logScales[i * 3]!,
        params.logScales[i * 3 + 1]!,
        params.logScales[i * 3 + 2]!,
      ),
    );

  // Candidates by average gradient, highest first, so the cap keeps the most needed growth.
  const candidates: { i: number; g: number }[] = [];
  for (let i = 0; i < n; i++) {
    const seen = stats.visibleCount[i]!;
    if (seen <= 0) continue;
    const g = stats.gradNormSum[i]! / seen;
    if (Number.isFinite(g) && g >= cfg.gradThreshold) candidates.push({ i, g });
  }
  candidates.sort((a, b) => b.g - a.g || a.i - b.i);
  let budget = Math.max(0, cfg.maxSplats - n);
  const action = new Uint8Array(n); // 0 keep, 1 clone, 2 split
  for (const { i } of candidates) {
    const extra = maxScale(i) <= cloneLimit ? 1 : splitN - 1;
    if (extra > budget) break;
    budget -= extra;
    action[i] = maxScale(i) <= cloneLimit ? 1 : 2;
  }

  // Prune decisions use the pre-growth values; split children inherit their parent's opacity,
  // so a transparent parent's children are pruned too.
  const pruneOpacityLogit = logit(cfg.pruneOpacity);
  const prune = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (!(params.opacityLogits[i]! >= pruneOpacityLogit))
      prune[i] = 1; // also catches NaN
    else if (
      cfg.pruneWorldScale !== undefined &&
      maxScale(i) > cfg.pruneWorldScale * cfg.sceneExtent
    )
      prune[i] = 1;
    else if (cfg.pruneScreenRadiusPx !== undefined && stats.maxRadius[i]! > cfg.pruneScreenRadiusPx)
      prune[i] = 1;
  }

  const sources: number[] = [];
  const keep: number[] = [];
  const splitRows: { row: number; parent: number }[] = [];
  let cloned = 0;
  let split = 0;
  let pruned = 0;
  for (let i = 0; i < n; i++) {
    if (action[i] === 2) {
      split++;
      if (prune[i]) {
        pruned += splitN;
        continue;
      }
      for (let c = 0; c < splitN; c++) {
        splitRows.push({ row: sources.length, parent: i });
        sources.push(i);
        keep.push(0);
      }
      continue;
    }
    if (prune[i]) {
      pruned++;
      continue;
    }
    sources.push(i);
    keep.push(1);
  }
  // Clones are appended after the survivors, as in 3DGS.
  for (let i = 0; i < n; i++) {
    if (action[i] !== 1) continue;
    cloned++;
    if (prune[i]) {
      pruned++;
      continue;
    }
    sources.push(i);
    keep.push(0);
  }

  const out = gatherSplats(params, adam, sources, keep);
  // Split children: positions sampled from the parent Gaussian, scales divided by 0.8·N.
  const shrink = Math.log(0.8 * splitN);
  for (const { row, parent } of splitRows) {
    const q = params.quats.subarray(parent * 4, parent * 4 + 4);
    const r = quatToMatrix(q[0]!, q[1]!, q[2]!, q[3]!);
    const s = [0, 1, 2].map((a) => Math.exp(params.logScales[parent * 3 + a]!) * rng.normal());
    for (let a = 0; a < 3; a++) {
      const offset = r[a * 3]! * s[0]! + r[a * 3 + 1]! * s[1]! + r[a * 3 + 2]! * s[2]!;
      out.params.means[row * 3 + a] = params.means[parent * 3 + a]! + offset;
      out.params.logScales[row * 3 + a] = params.logScales[parent * 3 + a]! - shrink;
    }
  }
  return { params: out.params, adam: out.adam, cloned, split, pruned };
}

/**
 * 3DGS opacity reset: every opacity is clamped to at most 0.01 (twice the prune threshold) so
 * floaters must earn their opacity back; the opacity Adam moments are zeroed. In place.
 */
export function resetOpacity(params: GaussianParams, adam: AdamState, ceiling = 0.01): void {
  const cap = logit(ceiling);
  for (let i = 0; i < params.count; i++) {
    if (params.opacityLogits[i]! > cap) params.opacityLogits[i] = cap;
  }
  adam.m.opacityLogits.fill(0);
  adam.v.opacityLogits.fill(0);
}
