/**
 * A trained job whose reconstruction is redone with another COLMAP setting must not resume the
 * old training snapshot: the real pipeline (sample capture, ffmpeg, COLMAP, WebGPU training) on a
 * small one-orbit capture with a few training steps, run twice in-process through the engine.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { JobParams } from "../../src/contracts/params.js";
import { testSeed } from "../seed.js";
import { loadStageTable, runJob } from "../../src/engine/index.js";
import { DEFAULT_ORBITS, renderSample } from "../../src/sample/index.js";
import type { TrainingResult } from "../../src/contracts/stageResults.js";
import { recordingLogger, tempDir } from "../engine/helpers.js";

const FRAMES = 24;
let input = "";
beforeAll(async () => {
  input = join(tempDir("upstream-capture"), "capture");
  await mkdir(input, { recursive: true });
  await renderSample(input, { orbits: DEFAULT_ORBITS.slice(0, 1), framesPerOrbit: FRAMES });
}, 300_000);

async function process(output: string, params: JobParams) {
  const logger = recordingLogger();
  const result = await runJob({ input, output, stages: await loadStageTable(), params, logger });
  const training = result.checkpoint.stages.Training?.result as TrainingResult | undefined;
  return { result, training, lines: logger.lines };
}

describe("snapshots tied to their training data", () => {
  it("changing a COLMAP parameter after training makes Training start again at step 0", async () => {
    const output = tempDir("upstream-out");
    const params: JobParams = {
      framesPerVideo: FRAMES,
      matcher: "exhaustive",
      steps: 20,
      snapshotEvery: 10,
      evalEvery: 10,
      previewEvery: 0,
      maxResolution: 48,
      maxSplats: 3000,
      shDegree: 1,
      sfmSeed: testSeed(),
    };
    const first = await process(output, params);
    expect(first.result.completed).toBe(true);
    expect(first.training?.steps).toBe(20);
    expect(first.lines.join("\n")).not.toMatch(/artificially reduced/);

    const second = await process(output, { ...params, matcher: "sequential" });
    expect(second.result.completed).toBe(true);
    const log = second.lines.join("\n");
    expect(log).toMatch(/COLMAP: .*sequential matching/); // the reconstruction was redone
    expect(log).toMatch(
      /training snapshot at step 20 is not used: the training data changed since it was made \(.*camera poses/,
    );
    expect(second.training?.resumed_from_step).toBe(0);
    expect(second.training?.steps).toBe(20);
  }, 900_000);
});
