import {
  PARAM_GROUPS,
  allocateParams,
  groupWidths,
  logit,
  paramArrays,
  type GaussianParams,
} from "../contracts/gaussians.js";
import { quatToMat } from "./reference/math.js";
import type { AdamState, DensifyConfig, DensifyCounts, DensifyStats } from "./types.js";

/**
 * Adaptive density control of 3DGS (clone small, split large, prune) on CPU arrays: the reference
 * backend uses it directly, and the GPU kernels (shaders/densify) make the same decisions.
 *
 * Adam moments: splats that survive unchanged keep theirs; clones and split children start at
 * zero (as in 3DGS, where new rows are appended to the optimizer state as zeros). Split parents
 * are removed, so their moments go with them.
 */
export interface DensifyResult extends DensifyCounts {
  params: GaussianParams;
  adam: AdamState;
}

/** Default 3DGS/gsplat values for everything but the scene extent and the cap. */
export const DEFAULT_DENSIFY = {
  gradThreshold: 0.0002,
  percentDense: 0.01,
  pruneOpacity: 0.005,
  pruneWorldScale: 0.1,
} as const;

/** Children per split; each has its parent's scales divided by 0.8 × this (1.6). */
export const SPLIT_CHILDREN = 2;

/** A PCG-style u32 hash (the GPU kernels compute the same function in WGSL). */
export function hashU32(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/**
 * Standard normal sample for axis `axis` of split child `child` of splat `parent`: counter-based
 * (no sequential state), so the GPU kernel draws the same numbers in any thread order. The two
 * uniforms have 24 bits, exact in float32 and float64 alike.
 */
export function splitNormal(seed: number, parent: number, child: number, axis: number): number {
  const h = hashU32((seed + hashU32((parent + hashU32(child * 3 + axis)) >>> 0)) >>> 0);
  const u1 = ((hashU32(h) >>> 8) + 1) / 16777216;
  const u2 = (hashU32((h ^ 0x9e3779b9) >>> 0) >>> 8) / 16777216;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

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

/** What a densification round does with a splat (the codes the GPU kernels use too). */
export const Growth = { Keep: 0, Clone: 1, Split: 2 } as const;

/** Thresholds of one round in float32, so the CPU and the GPU kernels compare the same values. */
export function densifyThresholds(cfg: DensifyConfig) {
  const f = Math.fround;
  return {
    grad: f(cfg.gradThreshold),
    cloneLogScale: f(Math.log(cfg.percentDense * cfg.sceneExtent)),
    pruneLogit: f(logit(cfg.pruneOpacity)),
    pruneLogScale:
      cfg.pruneWorldScale === undefined
        ? Infinity
        : f(Math.log(cfg.pruneWorldScale * cfg.sceneExtent)),
    pruneRadius: cfg.pruneScreenRadiusPx === undefined ? Infinity : f(cfg.pruneScreenRadiusPx),
  };
}

function maxLogScale(params: GaussianParams, i: number): number {
  const s = params.logScales;
  return Math.max(s[i * 3]!, s[i * 3 + 1]!, s[i * 3 + 2]!);
}

/**
 * Which splats grow: those whose average screen-space gradient reaches the threshold, highest
 * first (ties by index) until the splat cap is reached; small ones are cloned, large ones split.
 */
export function growthActions(
  params: GaussianParams,
  stats: DensifyStats,
  cfg: DensifyConfig,
): Uint8Array {
  const n = params.count;
  const t = densifyThresholds(cfg);
  const action = new Uint8Array(n);
  if (cfg.grow === false) return action;
  const candidates: { i: number; g: number }[] = [];
  for (let i = 0; i < n; i++) {
    const seen = stats.visibleCount[i]!;
    const sum = stats.gradNormSum[i]!;
    // sum ≥ t·seen rather than sum/seen ≥ t: a product rounds the same in float32 everywhere.
    if (seen > 0 && sum >= Math.fround(t.grad * seen)) {
      candidates.push({ i, g: Math.fround(sum / seen) });
    }
  }
  candidates.sort((a, b) => b.g - a.g || a.i - b.i);
  // Clone and split each add one splat (a split replaces its parent by two children).
  const budget = Math.max(0, cfg.maxSplats - n);
  for (const { i } of candidates.slice(0, budget)) {
    action[i] = maxLogScale(params, i) <= t.cloneLogScale ? Growth.Clone : Growth.Split;
  }
  return action;
}

/**
 * Which splats are pruned, on the pre-growth values: too transparent (or NaN), too large in the
 * world or on screen. Split children inherit their parent's opacity, so a transparent parent's
 * children are pruned too.
 */
export function pruneMask(
  params: GaussianParams,
  stats: DensifyStats,
  cfg: DensifyConfig,
): Uint8Array {
  const t = densifyThresholds(cfg);
  const prune = new Uint8Array(params.count);
  for (let i = 0; i < params.count; i++) {
    prune[i] = Number(
      !(params.opacityLogits[i]! >= t.pruneLogit) ||
        maxLogScale(params, i) > t.pruneLogScale ||
        stats.maxRadius[i]! > t.pruneRadius,
    );
  }
  return prune;
}

/**
 * The output rows of a round, in 3DGS order: survivors and split children in splat order, then
 * the clones appended. `sources[j]` is row j's splat; `keep[j]` whether it keeps its moments.
 */
export function densifyRows(action: Uint8Array, prune: Uint8Array) {
  const sources: number[] = [];
  const keep: number[] = [];
  const splitRows: { row: number; parent: number; child: number }[] = [];
  const counts = { cloned: 0, split: 0, pruned: 0 };
  for (let i = 0; i < action.length; i++) {
    if (action[i] === Growth.Split) {
      counts.split++;
      if (prune[i]) counts.pruned += SPLIT_CHILDREN;
      else {
        for (let c = 0; c < SPLIT_CHILDREN; c++) {
          splitRows.push({ row: sources.length, parent: i, child: c });
          sources.push(i);
          keep.push(0);
        }
      }
    } else if (prune[i]) counts.pruned++;
    else {
      sources.push(i);
      keep.push(1);
    }
  }
  for (let i = 0; i < action.length; i++) {
    if (action[i] !== Growth.Clone) continue;
    counts.cloned++;
    if (prune[i]) counts.pruned++;
    else {
      sources.push(i);
      keep.push(0);
    }
  }
  return { sources, keep, splitRows, counts };
}

/**
 * One densification round: grow (clone/split), then prune. Inputs are not modified; `noiseSeed`
 * seeds the split children's positions (see {@link splitNormal}).
 */
export function densify(
  params: GaussianParams,
  adam: AdamState,
  stats: DensifyStats,
  cfg: DensifyConfig,
  noiseSeed: number,
): DensifyResult {
  const rows = densifyRows(growthActions(params, stats, cfg), pruneMask(params, stats, cfg));
  const out = gatherSplats(params, adam, rows.sources, rows.keep);
  // Split children: positions sampled from the parent Gaussian, scales divided by 0.8·N.
  const shrink = Math.log(0.8 * SPLIT_CHILDREN);
  for (const { row, parent, child } of rows.splitRows) {
    const q = params.quats.subarray(parent * 4, parent * 4 + 4);
    const r = quatToMatrix(q[0]!, q[1]!, q[2]!, q[3]!);
    const s = [0, 1, 2].map(
      (a) => Math.exp(params.logScales[parent * 3 + a]!) * splitNormal(noiseSeed, parent, child, a),
    );
    for (let a = 0; a < 3; a++) {
      const offset = r[a * 3]! * s[0]! + r[a * 3 + 1]! * s[1]! + r[a * 3 + 2]! * s[2]!;
      out.params.means[row * 3 + a] = params.means[parent * 3 + a]! + offset;
      out.params.logScales[row * 3 + a] = params.logScales[parent * 3 + a]! - shrink;
    }
  }
  return { params: out.params, adam: out.adam, ...rows.counts, count: rows.sources.length };
}
