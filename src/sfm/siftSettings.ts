/**
 * SIFT extraction settings chosen from the frames themselves (their size and how many there are),
 * so that no setting is tuned to one capture.
 */

/** COLMAP SiftExtraction options this project sets. */
export interface SiftSettings {
  /** −1 doubles the image before the first octave (finer features on small frames); 0 does not. */
  firstOctave: number;
  /** Features kept per frame (the strongest ones). */
  maxNumFeatures: number;
  /** Long-side limit COLMAP applies before extraction. */
  maxImageSize: number;
  /** SIFT's DoG peak threshold; unset: COLMAP's (0.02 / octave resolution 3 ≈ 0.0067). */
  peakThreshold?: number;
  /** COLMAP's domain-size pooling (DSP-SIFT descriptors); unset: off. */
  domainSizePooling?: boolean;
  /** COLMAP's affine-shape estimation of each feature; unset: off. */
  estimateAffineShape?: boolean;
}

/**
 * Frames whose long side is below this are upsampled (`first_octave −1`): on a 320×240 frame SIFT
 * without upsampling finds a few hundred features, too few to chain two videos of one scene.
 * COLMAP's own default upsamples every frame; on frames of 1000 px and more the upsampled octave
 * mostly adds compression noise and quadruples the extraction work.
 */
export const UPSAMPLE_BELOW_LONG_SIDE = 1000;
/** One feature per this many pixels of the finest octave (an 8×8 block) caps the count. */
export const PIXELS_PER_FEATURE = 64;
/** Bounds of the per-frame feature cap: COLMAP's default cap is the upper one. */
export const MIN_FEATURES = 1024;
export const MAX_FEATURES = 8192;
/** The strongest ladder rung may go this far. */
export const LADDER_MAX_FEATURES = 16384;
/**
 * Above this many frames the per-frame cap shrinks with √(frames): matching cost grows with the
 * pair count and with the square of the features per frame, while dense video has more
 * neighbours to chain through.
 */
export const FEATURE_FRAME_REFERENCE = 150;

/** Rounds up to a multiple of 512 (keeps the chosen caps readable in logs). */
const round512 = (n: number) => Math.ceil(n / 512) * 512;

/**
 * SIFT settings for frames of `size` (the largest frame of the capture) and `frames` frames in
 * all: upsample small frames, cap the features per frame by the pixels SIFT sees, and lower the
 * cap for long captures. (Affine-covariant features with domain-size pooling cut the rotation
 * error on handheld-photos by three but split the small drone survey in two models: README.)
 */
export function chooseSiftSettings(
  size: { width: number; height: number },
  frames: number,
): SiftSettings {
  const longSide = Math.max(size.width, size.height);
  const firstOctave = longSide < UPSAMPLE_BELOW_LONG_SIDE ? -1 : 0;
  const maxImageSize = Math.max(1600, longSide);
  const scale = Math.min(1, maxImageSize / longSide);
  const pixels = size.width * size.height * scale * scale * (firstOctave < 0 ? 4 : 1);
  const countFactor = Math.min(1, Math.sqrt(FEATURE_FRAME_REFERENCE / Math.max(1, frames)));
  const cap = (pixels / PIXELS_PER_FEATURE) * countFactor;
  const maxNumFeatures = Math.min(MAX_FEATURES, Math.max(MIN_FEATURES, round512(cap)));
  return { firstOctave, maxNumFeatures, maxImageSize };
}

/**
 * The first octave for one camera group of `size`: the capture's, or −1 where the group's own
 * frames are small. The capture's settings come from its largest frame; a 320×240 clip beside
 * photos of 1600 px would otherwise lose its upsampled octave and most of its features.
 */
export function groupFirstOctave(s: SiftSettings, size: { width: number; height: number }): number {
  return Math.max(size.width, size.height) < UPSAMPLE_BELOW_LONG_SIDE ? -1 : s.firstOctave;
}

/** Stronger settings for a later attempt: twice the features, upsampled first octave. */
export function strongerSift(s: SiftSettings): SiftSettings {
  return {
    ...s,
    firstOctave: -1,
    maxNumFeatures: Math.min(LADDER_MAX_FEATURES, s.maxNumFeatures * 2),
    maxImageSize: s.maxImageSize,
  };
}

/** Whether two settings give the same features (a database can be reused). */
export function sameSift(a: SiftSettings, b: SiftSettings): boolean {
  return (
    a.firstOctave === b.firstOctave &&
    a.maxNumFeatures === b.maxNumFeatures &&
    a.maxImageSize === b.maxImageSize &&
    a.peakThreshold === b.peakThreshold &&
    Boolean(a.domainSizePooling) === Boolean(b.domainSizePooling) &&
    Boolean(a.estimateAffineShape) === Boolean(b.estimateAffineShape)
  );
}
