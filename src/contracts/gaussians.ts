/**
 * Gaussian splat parameters: the one layout the trainer, its snapshots and the exporters share,
 * so a model moves between them without reshuffling.
 *
 * Conventions (same as INRIA 3DGS and gsplat):
 * - Quaternions are stored w, x, y, z and need not be normalised (consumers normalise).
 * - Scales are stored as log-scales, opacity as a logit, colour as SH coefficients.
 * - SH layout: per splat, K = (degree+1)² coefficients × 3 channels, coefficient-major:
 *   sh[(i*K + k)*3 + c]. k = 0 is the DC term; colour = 0.5 + Σ_k SH_k(dir)·sh_k, clamped at 0.
 */
export interface GaussianParams<A extends Float32Array | Float64Array = Float32Array> {
  count: number;
  /** Active SH degree (0..3); `sh` holds (maxShDegree+1)² coefficients per splat. */
  shDegree: number;
  maxShDegree: number;
  means: A; // count*3
  logScales: A; // count*3
  quats: A; // count*4 (w,x,y,z)
  opacityLogits: A; // count
  sh: A; // count*K*3, K = (maxShDegree+1)^2
  /**
   * Trained with the 2D filter's opacity compensation (Mip-Splatting's 2D filter, gsplat's
   * "antialiased" mode): viewers that honour it render the same way. Files say so: a PLY header
   * `comment SplatRenderMode: mip`, the SPZ flag 0x1. Absent: classic 3DGS rendering.
   */
  antialiased?: boolean;
}

/** The per-splat arrays of {@link GaussianParams}, in their canonical order. */
export const PARAM_GROUPS = ["means", "logScales", "quats", "opacityLogits", "sh"] as const;
/** One per-splat array of {@link GaussianParams}. */
export type ParamGroup = (typeof PARAM_GROUPS)[number];
/** The per-splat arrays alone (Adam moments and gradients have this shape). */
export type ParamArrays<A extends Float32Array | Float64Array = Float32Array> = Pick<
  GaussianParams<A>,
  ParamGroup
>;

/** SH band-0 constant: colour = 0.5 + SH_C0 · f_dc. */
export const SH_C0 = 0.28209479177387814;

/** Number of SH coefficients per channel for a degree. */
export function shCoeffCount(degree: number): number {
  return (degree + 1) * (degree + 1);
}

/** Floats per splat of each group. */
export function groupWidths(maxShDegree: number): Record<ParamGroup, number> {
  return { means: 3, logScales: 3, quats: 4, opacityLogits: 1, sh: shCoeffCount(maxShDegree) * 3 };
}

/** Floats per splat over all groups. */
export function floatsPerSplat(maxShDegree: number): number {
  return 11 + shCoeffCount(maxShDegree) * 3;
}

/** Zeroed float32 parameters for `count` splats; the active degree defaults to the maximum. */
export function allocateParams(
  count: number,
  maxShDegree: number,
  shDegree = maxShDegree,
): GaussianParams {
  const K = shCoeffCount(maxShDegree);
  return {
    count,
    shDegree,
    maxShDegree,
    means: new Float32Array(count * 3),
    logScales: new Float32Array(count * 3),
    quats: new Float32Array(count * 4),
    opacityLogits: new Float32Array(count),
    sh: new Float32Array(count * K * 3),
  };
}

/** The per-splat arrays of `p` (same arrays, not copies). */
export function paramArrays<A extends Float32Array | Float64Array>(
  p: ParamArrays<A>,
): ParamArrays<A> {
  return {
    means: p.means,
    logScales: p.logScales,
    quats: p.quats,
    opacityLogits: p.opacityLogits,
    sh: p.sh,
  };
}

/** Logistic sigmoid 1 / (1 + e^−x): opacity from its stored logit. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** log(p / (1 − p)): the stored logit of opacity p. */
export function logit(p: number): number {
  return Math.log(p / (1 - p));
}
