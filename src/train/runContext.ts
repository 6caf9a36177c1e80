/**
 * The settings of one training run and what the loop's collaborators (evaluation, outputs,
 * refinement, snapshots, resume) share. A module of its own, below the trainer that composes
 * them, so the collaborators never import the trainer.
 */
import type { Logger } from "../contracts/logger.js";
import type { GaussianParams } from "../contracts/gaussians.js";
import type { TrainingDataset, TrainingView } from "./dataset.js";
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
  /** Per-image appearance compensation: an affine colour transform per view, or none. */
  appearance: "affine" | "off";
  /** Mip-Splatting anti-aliasing (3D filter baked into exports, 2D compensation), or none. */
  antiAliasing: "mip" | "off";
  /** Early steps at a fraction of the final resolution (pyramid.ts), or all at the final one. */
  resolutionSchedule: "coarse-to-fine" | "fixed";
  /** Densification: classic 3DGS rounds, or with relocation, opacity decay and noise (refine.ts). */
  densification: "classic" | "relocate";
}

/** What every collaborator of one run shares (fixed for the run). */
export interface RunContext {
  settings: TrainSettings;
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
}
