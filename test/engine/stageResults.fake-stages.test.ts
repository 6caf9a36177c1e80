// Stage results against their schemas (fake stages, see fakeStages.ts): a stage returning
// something its schema refuses fails, and a recorded result that no longer fits is not reused.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Checkpoint } from "../../src/contracts/checkpoint.js";
import { STAGES } from "../../src/contracts/stages.js";
import { JobRun, runJob } from "../../src/engine/index.js";
import { fakeStage, fakeStages } from "./fakeStages.js";
import { recordingLogger, tempDir } from "./helpers.js";

function setup() {
  const root = tempDir("results");
  const input = join(root, "in");
  mkdirSync(input, { recursive: true });
  return { input, output: join(root, "out") };
}

function runs(output: string): string[] {
  const p = join(output, "runs.log");
  return existsSync(p) ? readFileSync(p, "utf8").trim().split("\n") : [];
}

function editCheckpoint(output: string, edit: (cp: Checkpoint) => void): void {
  const file = join(output, ".checkpoint.json");
  const cp = JSON.parse(readFileSync(file, "utf8")) as Checkpoint;
  edit(cp);
  writeFileSync(file, JSON.stringify(cp));
}

describe("stage results are checked against their schemas", () => {
  it("a stage whose result its schema refuses fails, naming the stage and the field", async () => {
    const { input, output } = setup();
    // Validation without its own schema: the contract's ValidationResult applies.
    const { result: _own, ...validation } = fakeStage("Validation");
    const stages = [validation, ...fakeStages().slice(1)];
    await expect(runJob({ input, output, stages, logger: recordingLogger() })).rejects.toThrow(
      /Validation returned a result that does not match its schema: input_folder: /,
    );
    const cp = JSON.parse(readFileSync(join(output, ".checkpoint.json"), "utf8")) as Checkpoint;
    expect(cp.stages.Validation?.state).toBe("failed");
    expect(cp.stages.Validation?.result).toBeUndefined();
  });

  it("a recorded result that no longer fits is run again, not reused; reading it is an error", async () => {
    const { input, output } = setup();
    await runJob({ input, output, stages: fakeStages(), logger: recordingLogger() });
    editCheckpoint(output, (cp) => {
      (cp.stages.Training!.result as { depth: unknown }).depth = "six";
    });
    const job = await JobRun.open({ input, output, stages: fakeStages() });
    try {
      expect(() => job.resultOf("Training")).toThrow(
        /\.checkpoint\.json: the recorded result of Training does not match its schema \(depth: /,
      );
    } finally {
      await job.close();
    }
    const log = recordingLogger();
    await runJob({ input, output, stages: fakeStages(), logger: log });
    expect(log.lines.join("\n")).toMatch(
      /warn: Training: the recorded result does not match its schema \(depth: .*\); running it again/,
    );
    // Training ran again, and (as after any rerun) the stages after it; those before were reused.
    expect(runs(output)).toEqual([...STAGES, ...STAGES.slice(STAGES.indexOf("Training"))]);
  });
});
