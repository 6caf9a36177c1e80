/** Everything a job can be tuned with; each stage fingerprints the subset it reads. */
export interface JobParams {
  // FrameExtraction
  /** Uniformly sample this many frames per video (default 60). Ignored when `fps` is set. */
  framesPerVideo?: number;
  /** Sample at this rate instead of a fixed count. */
  fps?: number;
  /** Longest side of extracted frames in pixels (default 1600). */
  maxLongSide?: number;
  /** Pick the sharpest frame in each sampling window (variance of Laplacian). */
  sharpest?: boolean;
  // ManifestGeneration
  /** Horizontal field of view used when the video carries no focal length (default 65°). */
  defaultFovDeg?: number;
  // ColmapReconstruction
  /** "auto" (default): exhaustive for ≤ 60 frames, sequential otherwise. */
  matcher?: "auto" | "sequential" | "exhaustive";
  /** Minimum fraction of frames that must register (default 0.5). */
  minRegisteredFraction?: number;
  // Training
  steps?: number;
  maxResolution?: number;
  shDegree?: number;
  maxSplats?: number;
  seed?: number;
  evalEvery?: number;
  previewEvery?: number;
  snapshotEvery?: number;
  [key: string]: unknown;
}
