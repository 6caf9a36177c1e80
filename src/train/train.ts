import { join, resolve } from "node:path";
import { TRAINING_STATUS_FILENAME } from "../contracts/trainingStatus.js";
import type { Logger } from "../contracts/logger.js";
import type { GaussianParams } from "../contracts/gaussians.js";
import { SplatbookError, oneLine } from "../util/errors.js";
import { buildTrainingDataset, type SceneModelInput, type TrainingDataset } from "./dataset.js";
import { createReferenceTrainingBackend } from "./referenceBackend.js";
import { createTrainingStatusWriter } from "../status/trainingStatusWriter.js";
import { TrainingStatusReporter } from "./statusReporter.js";
import type { TrainingPlan } from "./plan.js";
import { resolvePlan } from "./planning.js";
import type { TrainSettings } from "../contracts/params.js";
import type { TrainingResult } from "../contracts/stageResults.js";
import type { RunSettings } from "./runContext.js";
import { runTraining } from "./trainer.js";
import type { TrainingBackend } from "./types.js";

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

/** One training run: its settings, its data, and where its outputs go. */
export interface TrainOptions {
  /**
   * The Training parameters resolved by their schema (`TrainingParamsSchema`): defaults are
   * filled in and ranges checked before a run starts, by the engine or `splatbook train`.
   */
  settings: TrainSettings;
  /** A COLMAP model folder (bin or txt; `sparse/0` etc. are found), or a transforms.json. */
  dataset: string;
  io: TrainingIo;
  /** metrics.arrow, previews/, training/ (snapshot, final.ply) are written here. */
  outputFolder: string;
  /** Folder for export_<step>.ply files and the status file (default: outputFolder). */
  exportPath?: string;
  /** Write `export_<step>.ply` into `exportPath` every this many steps (default 0: never). */
  exportEvery?: number;
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
  /**
   * A plan made beforehand, used as it is instead of the request's (benchmarks compare plans
   * made from one step-time measurement).
   */
  plan?: TrainingPlan;
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

/** What `train` has once the data, the backend and the plan are ready. */
interface Prepared {
  settings: RunSettings;
  dataset: TrainingDataset;
  backend: TrainingBackend;
  plan: TrainingPlan;
}

/**
 * Trains a model on a dataset (resuming from `<outputFolder>/training/snapshot.bin` when its
 * settings and data match) and writes `<outputFolder>/training/final.ply`.
 */
export async function train(opts: TrainOptions): Promise<TrainingResult> {
  const out = resolve(opts.outputFolder);
  const exportPath = resolve(opts.exportPath ?? out);
  const statusName =
    opts.statusFilename === undefined ? TRAINING_STATUS_FILENAME : opts.statusFilename;
  const statusPath = statusName === null ? null : join(exportPath, statusName);
  let ready: Prepared;
  try {
    ready = await prepare(opts, join(out, "training"));
  } catch (err) {
    // Watchers of the status file learn about a failure before the first step too.
    if (statusPath) {
      await new TrainingStatusReporter(createTrainingStatusWriter(statusPath), {
        totalSteps: opts.settings.steps ?? 0,
        exportPath,
        jobId: opts.jobId,
      }).update({ status: "error", error_message: oneLine(err) });
    }
    throw err;
  }
  const { settings, dataset, backend, plan } = ready;
  try {
    const result = await runTraining(settings, {
      dataset,
      backend,
      outputFolder: out,
      exportPath,
      exportEvery: opts.exportEvery ?? 0,
      statusSink: statusPath === null ? null : createTrainingStatusWriter(statusPath),
      jobId: opts.jobId,
      writePly: opts.io.writePly,
      signal: opts.signal,
      log: opts.log,
      onStep: opts.onStep,
      fresh: opts.fresh,
    });
    return { ...result, max_resolution: plan.maxResolution, plan: plan.reason };
  } finally {
    // A backend the caller passed in is the caller's to destroy.
    if (!opts.backend) backend.destroy();
  }
}

/** Reads the scene, opens the backend, makes the plan and decodes the dataset at its size. */
async function prepare(opts: TrainOptions, trainingDir: string): Promise<Prepared> {
  const { settings: given } = opts;
  const model = await opts.io.loadScene(opts.dataset);
  const backend = opts.backend ?? (await createDefaultBackend(opts.log));
  try {
    opts.log?.info(`training on ${backend.adapterDescription}`);
    const plan =
      opts.plan ??
      (await resolvePlan(
        {
          steps: given.steps,
          maxResolution: given.maxResolution,
          timeBudget: given.timeBudget,
          resolutionSchedule: given.resolutionSchedule,
        },
        {
          model,
          source: opts.dataset,
          backend,
          trainingDir,
          shDegree: given.shDegree,
          maxSplats: given.maxSplats,
          log: opts.log,
          signal: opts.signal,
        },
      ));
    const settings: RunSettings = {
      ...given,
      steps: plan.steps,
      maxResolution: plan.maxResolution,
      coarseShare: plan.coarseShare,
    };
    const dataset = await buildTrainingDataset(model, opts.dataset, {
      maxResolution: plan.maxResolution,
      signal: opts.signal,
      warn: (m) => opts.log?.warn(m),
    });
    opts.log?.info(
      `dataset ${opts.dataset}: ${dataset.train.length} training and ${dataset.eval.length} held-out views, ` +
        `${dataset.train[0]?.camera.width}×${dataset.train[0]?.camera.height} px, ${dataset.points.count} points`,
    );
    return { settings, dataset, backend, plan };
  } catch (err) {
    if (!opts.backend) backend.destroy();
    throw err;
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
