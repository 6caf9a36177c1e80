import { join } from "node:path";
import type { GaussianParams } from "../contracts/gaussians.js";
import type { Logger } from "../contracts/logger.js";
import { InterruptedError, SplatbookError, oneLine } from "../util/errors.js";
import type { TrainingDataset } from "./dataset.js";
import { createEvaluator } from "./evaluation.js";
import { RANDOM_INIT_SPLATS, initFromPoints, initRandom } from "./init.js";
import { METRICS_FILENAME } from "./metrics.js";
import { createOutputs } from "./outputs.js";
import { createRefiner } from "./refine.js";
import { findResumableSnapshot, trainingDataFingerprint } from "./resume.js";
import { createRng, type Rng } from "./rng.js";
import { RunProgress } from "./runProgress.js";
import { createSchedule, learningRates, shDegreeAt } from "./schedule.js";
import { createSnapshotWriter } from "./snapshotWriter.js";
import { TrainingStatusReporter, type TrainingStatusSink } from "./statusReporter.js";
import type { TrainingResult } from "../contracts/stageResults.js";
import type { AntiAliaser, Appearance, RunContext, RunSettings } from "./runContext.js";
import type { TrainingBackend } from "./types.js";
import { viewForStep } from "./rng.js";
import { writeViewCameras } from "./viewCameras.js";
import { createAppearance } from "./appearance.js";
import { createAntiAliaser } from "./antiAliasing.js";
import { buildPyramid, coarseLevels, levelAt } from "./pyramid.js";

/** Everything the loop needs besides the settings. */
export interface TrainerDeps {
  dataset: TrainingDataset;
  backend: TrainingBackend;
  /** Output folder: metrics.arrow, previews/ and training/ (snapshot, final.ply) go here. */
  outputFolder: string;
  /** Folder for export_<step>.ply and the status file's `export_path` (default outputFolder). */
  exportPath?: string;
  /** Write `export_<step>.ply` into `exportPath` every this many steps (default 0: never). */
  exportEvery?: number;
  /** Where training_status.json goes (null: no status file). */
  statusSink: TrainingStatusSink | null;
  jobId?: string;
  /** Writes a PLY in the INRIA layout (src/export's writer, passed in by the composing layer). */
  writePly(path: string, params: GaussianParams): Promise<void>;
  signal?: AbortSignal;
  log?: Logger;
  /** Called after every step (progress bars, ctx.progress). */
  onStep?(p: { step: number; total: number; splats: number; loss: number | null }): void;
  /** Start fresh even if a matching snapshot exists. */
  fresh?: boolean;
}

/** The loss is read back (one small asynchronous copy) and the status file written this often. */
const STATUS_EVERY = 5;
const silent: Logger = { info: () => {}, warn: () => {}, debug: () => {} };

/**
 * Runs (or resumes) training: forward/backward/Adam steps on the backend, with densification
 * (the refiner), held-out evaluation, previews, periodic exports, snapshots and the status file,
 * each a collaborator called after the step it is due at.
 */
export async function runTraining(
  settings: RunSettings,
  deps: TrainerDeps,
): Promise<TrainingResult> {
  const ctx = runContext(settings, deps);
  const { dataset, backend, status } = ctx;
  if (dataset.train.length === 0) {
    throw new SplatbookError(`${dataset.source}: no training images after the hold-out split`);
  }
  const progress = new RunProgress();
  const rng = createRng(settings.seed);
  const snapshots = createSnapshotWriter(ctx, progress, rng);
  const evaluator = createEvaluator(ctx, progress);
  const outputs = createOutputs(ctx, progress, deps.writePly);
  const refiner = createRefiner(ctx);
  try {
    await start(ctx, progress, rng, deps.fresh);
    while (progress.step < settings.steps) {
      if (deps.signal?.aborted) {
        await snapshots.save();
        const reason: unknown = deps.signal.reason;
        throw reason instanceof InterruptedError ? reason : new InterruptedError();
      }
      const loss = await trainStep(ctx, progress);
      await refiner.afterStep(progress.step);
      await ctx.antiAliaser.afterStep(progress.step);
      deps.onStep?.({
        step: progress.step,
        total: settings.steps,
        splats: backend.count,
        loss,
      });
      await evaluator.afterStep(progress.step);
      await outputs.afterStep(progress.step);
      await snapshots.afterStep(progress.step);
      if (progress.step % STATUS_EVERY === 0) await reportStep(ctx, progress);
    }
    // The PSNR reported is always that of the exported model.
    if (progress.last?.step !== progress.step) await evaluator.evaluate();
    const finalPath = await outputs.exportFinal();
    await status.update(
      { status: "completed", current_iteration: progress.step, current_splat_count: backend.count },
      progress.timing(),
    );
    return {
      params_path: finalPath,
      gaussian_count: backend.count,
      psnr: progress.last!.psnr,
      psnr_fitted: progress.last!.psnrFitted ?? null,
      ssim: progress.last!.ssim,
      steps: progress.step,
      elapsed_secs: progress.elapsed(),
      resumed_from_step: progress.sessionFirstStep,
    };
  } catch (err) {
    throw await reportFailure(ctx, progress, err);
  } finally {
    await status.flush();
  }
}

function runContext(settings: RunSettings, deps: TrainerDeps): RunContext {
  const log = deps.log ?? silent;
  const exportPath = deps.exportPath ?? deps.outputFolder;
  const longSide = Math.max(
    1,
    ...deps.dataset.train.map((v) => Math.max(v.camera.width, v.camera.height)),
  );
  const coarse = settings.resolutionSchedule === "coarse-to-fine" ? coarseLevels(longSide) : 0;
  const ctx: RunContext = {
    settings,
    levels: buildPyramid(deps.dataset.train, coarse),
    // Collaborators that need the finished context are created below.
    appearance: undefined as unknown as Appearance,
    antiAliaser: undefined as unknown as AntiAliaser,
    dataset: deps.dataset,
    backend: deps.backend,
    schedule: createSchedule(settings.steps, settings.shDegree, settings.learningRates),
    log,
    outputFolder: deps.outputFolder,
    trainingDir: join(deps.outputFolder, "training"),
    exportPath,
    exportEvery: deps.exportEvery ?? 0,
    status: new TrainingStatusReporter(
      deps.statusSink,
      {
        totalSteps: settings.steps,
        exportPath,
        jobId: deps.jobId,
        metricsFile: join(deps.outputFolder, METRICS_FILENAME),
      },
      (err) => log.warn(`cannot write the training status file: ${oneLine(err)}`),
    ),
  };
  ctx.appearance = createAppearance(ctx);
  ctx.antiAliaser = createAntiAliaser(ctx);
  return ctx;
}

/**
 * Uploads the targets and either restores the matching snapshot or initialises the splats; the
 * "starting" status already shows the step a resume starts from.
 */
async function start(ctx: RunContext, progress: RunProgress, rng: Rng, fresh?: boolean) {
  const { backend, dataset, settings, status, log } = ctx;
  const snap = await findResumableSnapshot(
    ctx.trainingDir,
    settings,
    trainingDataFingerprint(dataset),
    { fresh, log },
  );
  const from = snap?.meta.step ?? 0;
  await status.update({ status: "starting", current_iteration: from, resumed_from_step: from });
  await backend.setTargets(ctx.levels.flat().map((v) => v.image));
  await writeViewCameras(ctx.outputFolder, dataset);
  if (snap) {
    progress.restore(snap.meta.step, snap.meta.elapsedSecs, snap.meta.extra);
    rng.setState(snap.meta.rngState);
    await backend.setParams(snap.params, snap.adam);
    await backend.setDensifyStats(snap.densifyStats);
    log.info(`resuming training from the snapshot at step ${from}`);
  } else {
    const params = initialParams(settings, dataset, rng);
    await backend.setParams(params);
    log.info(`initialised ${params.count} splats (scene extent ${dataset.sceneExtent.toFixed(3)})`);
  }
  await ctx.appearance.start(snap?.arrays);
  await ctx.antiAliaser.start(snap?.arrays?.filter3d);
  await status.update(
    {
      status: "training",
      current_iteration: from,
      resumed_from_step: from,
      current_splat_count: backend.count,
      last_eval_psnr: progress.last?.psnr ?? null,
      last_eval_ssim: progress.last?.ssim ?? null,
      psnr_history: progress.psnrHistory(),
    },
    progress.timing(),
  );
}

/** One optimisation step on the step's view; returns the loss when it was read back. */
async function trainStep(ctx: RunContext, progress: RunProgress): Promise<number | null> {
  const { settings, dataset, schedule } = ctx;
  const step = progress.step;
  const viewIndex = viewForStep(settings.seed, step, dataset.train.length);
  const level = levelAt(step, settings.steps, ctx.levels.length - 1, settings.coarseShare);
  const view = ctx.levels[level]![viewIndex]!;
  const readLoss = (step + 1) % STATUS_EVERY === 0 || step + 1 === settings.steps;
  const stats = await ctx.backend.step({
    camera: view.camera,
    targetIndex: level * dataset.train.length + viewIndex,
    lr: learningRates(schedule, step, dataset.sceneExtent),
    shDegree: shDegreeAt(schedule, step),
    readLoss,
    appearance: ctx.appearance.stepArgs(step, viewIndex),
  });
  const loss = readLoss && stats.loss !== undefined ? stats.loss : null;
  if (loss !== null) {
    if (!Number.isFinite(loss)) {
      throw new SplatbookError(
        `non-finite loss (${loss}) at step ${step + 1} on view ${view.name}; ` +
          `training stopped, last snapshot at step ${progress.lastSnapshotStep} kept`,
      );
    }
    progress.addLoss(loss);
  }
  progress.step++;
  return loss;
}

async function reportStep(ctx: RunContext, progress: RunProgress): Promise<void> {
  await ctx.status.update(
    {
      status: "training",
      current_iteration: progress.step,
      current_splat_count: ctx.backend.count,
    },
    progress.timing(),
  );
}

/** Records the failure in the status file and returns the error to throw. */
async function reportFailure(
  ctx: RunContext,
  progress: RunProgress,
  err: unknown,
): Promise<SplatbookError> {
  const { step, lastSnapshotStep } = progress;
  const interrupted = err instanceof InterruptedError;
  const failure =
    interrupted || err instanceof SplatbookError
      ? (err as SplatbookError)
      : new SplatbookError(
          `training failed at step ${step}: ${oneLine(err)} (last snapshot at step ${lastSnapshotStep} kept)`,
          { cause: err },
        );
  const message = interrupted
    ? `interrupted at step ${step}; resume continues from the snapshot at step ${lastSnapshotStep}`
    : oneLine(failure);
  await ctx.status.update(
    { status: "error", error_message: message, current_iteration: step },
    progress.timing(),
  );
  return failure;
}

function initialParams(s: RunSettings, d: TrainingDataset, rng: Rng): GaussianParams {
  if (d.points.count > 0) {
    return initFromPoints(d.points.xyz, d.points.rgb, d.points.count, s.shDegree, s.maxSplats, rng);
  }
  const n = Math.min(s.maxSplats, RANDOM_INIT_SPLATS);
  return initRandom(n, d.sceneCenter, d.sceneExtent, s.shDegree, rng);
}
