import type { StageContext, StageDefinition } from "../contracts/stage.js";
import { join } from "node:path";
import { TRAINING_STATUS_FILENAME } from "../contracts/trainingStatus.js";
import { markTrainingStatusError } from "../status/trainingStatusWriter.js";
import { SplatbookError } from "../util/errors.js";
import { stageParamsOf, type TrainSettings } from "../contracts/params.js";
import type { TrainingResult } from "../contracts/stageResults.js";
import { train, type TrainingIo } from "./train.js";
import type { TrainingBackend } from "./types.js";

/**
 * Training's own fingerprint inputs. The engine fingerprints the stage's resolved parameters
 * already; this repeats them under the names earlier releases hashed, so upgrading does not make
 * every finished job train again. Drop it together with a release that retrains anyway.
 */
export function legacyTrainingFingerprint(p: TrainSettings): unknown {
  return {
    training: {
      totalSteps: p.steps,
      maxResolution: p.maxResolution,
      timeBudget: p.timeBudget,
      maxShDegree: p.shDegree,
      maxSplats: p.maxSplats,
      seed: p.seed,
      evalEvery: p.evalEvery,
      previewEvery: p.previewEvery,
      snapshotEvery: p.snapshotEvery,
      exportEvery: 0,
    },
  };
}

/**
 * The dataset Training reads: ColmapReconstruction's undistorted model, or — when that stage
 * was skipped for a precalibrated input — the model Validation found.
 */
export function trainingDatasetPath(ctx: Pick<StageContext, "resultOf" | "inputFolder">): string {
  const colmap = ctx.resultOf("ColmapReconstruction");
  if (colmap) return colmap.undistorted_path;
  const precalibrated = ctx.resultOf("Validation")?.precalibrated;
  if (precalibrated) return precalibrated.path;
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
): StageDefinition<TrainingResult> {
  return {
    name: "Training",
    fingerprintInputs: (ctx) => ({
      ...(legacyTrainingFingerprint(ctx.params) as object),
      // The run-length rates changed rule (position × 1/g, the others × 1/√g, no longer all × 1/g):
      // jobs trained with the earlier rule train again; "3dgs" jobs keep their fingerprints.
      ...(ctx.params.learningRates === "run-length"
        ? { rateRule: "position-1/g-others-1/sqrt(g)" }
        : {}),
    }),
    async run(ctx) {
      const backend = opts.createBackend ? await opts.createBackend() : undefined;
      try {
        return await train({
          settings: stageParamsOf("Training", ctx.params),
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
