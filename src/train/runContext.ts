/**
 * The settings of one training run and what the loop's collaborators (evaluation, outputs,
 * refinement, snapshots, resume) share. A module of its own, below the trainer that composes
 * them, so the collaborators never import the trainer.
 */
import type { Logger } from "../contracts/logger.js";
import type { GaussianParams } from "../contracts/gaussians.js";
import type { TrainSettings } from "../contracts/params.js";
import type { TrainingDataset, TrainingView } from "./dataset.js";
import type { TrainingPlan } from "./plan.js";
import type { TrainingSchedule } from "./schedule.js";
import type { TrainingStatusReporter } from "./statusReporter.js";
import type { AppearanceStep, TrainingBackend } from "./types.js";

/** The run's per-view appearance transforms (appearance.ts); a no-op when turned off. */
export interface Appearance {
  start(saved?: Record<string, Float32Array>): Promise<void>;
  /** The appearance work of the step on training view `view`, if any. */
  stepArgs(step: number, view: number): AppearanceStep | undefined;
  /** The state a snapshot keeps. */
  arrays(): Promise<Record<string, Float32Array>>;
}

/** The run's anti-aliasing (antiAliasing.ts); a no-op when turned off. */
export interface AntiAliaser {
  /** At the start: the snapshot's 3D filter, or a new one. */
  start(saved?: Float32Array): Promise<void>;
  afterStep(step: number): Promise<void>;
  /** The state a snapshot keeps. */
  arrays(): Record<string, Float32Array>;
  /** What exports write: the filter baked in. */
  bake(params: GaussianParams): GaussianParams;
}

/**
 * The settings of one run: the Training parameters (`TrainSettings`, the schema's names) with
 * the plan's run length and resolution filled in, and its coarse share (default: pyramid.ts's
 * COARSE_SHARE).
 */
export type RunSettings = TrainSettings &
  Pick<TrainingPlan, "steps" | "maxResolution"> &
  Partial<Pick<TrainingPlan, "coarseShare">>;

/** What every collaborator of one run shares (fixed for the run). */
export interface RunContext {
  settings: RunSettings;
  /** The training views at each level of the resolution schedule (0: final resolution). */
  levels: TrainingView[][];
  /** Per-view appearance transforms and the 3D filter, each a no-op when turned off. */
  appearance: Appearance;
  antiAliaser: AntiAliaser;
  dataset: TrainingDataset;
  backend: TrainingBackend;
  schedule: TrainingSchedule;
  status: TrainingStatusReporter;
  log: Logger;
  outputFolder: string;
  trainingDir: string;
  exportPath: string;
  /** Write `export_<step>.ply` into `exportPath` every this many steps (0: never). */
  exportEvery: number;
}
