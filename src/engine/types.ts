import type { Checkpoint, CompletedStages } from "../contracts/checkpoint.js";
import type { StageName } from "../contracts/stages.js";

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
  // Training (issue 3 fills these)
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

/** Minimal logger: info lines go to stdout/log; warn names skipped files etc. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

/** What the engine hands to a stage. Stages never write the checkpoint themselves. */
export interface StageContext {
  readonly jobId: string;
  readonly inputFolder: string;
  readonly outputFolder: string;
  readonly tempFolder: string;
  readonly params: Readonly<JobParams>;
  /** Snapshot of the checkpoint as of this stage's start. */
  readonly checkpoint: Readonly<Checkpoint>;
  readonly log: Logger;
  /** Aborted on SIGINT/SIGTERM or a notebook interrupt; stop at a safe point. */
  readonly signal: AbortSignal;
  /** Result recorded by an upstream stage (undefined if it has not run or was skipped). */
  resultOf<T = unknown>(stage: StageName): T | undefined;
  /** Report fractional progress (0..1) within this stage, with an optional label. */
  progress(fraction: number, detail?: string): void;
  /**
   * Persist a small piece of in-stage progress (e.g. per-video extraction) into the checkpoint,
   * atomically, so a killed stage can resume at a finer grain.
   */
  saveStageProgress(patch: Partial<Pick<Checkpoint, "videos">>): Promise<void>;
}

/** One row of the stage table. */
export interface StageDefinition<R = unknown> {
  readonly name: StageName;
  /**
   * The parameters and input identities this stage depends on. The engine hashes this with the
   * upstream stages' fingerprints; a change reruns this stage and every later one.
   */
  fingerprintInputs(ctx: StageContext): Promise<unknown> | unknown;
  /** Do the work. Throw SplatbookError for expected failures. */
  run(ctx: StageContext): Promise<R>;
  /** Seed fields of `completed_stages` this result sets (e.g. video_count). */
  summarize?(result: R): Partial<CompletedStages>;
  /**
   * Return a reason to skip this stage (e.g. "precalibrated input: colmap model at …"),
   * or null to run it.
   */
  skipReason?(ctx: StageContext): string | null;
}
