/**
 * The settings of one training run and what the loop's collaborators (evaluation, outputs,
 * refinement, snapshots, resume) share. A module of its own, below the trainer that composes
 * them, so the collaborators never import the trainer.
 */
import type { Logger } from "../contracts/logger.js";
import type { TrainSettings } from "../contracts/params.js";
import type { TrainingDataset } from "./dataset.js";
import type { TrainingPlan } from "./plan.js";
import type { TrainingSchedule } from "./schedule.js";
import type { TrainingStatusReporter } from "./statusReporter.js";
import type { TrainingBackend } from "./types.js";

/**
 * The settings of one run: the Training parameters (`TrainSettings`, the schema's names) with
 * the plan's run length and resolution filled in.
 */
export type RunSettings = TrainSettings & Pick<TrainingPlan, "steps" | "maxResolution">;

/** What every collaborator of one run shares (fixed for the run). */
export interface RunContext {
  settings: RunSettings;
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
