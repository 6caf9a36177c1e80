// Finished steps of an interrupted stage (ctx.saveStep / ctx.savedStep) with stand-in stages
// (fake stages, see fakeStages.ts): reused by a rerun with the same fingerprint only, dropped
// when the stage completes.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { CheckpointSchema } from "../../src/contracts/checkpoint.js";
import type { StageDefinition } from "../../src/contracts/stage.js";
import { runJob } from "../../src/engine/index.js";
import { InterruptedError } from "../../src/util/errors.js";
import { fakeStages } from "./fakeStages.js";
import { tempDir, waitFor } from "./helpers.js";

/** A two-step ColmapReconstruction stand-in: "sfm" (saved), then "georef" (may hang). */
function twoStepStage(hang: { on: boolean }): StageDefinition<{ sfm: number; reused: boolean }> {
  return {
    name: "ColmapReconstruction",
    params: z.strictObject({ knob: z.number().optional() }),
    result: z.object({ sfm: z.number(), reused: z.boolean() }),
    fingerprintInputs: (ctx) => ({ knob: ctx.params.knob ?? null }),
    async run(ctx) {
      const log = join(ctx.outputFolder, "runs.log");
      let sfm = ctx.savedStep?.<{ n: number }>("sfm");
      const reused = sfm !== undefined;
      if (!sfm) {
        appendFileSync(log, "sfm\n");
        sfm = { n: 7 };
        await ctx.saveStep?.("sfm", sfm);
      }
      appendFileSync(log, "georef\n");
      if (hang.on) {
        writeFileSync(join(ctx.outputFolder, "hanging"), "");
        while (!ctx.signal.aborted) await sleep(10);
        throw new InterruptedError();
      }
      return { sfm: sfm.n, reused };
    },
  };
}

function setup() {
  const root = tempDir("steps");
  const input = join(root, "in");
  mkdirSync(input, { recursive: true });
  return { input, output: join(root, "out") };
}

const readCp = (output: string) =>
  CheckpointSchema.parse(JSON.parse(readFileSync(join(output, ".checkpoint.json"), "utf8")));
const runs = (output: string) =>
  existsSync(join(output, "runs.log"))
    ? readFileSync(join(output, "runs.log"), "utf8").split("\n").filter(Boolean)
    : [];

async function interrupted(input: string, output: string, stages: StageDefinition[]) {
  const controller = new AbortController();
  const job = runJob({
    input,
    output,
    stages,
    signal: controller.signal,
    until: "ColmapReconstruction",
  });
  await waitFor(() => existsSync(join(output, "hanging")));
  controller.abort(new InterruptedError("SIGTERM"));
  await expect(job).rejects.toMatchObject({ name: "InterruptedError" });
}

describe("a stage's saved steps", () => {
  it("a rerun after an interruption skips the saved step; completion drops it", async () => {
    const { input, output } = setup();
    const hang = { on: true };
    const stages = fakeStages().map((s) =>
      s.name === "ColmapReconstruction" ? twoStepStage(hang) : s,
    );
    await interrupted(input, output, stages as StageDefinition[]);
    const cp = readCp(output);
    expect(cp.stage_steps).toMatchObject({
      stage: "ColmapReconstruction",
      fingerprint: cp.stages.ColmapReconstruction!.fingerprint,
      steps: { sfm: { n: 7 } },
    });
    hang.on = false;
    const r = await runJob({
      input,
      output,
      stages: stages as StageDefinition[],
      until: "ColmapReconstruction",
    });
    expect(r.outcomes.at(-1)!.result).toEqual({ sfm: 7, reused: true });
    expect(runs(output).filter((l) => l === "sfm")).toHaveLength(1);
    expect(readCp(output).stage_steps).toBeUndefined();
  });

  it("is not reused once the stage's fingerprint changed", async () => {
    const { input, output } = setup();
    const hang = { on: true };
    const stages = fakeStages().map((s) =>
      s.name === "ColmapReconstruction" ? twoStepStage(hang) : s,
    );
    await interrupted(input, output, stages as StageDefinition[]);
    hang.on = false;
    const r = await runJob({
      ...{ input, output, stages: stages as StageDefinition[], until: "ColmapReconstruction" },
      params: { knob: 2 },
    });
    expect(r.outcomes.at(-1)!.result).toEqual({ sfm: 7, reused: false });
    expect(runs(output).filter((l) => l === "sfm")).toHaveLength(2);
  });
});
