/**
 * The published alternatives to pruning (3DGS-MCMC, Brush), on CPU arrays: transparent ("dead")
 * splats are relocated onto live ones sampled in proportion to their opacity instead of being
 * deleted, the copies sharing the source's density (opacity 1 − (1 − o)^(1/N) and scales shrunk
 * so that N overlapping copies render like the one source did); opacities decay a little at
 * every round, so splats that nothing needs fade and get relocated; and low-opacity splats'
 * means get noise every step, so they explore instead of sitting where they died.
 */
import { logit, sigmoid, type GaussianParams } from "../contracts/gaussians.js";
import { gatherSplats, hashU32 } from "./densify.js";
import { quatToMat } from "./reference/math.js";
import type { AdamState } from "./types.js";

/** Copies of one source at most (3DGS-MCMC's binomial table size). */
const MAX_COPIES = 51;

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/**
 * Opacity and scale factor of each of `copies` copies of a splat of opacity `o`, so that the
 * copies stacked render with the source's opacity and (to first order) its footprint.
 */
export function relocationShares(o: number, copies: number): { opacity: number; scale: number } {
  const n = Math.min(MAX_COPIES, Math.max(1, copies));
  const opacity = 1 - (1 - o) ** (1 / n);
  let denom = 0;
  for (let i = 1; i <= n; i++) {
    for (let k = 0; k < i; k++) {
      denom += (binomial(i - 1, k) * (-1) ** k * opacity ** (k + 1)) / Math.sqrt(k + 1);
    }
  }
  return { opacity, scale: o / denom };
}

/** A uniform in [0, 1) from a counter (the same hash the GPU kernels use). */
function uniform(seed: number, a: number, b: number): number {
  return (hashU32((seed + hashU32((a + hashU32(b)) >>> 0)) >>> 0) >>> 8) / 16777216;
}

/** What one relocation round did. */
export interface RelocationResult {
  params: GaussianParams;
  adam: AdamState;
  relocated: number;
}

/**
 * Moves every splat less opaque than `minOpacity` onto a live splat drawn in proportion to
 * opacity (deterministic for `seed`); sources and their copies share the source's density and
 * start with zero Adam moments. The splat count does not change. Inputs are not modified.
 */
export function relocateDead(
  params: GaussianParams,
  adam: AdamState,
  minOpacity: number,
  seed: number,
): RelocationResult {
  const n = params.count;
  const dead: number[] = [];
  const live: number[] = [];
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = sigmoid(params.opacityLogits[i]!);
    if (!(o >= minOpacity)) dead.push(i);
    else {
      total += o;
      live.push(i);
      cumulative.push(total);
    }
  }
  const sources = Array.from({ length: n }, (_, i) => i);
  const keep = new Array<number>(n).fill(1);
  if (dead.length === 0 || live.length === 0) {
    return { ...gatherSplats(params, adam, sources, keep), relocated: 0 };
  }
  const copies = new Map<number, number>();
  for (const [k, d] of dead.entries()) {
    const x = uniform(seed, k, 0x7e10) * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    const src = live[lo]!;
    sources[d] = src;
    keep[d] = 0;
    copies.set(src, (copies.get(src) ?? 1) + 1);
  }
  for (const src of copies.keys()) keep[src] = 0;
  const out = gatherSplats(params, adam, sources, keep);
  for (let j = 0; j < n; j++) {
    const src = sources[j]!;
    const c = copies.get(src);
    if (c === undefined) continue;
    const share = relocationShares(sigmoid(params.opacityLogits[src]!), c);
    out.params.opacityLogits[j] = logit(Math.min(1 - 1e-6, share.opacity));
    for (let a = 0; a < 3; a++) {
      out.params.logScales[j * 3 + a] = params.logScales[src * 3 + a]! + Math.log(share.scale);
    }
  }
  return { ...out, relocated: dead.length };
}

/** Multiplies every opacity by (1 − `decay`), in place. */
export function decayOpacities(params: GaussianParams, decay: number): void {
  for (let i = 0; i < params.count; i++) {
    params.opacityLogits[i] = logit(sigmoid(params.opacityLogits[i]!) * (1 - decay));
  }
}

/** The gate of the position noise: 1 for a transparent splat, 0 for an opaque one. */
export function noiseGate(opacity: number): number {
  return 1 / (1 + Math.exp(-100 * (1 - opacity - 0.995)));
}

/**
 * Standard normal `axis` of splat `i` at `step` (counter-based, as shaders/optim/mean_noise.wgsl).
 */
export function noiseNormal(seed: number, step: number, i: number, axis: number): number {
  const h = hashU32((seed + hashU32((step + hashU32((i * 3 + axis) >>> 0)) >>> 0)) >>> 0);
  const u1 = ((hashU32(h) >>> 8) + 1) / 16777216;
  const u2 = (hashU32((h ^ 0x9e3779b9) >>> 0) >>> 8) / 16777216;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * One step of position noise, in place: mean += `scale` · gate(opacity) · Σ·n with Σ = R S² Rᵀ
 * the splat's covariance and n a standard normal (3DGS-MCMC's exploration term).
 */
export function addMeanNoise(params: GaussianParams, seed: number, step: number, scale: number) {
  for (let i = 0; i < params.count; i++) {
    const gate = noiseGate(sigmoid(params.opacityLogits[i]!));
    if (gate < 1e-8) continue;
    const q = params.quats.subarray(i * 4, i * 4 + 4);
    const qn = Math.hypot(q[0]!, q[1]!, q[2]!, q[3]!) || 1;
    const r = quatToMat(q[0]! / qn, q[1]! / qn, q[2]! / qn, q[3]! / qn);
    const s2 = [0, 1, 2].map((a) => Math.exp(2 * params.logScales[i * 3 + a]!));
    const nrm = [0, 1, 2].map((a) => noiseNormal(seed, step, i, a));
    // Σ·n = R·(S²·(Rᵀ·n)).
    const local = [0, 1, 2].map(
      (c) => s2[c]! * (r[c]! * nrm[0]! + r[3 + c]! * nrm[1]! + r[6 + c]! * nrm[2]!),
    );
    for (let a = 0; a < 3; a++) {
      const d = r[a * 3]! * local[0]! + r[a * 3 + 1]! * local[1]! + r[a * 3 + 2]! * local[2]!;
      params.means[i * 3 + a] = params.means[i * 3 + a]! + scale * gate * d;
    }
  }
}
