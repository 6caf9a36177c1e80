import type { GaussianParams } from "../contracts/gaussians.js";
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { Logger } from "../contracts/logger.js";
import { InterruptedError, SplatbookError, oneLine } from "../util/errors.js";
import type { TrainingDataset, TrainingView } from "./dataset.js";
import { DEFAULT_DENSIFY, densify, resetOpacity } from "./densify.js";
import { psnr, ssim } from "./imageMetrics.js";
import { initFromPoints, initRandom } from "./init.js";
import { METRICS_FILENAME, writeMetrics, type MetricsRow } from "./metrics.js";
import { GROUND_TRUTH_FILE_NAME, previewFileName, writePng } from "./preview.js";
import { createRng, viewForStep } from "./rng.js";
import { createSchedule, densifyActions, learningRates, shDegreeAt } from "./schedule.js";
import { readSnapshot, writeSnapshot, type Snapshot } from "./snapshot.js";
import { TrainingStatusReporter, type TrainingStatusSink } from "./statusReporter.js";
import type { TrainingBackend } from "./types.js";

/** Settings of one training run (the CLI's and the stage's parameters). */
export interface TrainSettings {
  totalSteps: number;
  maxShDegree: number;
  maxSplats: number;
  seed: number;
  evalEvery: number;
  previewEvery: number;
  snapshotEvery: number;
  /** Write `export_<step>.ply` into `exportPath` every this many steps (0: never). */
  exportEvery: number;
  /** Long side the dataset was decoded at (recorded in the snapshot key). */
  maxResolution: number;
}

/** Everything the loop needs besides the settings. */
export interface TrainerDeps {
  dataset: TrainingDataset;
  backend: TrainingBackend;
  /** Output folder: metrics.arrow, previews/ and training/ (snapshot, final.ply) go here. */
  outputFolder: string;
  /** Folder for export_<step>.ply and the status file's `export_path` (default outputFolder). */
  exportPath?: string;
  /** Where training_status.json goes (null: no status file). */
  statusSink: TrainingStatusSink | null;
  jobId?: string;
  /** Writes a PLY in the INRIA layout (src/export). */
  writePly(path: string, params: GaussianParams): Promise<void>;
  signal?: AbortSignal;
  log?: Logger;
  /** Called after every step (progress bars, ctx.progress). */
  onStep?(p: { step: number; total: number; splats: number; loss: number | null }): void;
  /** Start fresh even if a matching snapshot exists. */
  fresh?: boolean;
  /** Test hook: called after each step with the loss read back (tests force NaN through it). */
  lossFilter?(step: number, loss: number): number;
}

export interface TrainResult {
  params_path: string;
  gaussian_count: number;
  psnr: number | null;
  ssim: number | null;
  steps: number;
  elapsed_secs: number;
  resumed_from_step: number;
}

const STATUS_EVERY = 5;
const silent: Logger = { info: () => {}, warn: () => {}, debug: () => {} };

/** Identifies runs a snapshot may resume: same settings, same dataset views. */
export function snapshotConfigKey(s: TrainSettings, d: TrainingDataset): string {
  const views = [...d.train, ...d.eval].map(
    (v) => `${v.name}:${v.camera.width}x${v.camera.height}`,
  );
  const key = [s.totalSteps, s.maxShDegree, s.maxSplats, s.seed, s.maxResolution, ...views];
  return createHash("sha256").update(JSON.stringify(key)).digest("hex").slice(0, 16);
}

/**
 * Runs (or resumes) training: the loop of forward/backward/Adam steps on the backend, with
 * densification, evaluation, previews, metrics, snapshots, periodic exports and the status file.
 */
export async function runTraining(
  settings: TrainSettings,
  deps: TrainerDeps,
): Promise<TrainResult> {
  const log = deps.log ?? silent;
  const { dataset, backend } = deps;
  const out = deps.outputFolder;
  const trainingDir = join(out, "training");
  const exportPath = deps.exportPath ?? out;
  const metricsPath = join(out, METRICS_FILENAME);
  const schedule = createSchedule(settings.totalSteps, settings.maxShDegree);
  const extent = dataset.sceneExtent;
  const configKey = snapshotConfigKey(settings, dataset);
  const status = new TrainingStatusReporter(
    deps.statusSink,
    { totalSteps: settings.totalSteps, exportPath, jobId: deps.jobId, metricsFile: metricsPath },
    (err) => log.warn(`cannot write the training status file: ${oneLine(err)}`),
  );
  if (dataset.train.length === 0) {
    throw new SplatbookError(`${dataset.source}: no training images after the hold-out split`);
  }
  // With a single image nothing is held out; evaluate on the training view then.
  const evalViews: TrainingView[] = dataset.eval.length ? dataset.eval : [dataset.train[0]!];
  const rng = createRng(settings.seed);
  const sessionStart = performance.now();
  let elapsedBefore = 0;
  let step = 0;
  let lastSnapshotStep = 0;
  let history: MetricsRow[] = [];
  let lossSum = 0;
  let lossCount = 0;
  let params: GaussianParams;
  let last: { psnr: number; ssim: number } | null = null;
  // Read the snapshot first so even the "starting" status shows the step a resume starts from.
  // An unreadable snapshot (e.g. from an older release) is reported and ignored, not fatal.
  const snap = deps.fresh
    ? null
    : await readSnapshot(trainingDir).catch((err: unknown) => {
        log.warn(`${oneLine(err)}; starting from step 0`);
        return null;
      });
  const resumable =
    snap && snap.meta.configKey === configKey && snap.meta.step <= settings.totalSteps
      ? snap
      : null;
  await status.update({
    status: "starting",
    current_iteration: resumable?.meta.step ?? 0,
    resumed_from_step: resumable?.meta.step ?? 0,
  });

  const elapsed = () => elapsedBefore + (performance.now() - sessionStart) / 1000;
  let sessionFirstStep = 0;
  const timing = () => {
    const done = step - sessionFirstStep;
    const secs = (performance.now() - sessionStart) / 1000;
    return { elapsedSecs: elapsed(), secsPerStep: done > 0 ? secs / done : null };
  };

  const snapshot = async () => {
    const p = await backend.getParams();
    p.shDegree = shDegreeAt(schedule, Math.max(0, step - 1));
    const snap: Snapshot = {
      meta: {
        step,
        totalSteps: settings.totalSteps,
        seed: settings.seed,
        rngState: rng.getState(),
        elapsedSecs: elapsed(),
        configKey,
        extra: { history, lossSum, lossCount, last },
      },
      params: p,
      adam: await backend.getAdamState(),
      densifyStats: await backend.densifyStats(),
    };
    await writeSnapshot(trainingDir, snap);
    lastSnapshotStep = step;
  };

  try {
    await backend.setTargets(dataset.train.map((v) => v.image));
    if (resumable) {
      const snap = resumable;
      step = snap.meta.step;
      lastSnapshotStep = step;
      elapsedBefore = snap.meta.elapsedSecs;
      rng.setState(snap.meta.rngState);
      const extra = snap.meta.extra as {
        history?: MetricsRow[];
        lossSum?: number;
        lossCount?: number;
        last?: { psnr: number; ssim: number } | null;
      };
      history = extra.history ?? [];
      lossSum = extra.lossSum ?? 0;
      lossCount = extra.lossCount ?? 0;
      last = extra.last ?? null;
      params = snap.params;
      await backend.setParams(params, snap.adam);
      if (backend.setDensifyStats) await backend.setDensifyStats(snap.densifyStats);
      log.info(`resuming training from the snapshot at step ${step}`);
    } else {
      if (snap)
        log.warn("the training snapshot was made with other settings; starting from step 0");
      params = initialParams(settings, dataset, rng);
      await backend.setParams(params);
      log.info(`initialised ${params.count} splats (scene extent ${extent.toFixed(3)})`);
    }
    sessionFirstStep = step;
    await status.update(
      {
        status: "training",
        current_iteration: step,
        resumed_from_step: step,
        current_splat_count: backend.count,
        last_eval_psnr: last?.psnr ?? null,
        last_eval_ssim: last?.ssim ?? null,
        psnr_history: history.map((r) => [r.step, r.psnr] as [number, number]),
      },
      timing(),
    );

    const evaluate = async (): Promise<void> => {
      await status.update({ status: "evaluating", current_iteration: step }, timing());
      const degree = shDegreeAt(schedule, step - 1);
      let ps = 0;
      let ss = 0;
      for (const v of evalViews) {
        const img = await backend.render(v.camera, degree);
        ps += psnr(img, v.image);
        ss += ssim(img, v.image);
      }
      last = { psnr: ps / evalViews.length, ssim: ss / evalViews.length };
      history.push({
        step,
        loss: lossCount ? lossSum / lossCount : NaN,
        psnr: last.psnr,
        ssim: last.ssim,
        splat_count: backend.count,
        elapsed_secs: elapsed(),
        position_lr: learningRates(schedule, step - 1, extent).means,
      });
      lossSum = 0;
      lossCount = 0;
      await writeMetrics(metricsPath, history);
      log.info(`step ${step}: PSNR ${last.psnr.toFixed(2)} dB, SSIM ${last.ssim.toFixed(4)}`);
      await status.update(
        {
          status: "training",
          last_eval_psnr: last.psnr,
          last_eval_ssim: last.ssim,
          current_splat_count: backend.count,
          psnr_history: history.map((r) => [r.step, r.psnr] as [number, number]),
        },
        timing(),
      );
    };

    let groundTruthWritten = false;
    const writePreview = async (): Promise<void> => {
      const file = join(out, "previews", previewFileName(step));
      await writePng(
        file,
        await backend.render(evalViews[0]!.camera, shDegreeAt(schedule, step - 1)),
      );
      if (!groundTruthWritten) {
        await writePng(join(out, "previews", GROUND_TRUTH_FILE_NAME), evalViews[0]!.image);
        groundTruthWritten = true;
      }
      await status.update({ preview_file: file }, timing());
    };

    const exportPly = async (file: string, statusName: string): Promise<void> => {
      await status.update({ status: "exporting", current_export_file: statusName }, timing());
      const p = await backend.getParams();
      p.shDegree = shDegreeAt(schedule, Math.max(0, step - 1));
      await deps.writePly(file, p);
    };

    while (step < settings.totalSteps) {
      if (deps.signal?.aborted) {
        await snapshot();
        const reason: unknown = deps.signal.reason;
        throw reason instanceof InterruptedError ? reason : new InterruptedError();
      }
      const viewIndex = viewForStep(settings.seed, step, dataset.train.length);
      const view = dataset.train[viewIndex]!;
      const readLoss = (step + 1) % STATUS_EVERY === 0 || step + 1 === settings.totalSteps;
      const stats = await backend.step({
        camera: view.camera,
        targetIndex: viewIndex,
        lr: learningRates(schedule, step, extent),
        shDegree: shDegreeAt(schedule, step),
        readLoss,
      });
      let loss: number | null = null;
      if (readLoss && stats.loss !== undefined) {
        loss = deps.lossFilter ? deps.lossFilter(step, stats.loss) : stats.loss;
        if (!Number.isFinite(loss)) {
          throw new SplatbookError(
            `non-finite loss (${loss}) at step ${step + 1} on view ${view.name}; ` +
              `training stopped, last snapshot at step ${lastSnapshotStep} kept`,
          );
        }
        lossSum += loss;
        lossCount++;
      }
      step++;

      const act = densifyActions(schedule, step);
      if (act.refine || act.resetOpacity) await refine(act.refine, act.resetOpacity);
      deps.onStep?.({ step, total: settings.totalSteps, splats: backend.count, loss });

      if (step % settings.evalEvery === 0 || step === settings.totalSteps) await evaluate();
      if (settings.previewEvery > 0 && step % settings.previewEvery === 0) await writePreview();
      if (settings.exportEvery > 0 && step % settings.exportEvery === 0) {
        const name = `export_${String(step).padStart(5, "0")}.ply`;
        await exportPly(join(exportPath, name), name);
        await status.update({ status: "training" }, timing());
      }
      if (settings.snapshotEvery > 0 && step % settings.snapshotEvery === 0) await snapshot();
      if (step % STATUS_EVERY === 0) {
        await status.update(
          { status: "training", current_iteration: step, current_splat_count: backend.count },
          timing(),
        );
      }
    }

    // A resumed run that was already finished still needs its evaluation.
    if (last === null) await evaluate();
    const finalPath = join(trainingDir, "final.ply");
    await exportPly(finalPath, "training/final.ply");
    const result: TrainResult = {
      params_path: finalPath,
      gaussian_count: backend.count,
      psnr: last!.psnr,
      ssim: last!.ssim,
      steps: step,
      elapsed_secs: elapsed(),
      resumed_from_step: sessionFirstStep,
    };
    await status.update(
      { status: "completed", current_iteration: step, current_splat_count: backend.count },
      timing(),
    );
    return result;
  } catch (err) {
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
    await status.update(
      { status: "error", error_message: message, current_iteration: step },
      timing(),
    );
    throw failure;
  } finally {
    await status.flush();
  }

  async function refine(grow: boolean, reset: boolean): Promise<void> {
    let p = await backend.getParams();
    let adam = await backend.getAdamState();
    if (grow) {
      const firstResetDone = step > schedule.opacityResetEvery;
      const longSide = Math.max(
        ...dataset.train.map((v) => Math.max(v.camera.width, v.camera.height)),
      );
      const r = densify(
        p,
        adam,
        await backend.densifyStats(),
        {
          gradThreshold: DEFAULT_DENSIFY.gradThreshold,
          percentDense: DEFAULT_DENSIFY.percentDense,
          sceneExtent: extent,
          pruneOpacity: DEFAULT_DENSIFY.pruneOpacity,
          // Oversized splats are pruned only after the first opacity reset (3DGS).
          pruneWorldScale: firstResetDone ? DEFAULT_DENSIFY.pruneWorldScale : undefined,
          pruneScreenRadiusPx: firstResetDone ? 0.15 * longSide : undefined,
          maxSplats: settings.maxSplats,
        },
        rng,
      );
      p = r.params;
      adam = r.adam;
      log.debug(
        `step ${step}: +${r.cloned} cloned, ${r.split} split, −${r.pruned} pruned → ${p.count}`,
      );
    }
    if (reset) resetOpacity(p, adam);
    await backend.setParams(p, adam);
    await backend.resetDensifyStats();
  }
}

function initialParams(s: TrainSettings, d: TrainingDataset, rng: ReturnType<typeof createRng>) {
  if (d.points.count > 0) {
    return initFromPoints(
      d.points.xyz,
      d.points.rgb,
      d.points.count,
      s.maxShDegree,
      s.maxSplats,
      rng,
    );
  }
  const n = Math.min(s.maxSplats, 10000);
  return initRandom(n, d.sceneCenter, d.sceneExtent, s.maxShDegree, rng);
}
