import { join, resolve } from "node:path";
import { TRAINING_STATUS_FILENAME } from "../contracts/trainingStatus.js";
import type { Logger } from "../contracts/logger.js";
import type { GaussianParams } from "../contracts/gaussians.js";
import { SplatbookError, oneLine } from "../util/errors.js";
import { buildTrainingDataset, type SceneModelInput, type TrainingDataset } from "./dataset.js";
import { createReferenceTrainingBackend } from "./referenceBackend.js";
import { createTrainingStatusWriter } from "../status/trainingStatusWriter.js";
import { TrainingStatusReporter } from "./statusReporter.js";
import { runTraining, type TrainResult, type TrainSettings } from "./trainer.js";
import type { TrainingBackend } from "./types.js";

/**
 * Default training settings, shared by `splatbook train`, `process` and the notebook API.
 * They are sized for this project's reference machine (2 CPU cores, lavapipe): 3000 steps at a
 * 160 px long side. On a real GPU raise `maxResolution` and `totalSteps`.
 */
export const TRAIN_DEFAULTS: TrainSettings = {
  totalSteps: 3000,
  maxResolution: 160,
  maxShDegree: 3,
  maxSplats: 200_000,
  seed: 42,
  evalEvery: 500,
  previewEvery: 500,
  snapshotEvery: 500,
  exportEvery: 0,
};

/**
 * What training needs from the stages around it. Stage areas do not import each other, so the
 * composing layer (the engine's stage table, the CLI) passes src/sfm's reader and src/export's
 * writer.
 */
export interface TrainingIo {
  /** Reads a COLMAP model folder (bin or txt; `sparse/0` etc. are found) or a transforms.json. */
  loadScene(path: string): Promise<SceneModelInput>;
  /** Writes a PLY in the INRIA layout, atomically. */
  writePly(path: string, params: GaussianParams): Promise<void>;
}

export interface TrainOptions extends Partial<TrainSettings> {
  /** A COLMAP model folder (bin or txt; `sparse/0` etc. are found), or a transforms.json. */
  dataset: string;
  io: TrainingIo;
  /** metrics.arrow, previews/, training/ (snapshot, final.ply) are written here. */
  outputFolder: string;
  /** Folder for export_<step>.ply files and the status file (default: outputFolder). */
  exportPath?: string;
  /** Status file name inside exportPath (default training_status.json); null: none. */
  statusFilename?: string | null;
  jobId?: string;
  /** Defaults to the WebGPU backend; tests pass the CPU reference backend. */
  backend?: TrainingBackend;
  signal?: AbortSignal;
  log?: Logger;
  onStep?(p: { step: number; total: number; splats: number; loss: number | null }): void;
  /** Ignore an existing snapshot. */
  fresh?: boolean;
}

/** Loads and decodes the dataset for training. */
export async function loadTrainingDataset(
  path: string,
  opts: { io: TrainingIo; maxResolution: number; signal?: AbortSignal; log?: Logger },
): Promise<TrainingDataset> {
  const model = await opts.io.loadScene(path);
  return buildTrainingDataset(model, path, {
    maxResolution: opts.maxResolution,
    signal: opts.signal,
    warn: (m) => opts.log?.warn(m),
  });
}

/**
 * Trains a model on a dataset (resuming from `<outputFolder>/training/snapshot.bin` when its
 * settings match) and writes `<outputFolder>/training/final.ply`.
 */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const settings: TrainSettings = { ...TRAIN_DEFAULTS };
  for (const k of Object.keys(TRAIN_DEFAULTS) as (keyof TrainSettings)[]) {
    const value = opts[k];
    if (value !== undefined) settings[k] = value;
  }
  validateSettings(settings);
  const out = resolve(opts.outputFolder);
  const exportPath = resolve(opts.exportPath ?? out);
  const statusName =
    opts.statusFilename === undefined ? TRAINING_STATUS_FILENAME : opts.statusFilename;
  const statusPath = statusName === null ? null : join(exportPath, statusName);
  let dataset: TrainingDataset;
  let backend: TrainingBackend;
  try {
    dataset = await loadTrainingDataset(opts.dataset, {
      io: opts.io,
      maxResolution: settings.maxResolution,
      signal: opts.signal,
      log: opts.log,
    });
    backend = opts.backend ?? (await createDefaultBackend(opts.log));
  } catch (err) {
    // Watchers of the status file learn about a failure before the first step too.
    if (statusPath) {
      await new TrainingStatusReporter(createTrainingStatusWriter(statusPath), {
        totalSteps: settings.totalSteps,
        exportPath,
        jobId: opts.jobId,
      }).update({ status: "error", error_message: oneLine(err) });
    }
    throw err;
  }
  opts.log?.info(
    `dataset ${opts.dataset}: ${dataset.train.length} training and ${dataset.eval.length} held-out views, ` +
      `${dataset.train[0]?.camera.width}×${dataset.train[0]?.camera.height} px, ${dataset.points.count} points`,
  );
  opts.log?.info(`training on ${backend.adapterDescription}`);
  try {
    return await runTraining(settings, {
      dataset,
      backend,
      outputFolder: out,
      exportPath,
      statusSink: statusPath === null ? null : createTrainingStatusWriter(statusPath),
      jobId: opts.jobId,
      writePly: opts.io.writePly,
      signal: opts.signal,
      log: opts.log,
      onStep: opts.onStep,
      fresh: opts.fresh,
    });
  } finally {
    // A backend the caller passed in is the caller's to destroy.
    if (!opts.backend) backend.destroy();
  }
}

/**
 * The WebGPU backend, or the CPU float64 reference when SPLATBOOK_TRAIN_BACKEND=reference (tiny
 * scenes only: tests and debugging of the GPU path against the reference).
 */
async function createDefaultBackend(log?: Logger): Promise<TrainingBackend> {
  const choice = process.env.SPLATBOOK_TRAIN_BACKEND;
  if (choice === "reference") return createReferenceTrainingBackend();
  if (choice && choice !== "gpu") {
    throw new SplatbookError(
      `SPLATBOOK_TRAIN_BACKEND must be "gpu" or "reference", got "${choice}"`,
    );
  }
  return (await loadGpuBackendModule()).createGpuTrainingBackend({ log });
}

/** What src/train/gpu exports (loaded lazily so commands that do not train never load Dawn). */
interface GpuBackendModule {
  createGpuTrainingBackend(opts: { log?: Logger }): Promise<TrainingBackend>;
}

async function loadGpuBackendModule(): Promise<GpuBackendModule> {
  const specifier = "./gpu/index.js";
  try {
    return (await import(specifier)) as GpuBackendModule;
  } catch (err) {
    throw new SplatbookError(`the WebGPU training backend could not be loaded: ${oneLine(err)}`, {
      cause: err,
    });
  }
}

function validateSettings(s: TrainSettings): void {
  const positive = ["totalSteps", "maxResolution", "maxSplats", "evalEvery"] as const;
  for (const k of positive) {
    if (!Number.isInteger(s[k]) || s[k] <= 0) {
      throw new SplatbookError(`training setting ${k} must be a positive integer, got ${s[k]}`);
    }
  }
  for (const k of ["previewEvery", "snapshotEvery", "exportEvery", "seed"] as const) {
    if (!Number.isInteger(s[k]) || s[k] < 0) {
      throw new SplatbookError(`training setting ${k} must be a non-negative integer, got ${s[k]}`);
    }
  }
  if (!Number.isInteger(s.maxShDegree) || s.maxShDegree < 0 || s.maxShDegree > 3) {
    throw new SplatbookError(`training setting maxShDegree must be 0..3, got ${s.maxShDegree}`);
  }
}
