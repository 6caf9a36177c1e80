import type { StageContext, StageDefinition } from "../contracts/stage.js";
import { join } from "node:path";
import { TRAINING_STATUS_FILENAME } from "../contracts/trainingStatus.js";
import { markTrainingStatusError } from "../status/trainingStatusWriter.js";
import { SplatbookError } from "../util/errors.js";
import { TRAIN_DEFAULTS, train, type TrainOptions, type TrainingIo } from "./train.js";
import type { TrainResult } from "./trainer.js";
import type { TrainingBackend } from "./types.js";

/** The Training stage's result, recorded in the checkpoint (PlyExport reads `params_path`). */
export type TrainingStageResult = TrainResult;

/**
 * Training settings from the job parameters, defaults filled in; the run length and resolution
 * stay unset unless given (the plan chooses them from the adapter and `timeBudget`).
 */
export function trainingSettings(
  ctx: Pick<StageContext, "params">,
): Omit<TrainOptions, "dataset" | "io" | "outputFolder"> {
  const p = ctx.params;
  const num = (v: unknown) => (typeof v === "number" ? v : undefined);
  const pick = (v: unknown, d: number) => num(v) ?? d;
  return {
    totalSteps: num(p.steps),
    maxResolution: num(p.maxResolution),
    timeBudget: num(p.timeBudget),
    maxShDegree: pick(p.shDegree, TRAIN_DEFAULTS.maxShDegree),
    maxSplats: pick(p.maxSplats, TRAIN_DEFAULTS.maxSplats),
    seed: pick(p.seed, TRAIN_DEFAULTS.seed),
    evalEvery: pick(p.evalEvery, TRAIN_DEFAULTS.evalEvery),
    previewEvery: pick(p.previewEvery, TRAIN_DEFAULTS.previewEvery),
    snapshotEvery: pick(p.snapshotEvery, TRAIN_DEFAULTS.snapshotEvery),
    exportEvery: 0,
    appearance: p.appearance === "off" ? "off" : TRAIN_DEFAULTS.appearance,
    antiAliasing: p.antiAliasing === "off" ? "off" : TRAIN_DEFAULTS.antiAliasing,
    resolutionSchedule:
      p.resolutionSchedule === "fixed" ? "fixed" : TRAIN_DEFAULTS.resolutionSchedule,
    densification:
      p.densification === "classic" || p.densification === "relocate"
        ? p.densification
        : TRAIN_DEFAULTS.densification,
  };
}

/**
 * The dataset Training reads: ColmapReconstruction's undistorted model, or — when that stage
 * was skipped for a precalibrated input — the model Validation found.
 */
export function trainingDatasetPath(ctx: Pick<StageContext, "resultOf" | "inputFolder">): string {
  const colmap = ctx.resultOf<{ undistorted_path?: string | null }>("ColmapReconstruction");
  if (colmap?.undistorted_path) return colmap.undistorted_path;
  const validation = ctx.resultOf<{ precalibrated?: { path: string } | null }>("Validation");
  if (validation?.precalibrated) return validation.precalibrated.path;
  throw new SplatbookError(
    `${ctx.inputFolder}: no camera model to train on (ColmapReconstruction has no undistorted model and the input is not precalibrated)`,
  );
}

/**
 * The Training stage. The composing layer (the engine's stage table) passes the scene reader and
 * the PLY writer, since stage areas do not import each other; `createBackend` replaces the
 * WebGPU backend (tests).
 */
export function trainingStage(
  io: TrainingIo,
  opts: { createBackend?: () => Promise<TrainingBackend> } = {},
): StageDefinition<TrainingStageResult> {
  return {
    name: "Training",
    fingerprintInputs: (ctx) => ({ training: trainingSettings(ctx) }),
    async run(ctx) {
      const settings = trainingSettings(ctx);
      const backend = opts.createBackend ? await opts.createBackend() : undefined;
      try {
        return await train({
          ...settings,
          dataset: trainingDatasetPath(ctx),
          io,
          outputFolder: ctx.outputFolder,
          jobId: ctx.jobId,
          backend,
          signal: ctx.signal,
          log: ctx.log,
          onStep: ({ step, total, splats }) => {
            if (step % 5 === 0 || step === total) {
              ctx.progress(step / total, `step ${step}/${total}, ${splats} splats`);
            }
          },
        });
      } finally {
        backend?.destroy();
      }
    },
    summarize: (r) => ({ gaussian_count: r.gaussian_count }),
    // Watchers of the status file learn that the job failed, whatever stopped it.
    async onFailure(ctx, message) {
      await markTrainingStatusError(join(ctx.outputFolder, TRAINING_STATUS_FILENAME), message);
    },
  };
}
