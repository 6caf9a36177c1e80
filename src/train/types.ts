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

/**
 * Rasterization constants shared by the CPU reference and the WGSL kernels; both must use these
 * exact values so their images and gradients agree.
 */
export const RASTER = {
  /** Splats closer than this (camera z) are culled. */
  nearPlane: 0.01,
  /** Screen-space low-pass added to the 2D covariance diagonal (px²), as in 3DGS. */
  lowPass: 0.3,
  /** Radius = ceil(sigmaExtent · sqrt(largest eigenvalue of the 2D covariance)). */
  sigmaExtent: 3,
  /** Fragments with alpha below this are skipped. */
  alphaMin: 1 / 255,
  /** Alpha is clamped to at most this. */
  alphaMax: 0.99,
  /** Compositing stops once transmittance would fall below this. */
  transmittanceMin: 1e-4,
  /** Background colour composited behind the splats. */
  background: [0, 0, 0] as const,
  /** SSIM weight λ in (1 − λ)·L1 + λ·(1 − SSIM); SSIM uses an 11×11 Gaussian window, σ = 1.5. */
  ssimWeight: 0.2,
} as const;

/** Per-parameter-group learning rates for one step. */
export interface LearningRates {
  means: number;
  logScales: number;
  quats: number;
  opacityLogits: number;
  shDC: number;
  shRest: number;
}

/** Adam first/second moments, same layout as the parameter arrays. */
export interface AdamState {
  step: number;
  m: Omit<GaussianParams, "count" | "shDegree" | "maxShDegree">;
  v: Omit<GaussianParams, "count" | "shDegree" | "maxShDegree">;
}

/** Screen-space statistics accumulated for densification since the last reset. */
export interface DensifyStats {
  /** Σ of the norm of d loss / d mean2D (in NDC-scaled pixels, as in 3DGS) per splat. */
  gradNormSum: Float32Array;
  /** Number of views in which the splat was visible (radius > 0). */
  visibleCount: Float32Array;
  /** Largest screen radius (px) seen. */
  maxRadius: Float32Array;
}

/** Loss and optional timings of one optimisation step. */
export interface StepStats {
  loss?: number;
  /** Milliseconds per phase (projection, sort, rasterize, loss, backward, adam) when measured. */
  phaseMs?: Record<string, number>;
}

/**
 * The GPU side of training (src/train/gpu): the trainer loop (src/train/trainer.ts) drives it.
 * Densification and snapshots read parameters back, edit them on the CPU and upload again.
 */
export interface TrainingBackend {
  readonly adapterDescription: string;
  readonly count: number;
  /** Upload parameters (resizing buffers); Adam moments reset to zero unless given. */
  setParams(params: GaussianParams, adam?: AdamState): Promise<void>;
  getParams(): Promise<GaussianParams>;
  getAdamState(): Promise<AdamState>;
  /** Upload the training images once (all the same size as their cameras). */
  setTargets(images: ImageRGB[]): Promise<void>;
  /** Forward, loss, backward and Adam for one view. Reads the loss back only when asked. */
  step(args: {
    camera: Camera;
    targetIndex: number;
    lr: LearningRates;
    shDegree: number;
    readLoss?: boolean;
  }): Promise<StepStats>;
  /** Render a view (for evaluation and previews). */
  render(camera: Camera, shDegree: number): Promise<ImageRGB>;
  densifyStats(): Promise<DensifyStats>;
  resetDensifyStats(): Promise<void>;
  /**
   * Optional: restore statistics from a snapshot so a resumed run densifies exactly like an
   * uninterrupted one (without it the statistics since the last densification are lost).
   */
  setDensifyStats?(stats: DensifyStats): Promise<void>;
  destroy(): void;
}
