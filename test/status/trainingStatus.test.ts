import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  startingTrainingStatus,
  TrainingStatusSchema,
  type TrainingStatus,
} from "../../src/contracts/trainingStatus.js";
import { createTrainingStatusWriter, markTrainingStatusError } from "../../src/status/index.js";
import { tempDir } from "../engine/helpers.js";

function status(over: Partial<TrainingStatus> = {}): TrainingStatus {
  return { ...startingTrainingStatus(100, "/out", "2026-01-01T00:00:00Z"), ...over };
}
const read = (p: string) => TrainingStatusSchema.parse(JSON.parse(readFileSync(p, "utf8")));

describe("training_status.json writer", () => {
  it("writes state changes at once and throttles the rest, latest value winning", async () => {
    const path = join(tempDir("ts"), "training_status.json");
    const w = createTrainingStatusWriter(path, { throttleMs: 300 });
    await w.write(status());
    expect(read(path).status).toBe("starting");
    await w.write(status({ status: "training", current_iteration: 1 }));
    expect(read(path).current_iteration).toBe(1);
    for (let i = 2; i <= 50; i++)
      await w.write(status({ status: "training", current_iteration: i }));
    // Within the throttle window: still the first training write on disk.
    expect(read(path).current_iteration).toBe(1);
    await new Promise((r) => setTimeout(r, 450));
    expect(read(path).current_iteration).toBe(50);
    await w.write(status({ status: "training", current_iteration: 60 }));
    await w.write(status({ status: "evaluating", current_iteration: 61 }));
    expect(read(path)).toMatchObject({ status: "evaluating", current_iteration: 61 });
    await w.write(status({ status: "evaluating", current_iteration: 62 }));
    await w.close();
    expect(read(path).current_iteration).toBe(62);
  });

  it("fail() writes the error status with a one-line cause", async () => {
    const path = join(tempDir("ts"), "training_status.json");
    const w = createTrainingStatusWriter(path, { throttleMs: 10_000 });
    await w.write(status({ status: "training", current_iteration: 7 }));
    await w.fail(new Error("device lost:\n  out of memory"));
    expect(read(path)).toMatchObject({
      status: "error",
      current_iteration: 7,
      error_message: "device lost: out of memory",
    });
    await w.close();
  });

  it("rejects a status that breaks the contract", async () => {
    const path = join(tempDir("ts"), "training_status.json");
    const w = createTrainingStatusWriter(path);
    await expect(w.write({ ...status(), status: "bogus" as never })).rejects.toThrow();
    expect(existsSync(path)).toBe(false);
  });

  it("markTrainingStatusError turns an unfinished file into error, leaves finished ones", async () => {
    const dir = tempDir("ts");
    const path = join(dir, "training_status.json");
    expect(await markTrainingStatusError(path, "x")).toBe(false);
    writeFileSync(path, JSON.stringify(status({ status: "training" })));
    expect(await markTrainingStatusError(path, new Error("boom"))).toBe(true);
    expect(read(path)).toMatchObject({ status: "error", error_message: "boom" });
    expect(read(path).last_updated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    writeFileSync(path, JSON.stringify(status({ status: "completed" })));
    expect(await markTrainingStatusError(path, "late")).toBe(false);
    expect(read(path).status).toBe("completed");
  });
});
