// Real processes around the engine (fake stages, see fakeStages.ts): a compiled child runs a job
// and is killed or signalled; the lock, resume and exit codes are checked from the outside.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CheckpointSchema, type Checkpoint } from "../../src/contracts/checkpoint.js";
import { STAGES } from "../../src/contracts/stages.js";
import { runJob } from "../../src/engine/index.js";
import { fakeStages } from "./fakeStages.js";
import { ROOT, compileEntry, recordingLogger, spawnNode, tempDir, waitFor } from "./helpers.js";

let child = "";
beforeAll(() => {
  child = compileEntry(join(ROOT, "test/engine/fixtures/fakeJobChild.ts"), "splatbook-engine-test");
});

function dirs() {
  const root = tempDir("proc");
  const input = join(root, "in");
  mkdirSync(input);
  return { input, output: join(root, "out") };
}
const readCp = (output: string): Checkpoint =>
  CheckpointSchema.parse(
    JSON.parse(readFileSync(join(output, ".checkpoint.json"), "utf8")),
  ) as Checkpoint;
const runs = (output: string) => readFileSync(join(output, "runs.log"), "utf8").trim().split("\n");

describe("job processes (fake stages)", () => {
  it("refuses a second process naming the holder's pid; takes over after SIGKILL and resumes", async () => {
    const { input, output } = dirs();
    const c = spawnNode(child, [input, output, JSON.stringify({ hangAt: "ColmapReconstruction" })]);
    await waitFor(
      () => existsSync(join(output, "hanging-ColmapReconstruction")),
      30_000,
      "child to reach the stage",
    );
    await expect(runJob({ input, output, stages: fakeStages() })).rejects.toThrow(
      new RegExp(`in use by another splatbook process \\(pid ${c.child.pid},`),
    );
    const mid = readCp(output);
    expect(mid.stage).toBe("ColmapReconstruction");
    expect(mid.stages.ColmapReconstruction?.state).toBe("running");
    c.child.kill("SIGKILL");
    expect((await c.exited).signal).toBe("SIGKILL");

    const log = recordingLogger();
    const result = await runJob({ input, output, stages: fakeStages(), logger: log });
    expect(result.completed).toBe(true);
    expect(log.lines).toContain(
      `warn: taking over the lock of ${output} left by dead process pid ${c.child.pid}`,
    );
    expect(log.lines).toContain("Resuming from checkpoint at stage ColmapReconstruction");
    // No stage before the killed one ran again; the killed one and the rest ran once more.
    expect(runs(output)).toEqual([...STAGES.slice(0, 5), ...STAGES.slice(4)]);
    expect(existsSync(join(output, ".splatbook.lock"))).toBe(false);
  });

  for (const [sig, code] of [
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const) {
    it(`${sig} stops at a safe point, exits ${code}, leaves a consistent checkpoint`, async () => {
      const { input, output } = dirs();
      const c = spawnNode(child, [input, output, JSON.stringify({ hangAt: "FrameExtraction" })]);
      await waitFor(() => existsSync(join(output, "hanging-FrameExtraction")), 30_000, "stage");
      c.child.kill(sig);
      const exit = await c.exited;
      expect(exit.code, c.output()).toBe(code);
      expect(c.output()).toContain(`splatbook: interrupted (${sig})`);
      const cp = readCp(output);
      expect(cp.stage).toBe("FrameExtraction");
      expect(cp.stages.FrameExtraction).toMatchObject({
        state: "failed",
        error: `interrupted (${sig})`,
      });
      expect(cp.stages.FrameExtraction?.result).toBeUndefined();
      expect(cp.stages.Validation?.state).toBe("completed");
      expect(cp.completed_stages.total_frames).toBeNull();
      expect(existsSync(join(output, ".splatbook.lock"))).toBe(false);
      const again = spawnNode(child, [input, output, "{}"]);
      expect((await again.exited).code, again.output()).toBe(0);
      expect(again.output()).toContain("Resuming from checkpoint at stage FrameExtraction");
      // The interrupted stage runs again; Validation does not.
      expect(runs(output)).toEqual(["Validation", "FrameExtraction", ...STAGES.slice(1)]);
      expect(readCp(output).stage).toBe("Completed");
    });
  }

  it("a second signal stops a stage that has no safe point at once, still resumable", async () => {
    const { input, output } = dirs();
    const c = spawnNode(child, [input, output, JSON.stringify({ ignoreAbortAt: "Training" })]);
    await waitFor(() => existsSync(join(output, "hanging-Training")), 30_000, "stage");
    c.child.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 200));
    c.child.kill("SIGINT");
    expect((await c.exited).code).toBe(130);
    expect(readCp(output).stages.Training?.state).toBe("running");
    const again = spawnNode(child, [input, output, "{}"]);
    expect((await again.exited).code, again.output()).toBe(0);
    expect(again.output()).toContain("Resuming from checkpoint at stage Training");
  });

  it("a failing stage exits 1 with one line naming the cause", async () => {
    const { input, output } = dirs();
    const c = spawnNode(child, [input, output, JSON.stringify({ failAt: "PlyExport" })]);
    const exit = await c.exited;
    expect(exit.code).toBe(1);
    expect(c.output()).toContain("splatbook: PlyExport failed: boom\nsecond line");
    expect(readCp(output).error?.message).toBe("PlyExport failed: boom second line");
  });
});
