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
import type { JobParams } from "../../src/contracts/params.js";
import type { StageContext } from "../../src/contracts/stage.js";
import { readPly, writePly } from "../../src/export/index.js";
import { loadSceneModel } from "../../src/sfm/index.js";
import { createReferenceTrainingBackend } from "../../src/train/referenceBackend.js";
import {
  trainingDatasetPath,
  trainingSettings,
  trainingStage,
} from "../../src/train/training.stage.js";
import { writeColmapTextModel } from "./colmapFixture.js";
import { syntheticScene } from "./syntheticScene.js";

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
    params,
    checkpoint: {} as StageContext["checkpoint"],
    log: { info: () => {}, warn: () => {}, debug: () => {} },
    signal: new AbortController().signal,
    resultOf: <T>(stage: StageName) => results[stage] as T | undefined,
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
    // No fixed run length: the plan chooses it from the adapter and the time budget.
    expect(trainingSettings(ctx).totalSteps).toBeUndefined();
    expect(trainingSettings({ params: { steps: 10, maxResolution: 64 } }).maxResolution).toBe(64);
  });
});
