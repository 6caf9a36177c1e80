/**
 * The settings of one training run and what the loop's collaborators (evaluation, outputs,
 * refinement, snapshots, resume) share. A module of its own, below the trainer that composes
 * them, so the collaborators never import the trainer.
 */
import type { Logger } from "../contracts/logger.js";
import type { TrainingDataset } from "./dataset.js";
import type { TrainingSchedule } from "./schedule.js";
import type { TrainingStatusReporter } from "./statusReporter.js";
import type { TrainingBackend } from "./types.js";

/** Settings of one training run (the CLI's and the stage's parameters). */
export interface TrainSettings {
  totalSteps: number;
  maxShDegree: number;
  maxSplats: number;
  seed: number;
  /** Evaluate on the held-out views every this many steps (0: only at the end). */
  evalEvery: number;
  previewEvery: number;
  snapshotEvery: number;
  /** Write `export_<step>.ply` into `exportPath` every this many steps (0: never). */
  exportEvery: number;
  /** Long side the dataset was decoded at (recorded in the snapshot key). */
  maxResolution: number;
}

/** What every collaborator of one run shares (fixed for the run). */
export interface RunContext {
  settings: TrainSettings;
  dataset: TrainingDataset;
  backend: TrainingBackend;
  schedule: TrainingSchedule;
  status: TrainingStatusReporter;
  log: Logger;
  outputFolder: string;
  trainingDir: string;
  exportPath: string;
}
