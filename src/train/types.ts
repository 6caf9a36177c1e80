/**
 * Shared data layout of the 3DGS trainer: CPU reference, GPU kernels, exporters and snapshots all
 * use these conventions, so a buffer can move between them without reshuffling.
 *
 * Conventions (same as INRIA/gsplat):
 * - Camera: OpenCV/COLMAP — x right, y down, z forward; world→camera `viewmat` is a row-major 4×4
 *   [R | t; 0 0 0 1], pixel centres at integer + 0.5.
 * - Quaternions are stored w, x, y, z and need not be normalised (the projection normalises).
 * - Scales are stored as log-scales; opacity as a logit; colour as SH coefficients.
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
}

/** A pinhole camera (COLMAP PINHOLE after undistortion). */
export interface Camera {
  width: number;
  height: number;
  fx: number;
  fy: number;
  cx: number;
  cy: number;
  /** World→camera, row-major 4×4. */
  viewmat: Float64Array | number[];
}

/** An RGB image, float values in [0,1], row-major, 3 channels interleaved. */
export interface ImageRGB {
  width: number;
  height: number;
  data: Float32Array | Float64Array;
}

/** Number of SH coefficients per channel for a degree. */
export function shCoeffCount(degree: number): number {
  return (degree + 1) * (degree + 1);
}

/** SH band-0 constant: colour = 0.5 + C0 · f_dc. */
export const SH_C0 = 0.28209479177387814;

/** Tile edge in pixels for binning and rasterization. */
export const TILE_SIZE = 16;
