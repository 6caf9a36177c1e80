/**
 * The Training stage on a tiny COLMAP text model, with the CPU reference backend and the real
 * scene loader and PLY exporter. The StageContext is a hand-built test double of the engine's.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { testSeed } from "../seed.js";
import type { StageName } from "../../src/contracts/stages.js";
import { TrainingStatusSchema } from "../../src/contracts/trainingStatus.js";
import { TrainingParamsSchema, type JobParams } from "../../src/contracts/params.js";
import type { StageContext } from "../../src/contracts/stage.js";
import { stageFingerprint } from "../../src/engine/fingerprint.js";
import { readPly, writePly } from "../../src/export/index.js";
import { loadSceneModel } from "../../src/sfm/index.js";
import { createReferenceTrainingBackend } from "../../src/train/referenceBackend.js";
import { trainingDatasetPath, trainingStage } from "../../src/train/training.stage.js";
import { writeColmapTextModel } from "./colmapFixture.js";
import { syntheticScene } from "./syntheticScene.js";
import { resolvedParams, resultsOf } from "../stageContext.js";

function contextDouble(
  out: string,
  params: JobParams,
  results: Partial<Record<StageName, unknown>>,
) {
  const progress: number[] = [];
  const ctx = {
    jobId: "job-stage",
    inputFolder: "/nonexistent-input",
    outputFolder: out,
    tempFolder: join(out, "tmp"),
    params: resolvedParams(params),
    checkpoint: {} as StageContext["checkpoint"],
    log: { info: () => {}, warn: () => {}, debug: () => {} },
    signal: new AbortController().signal,
    resultOf: resultsOf(results),
    progress: (f: number) => void progress.push(f),
    saveStageProgress: async () => {},
  } satisfies StageContext;
  return { ctx, progress };
}

describe("Training stage (context double, reference backend)", () => {
  it("trains on ColmapReconstruction's undistorted model and writes final.ply, status, metrics", async () => {
    const scene = await syntheticScene({ seed: testSeed(), views: 9, size: 20, splats: 8 });
    const root = writeColmapTextModel(mkdtempSync(join(tmpdir(), "stage-model-")), scene);
    const out = mkdtempSync(join(tmpdir(), "stage-out-"));
    const params: JobParams = {
      steps: 40,
      maxResolution: 20,
      shDegree: 1,
      evalEvery: 20,
      previewEvery: 20,
      snapshotEvery: 20,
      seed: 3,
    };
    const { ctx, progress } = contextDouble(out, params, {
      ColmapReconstruction: { undistorted_path: root },
    });
    const stage = trainingStage(
      { loadScene: loadSceneModel, writePly },
      { createBackend: async () => createReferenceTrainingBackend() },
    );
    expect(stage.name).toBe("Training");
    const fp = await stage.fingerprintInputs(ctx);
    expect(JSON.stringify(fp)).toContain('"totalSteps":40');
    const result = await stage.run(ctx);
    expect(result.steps).toBe(40);
    expect(result.params_path).toBe(join(out, "training", "final.ply"));
    const ply = await readPly(result.params_path);
    expect(ply.count).toBe(result.gaussian_count);
    expect(stage.summarize!(result)).toEqual({ gaussian_count: result.gaussian_count });
    const status = TrainingStatusSchema.parse(
      JSON.parse(readFileSync(join(out, "training_status.json"), "utf8")),
    );
    expect(status.status).toBe("completed");
    expect(status.last_eval_psnr).toBeCloseTo(result.psnr!, 9);
    expect(status.job_id).toBe("job-stage");
    expect(existsSync(join(out, "metrics.arrow"))).toBe(true);
    expect(existsSync(join(out, "previews", "step_00040.png"))).toBe(true);
    expect(progress.at(-1)).toBe(1);
  });

  it("reads the precalibrated model when ColmapReconstruction was skipped, and errors without one", () => {
    const { ctx } = contextDouble(
      "/o",
      {},
      { Validation: { precalibrated: { kind: "colmap", path: "/in/sparse/0" } } },
    );
    expect(trainingDatasetPath(ctx)).toBe("/in/sparse/0");
    const none = contextDouble("/o", {}, { Validation: { precalibrated: null } }).ctx;
    expect(() => trainingDatasetPath(none)).toThrow(/no camera model to train on/);
  });

  it("keeps the fingerprint this release records, and not the one of the release before the training features", async () => {
    // Hashes made the way the engine makes them (the stage's resolved parameters and its own
    // fingerprint inputs) by the release that added appearance compensation, anti-aliasing, the
    // resolution schedule and the densification choice, updated when `--appearance auto` became
    // the default (a drifting capture trains a different model), when the learning rates
    // became scaled to the run's length, and when that scaling changed rule. Jobs trained before the training
    // features train again: their hashes (commit 27cb362) must no longer match.
    const before = [
      "15ea8e7246fc73dc7862117e9ffe2893145c1a94e21e0d8bb6d90eb90cf3c199",
      "b22caa73258248af3532ce172fa8844d11d95e922e596e9e0be1bc6085516c90",
      "401064b8f6a7af71fefc30317251d8bc54856481de6961a2dbd59ca51b1ed4df",
      "75028a514262830524f3c7a451d6e4f28775cf1248546f89c02dd9a4edb00b76",
      // The same settings under the published 3DGS learning rates (before `--learning-rates
      // run-length` became the default): those jobs train again too.
      "691621a08b6de59ebbd53e70dd773d994fdd56056b0c710025a5ed1b87c785ca",
      "148578b9c7ee385697151e22b13d41e0f2d23e11f0fa215525381bed52078f1a",
      "8acd53d9daf1061287470206c7d01de244f1c2fe959e3af46ca7db4313ac0001",
      "0b15dc9b319325275476df3e6fc8777fa137ab29069651cfcd9d5142552f8052",
      // The run-length rates before they scaled only the position rate by 1/g (every rate was):
      // those jobs train again.
      "6bf970b3abdcdd12b66ff127bda714bb60bdd7da27a4f8151740ea2e3a6c7066",
      "efe7ff6fb5decda4ae147f48c6554b8674c2f4cc924dfcb25e8cc31423e26253",
      "36f70e357a2244b165cb4b6b1e528f6d5fb90f25df4d382a69fc3ced7fe4a9b7",
      "cf2524346e1943b3902a7418c4ad77a89a15b62686214ad2365c3c074db0accc",
    ];
    const recorded: Array<[JobParams, string]> = [
      [{}, "ed49e6909a4e80aa0876018cb75e22ab3136b9c3994a21228435d6f5cca1a89f"],
      [{ steps: 3000 }, "7894eb5b0a3562e009f07229662fda1dba7c4a387da238fe26b16f78294e95c6"],
      [
        { steps: 500, maxResolution: 160, shDegree: 1, seed: 7 },
        "ee111e728096a20d7099e53ec53e4b242a7b73a88c935c92276fe9700aa289a7",
      ],
      [
        { timeBudget: 150, maxSplats: 20000, evalEvery: 0 },
        "a0b5e15772ee37d2ec3b255cb26ed1398369d5a52452b2150e8cc4f156577573",
      ],
    ];
    const stage = trainingStage({ loadScene: loadSceneModel, writePly });
    for (const [given, hash] of recorded) {
      const params = TrainingParamsSchema.parse(given);
      const { ctx } = contextDouble("/o", given, {});
      const inputs = { params, stage: await stage.fingerprintInputs(ctx) };
      const fingerprint = stageFingerprint({
        stage: "Training",
        inputs,
        upstreamFingerprint: "u",
        upstreamResult: null,
      });
      expect(fingerprint, JSON.stringify(given)).toBe(hash);
      expect(before).not.toContain(fingerprint);
    }
  });
});
