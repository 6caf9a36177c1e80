/**
 * Types of the 3DGS trainer shared by the CPU reference, the GPU backend and the training loop.
 * The Gaussian parameters themselves live in src/contracts/gaussians.ts (exporters read them
 * too). Camera convention (same as INRIA/gsplat): OpenCV/COLMAP — x right, y down, z forward;
 * world→camera `viewmat` is a row-major 4×4 [R | t; 0 0 0 1], pixel centres at integer + 0.5.
 */
import type { GaussianParams, ParamArrays } from "../contracts/gaussians.js";

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
  /**
   * Radius = ceil(sigmaExtent · sqrt(largest eigenvalue of the 2D covariance)), or fewer σ where
   * the opacity brings alpha below alphaMin sooner (reference/project.ts, sigmaExtent).
   */
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
  m: ParamArrays;
  v: ParamArrays;
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

/** Settings of one round of adaptive density control (3DGS clone / split / prune). */
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
  /** Whether to grow at all (false: prune only). */
  grow?: boolean;
}

/** What one densification round did. */
export interface DensifyCounts {
  cloned: number;
  split: number;
  pruned: number;
  count: number;
}

/**
 * Anti-aliasing of renders and steps (Mip-Splatting): the 3D smoothing filter's variance per
 * splat (null: none) and the 2D filter's opacity compensation (see reference/project.ts).
 */
export interface AntiAliasing {
  filter3d: Float32Array | null;
  antialiased: boolean;
}

/**
 * Every training view's appearance transform θ (12 per view: M row-major, then b; see
 * reference/appearance.ts), its Adam moments (m then v, 12 each per view) and Adam step count.
 */
export interface AppearanceState {
  count: number;
  theta: Float32Array;
  moments: Float32Array;
  steps: Float32Array;
}

/** The appearance work of one step: the view's transform, learning rate and regulariser. */
export interface AppearanceStep {
  index: number;
  lr: number;
  /** Weight of (weight/2)·‖θ − prior‖². */
  weight: number;
  /** The θ the regulariser pulls this view's transform towards (12 values; default: identity). */
  prior?: ArrayLike<number>;
  /** Which entries of θ learn (reference/appearance.ts APPEARANCE_MASKS; default: all). */
  mask?: number;
}

/** Loss and optional timings of one optimisation step. */
export interface StepStats {
  loss?: number;
  /** Milliseconds per phase (projection, sort, rasterize, loss, backward, adam) when measured. */
  phaseMs?: Record<string, number>;
}

/**
 * Where the splats live during training (src/train/gpu on WebGPU, or the CPU reference): the
 * trainer loop (src/train/trainer.ts) drives it. Parameters are read back only for snapshots and
 * exports; densification runs on the backend's own copy.
 */
export interface TrainingBackend {
  readonly adapterDescription: string;
  /** Whether the work runs on a hardware GPU (training plans differ for CPU adapters). */
  readonly hardware: boolean;
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
    /** Learn this view's appearance transform (applied to the render before the loss). */
    appearance?: AppearanceStep;
  }): Promise<StepStats>;
  /** Render a view (for evaluation and previews): neutral, no appearance transform. */
  render(camera: Camera, shDegree: number): Promise<ImageRGB>;
  /**
   * Anti-aliasing for the following steps and renders; a densification round drops the 3D
   * filter (its splats changed), so the caller sets it again after each round.
   */
  setAntiAliasing(a: AntiAliasing): Promise<void>;
  /**
   * Position noise for low-opacity splats (relocate.ts: `addMeanNoise`), counter-based on
   * (seed, step), so a resumed run draws the same numbers.
   */
  addMeanNoise(args: { seed: number; step: number; scale: number }): Promise<void>;
  /** Every view's appearance state (uploaded once; restored from snapshots). */
  setAppearance(s: AppearanceState): Promise<void>;
  getAppearance(): Promise<AppearanceState>;
  densifyStats(): Promise<DensifyStats>;
  resetDensifyStats(): Promise<void>;
  /** Restores statistics from a snapshot, so a resumed run densifies like an uninterrupted one. */
  setDensifyStats(stats: DensifyStats): Promise<void>;
  /**
   * One round of adaptive density control with the decisions of `densify` (src/train/densify.ts):
   * grow (clone small, split large), then prune; Adam moments move with their splats, new rows
   * start at zero; the statistics are reset. `noiseSeed` seeds the split children's positions.
   */
  densify(cfg: DensifyConfig, noiseSeed: number): Promise<DensifyCounts>;
  destroy(): void;
}
