// Engine behaviour with stand-in stages (fake stages, see fakeStages.ts): resume, reuse by
// fingerprint, failure recording, stale checkpoints, events and the checkpoint contract.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CheckpointSchema, type Checkpoint } from "../../src/contracts/checkpoint.js";
import { STAGES } from "../../src/contracts/stages.js";
import type { JobEvent } from "../../src/contracts/events.js";
import { JobRun, runJob, type RunJobOptions } from "../../src/engine/index.js";
import { SplatbookError } from "../../src/util/errors.js";
import { fakeStages, type FakeControls } from "./fakeStages.js";
import { recordingLogger, tempDir } from "./helpers.js";

function setup() {
  const root = tempDir("engine");
  const input = join(root, "in");
  const output = join(root, "out job");
  mkdirSync(input, { recursive: true });
  return { input, output };
}

function readCp(output: string): Checkpoint {
  return CheckpointSchema.parse(
    JSON.parse(readFileSync(join(output, ".checkpoint.json"), "utf8")),
  ) as Checkpoint;
}
function runs(output: string): string[] {
  const p = join(output, "runs.log");
  return existsSync(p) ? readFileSync(p, "utf8").trim().split("\n").filter(Boolean) : [];
}
async function go(opts: Partial<RunJobOptions> & { input: string; output: string }) {
  const log = recordingLogger();
  const events: JobEvent[] = [];
  const result = await runJob({
    stages: fakeStages(),
    logger: log,
    onEvent: (e) => events.push(e),
    ...opts,
  });
  return { result, log, events };
}

describe("engine with fake stages", () => {
  it("runs all stages, writes a schema-valid Completed checkpoint with the original fields", async () => {
    const { input, output } = setup();
    const { result, events } = await go({ input, output });
    expect(result.completed).toBe(true);
    expect(runs(output)).toEqual([...STAGES]);
    const cp = readCp(output);
    expect(cp.stage).toBe("Completed");
    expect(cp.progress_percentage).toBe(100);
    expect(cp.job_id).toBe("out-job");
    expect(cp.temp_folder).toMatch(/splatbook-out-job-[0-9a-f]{8}$/);
    expect(cp.completed_stages).toMatchObject({
      video_count: 2,
      total_frames: 24,
      colmap_points: 600,
      gaussian_count: 1000,
      splat_path: "/nowhere/model.splat",
    });
    for (const s of STAGES) expect(cp.stages[s]?.state).toBe("completed");
    expect((cp.stages.SplatExport?.result as { depth: number }).depth).toBe(8);
    expect(cp.videos?.["a.mp4"]?.done).toBe(true);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("job-start");
    expect(types.at(-1)).toBe("job-complete");
    expect(types.filter((t) => t === "stage-complete")).toHaveLength(8);
    expect(types).toContain("stage-progress");
  });

  it("--until stops after that stage; the checkpoint's stage is the next one; rerun resumes", async () => {
    const { input, output } = setup();
    const first = await go({ input, output, until: "ColmapReconstruction" });
    expect(first.result.completed).toBe(false);
    expect(readCp(output).stage).toBe("Training");
    expect(readCp(output).progress_percentage).toBe(62.5);
    expect(runs(output)).toEqual(STAGES.slice(0, 5));
    const second = await go({ input, output });
    expect(second.log.lines).toContain("Resuming from checkpoint at stage Training");
    expect(second.events.some((e) => e.type === "resume" && e.stage === "Training")).toBe(true);
    expect(runs(output)).toEqual([...STAGES]);
    expect(second.events.filter((e) => e.type === "stage-cached")).toHaveLength(5);
  });

  it("a Completed job reruns nothing", async () => {
    const { input, output } = setup();
    await go({ input, output });
    const before = readFileSync(join(output, ".checkpoint.json"), "utf8");
    const again = await go({ input, output });
    expect(runs(output)).toHaveLength(8);
    expect(again.result.outcomes.every((o) => o.cached)).toBe(true);
    expect(again.log.lines.some((l) => l.startsWith("Resuming"))).toBe(false);
    expect(readFileSync(join(output, ".checkpoint.json"), "utf8")).toBe(before);
  });

  it("a changed parameter reruns that stage and every later one, not the earlier ones", async () => {
    const { input, output } = setup();
    await go({ input, output, params: { knob_Training: 1 } });
    await go({ input, output, params: { knob_Training: 2 } });
    expect(runs(output)).toEqual([...STAGES, "Training", "PlyExport", "SplatExport"]);
    const third = await go({ input, output, params: { knob_Training: 2 } });
    expect(third.result.outcomes.filter((o) => !o.cached)).toHaveLength(0);
    // Changing an early stage reruns everything from it.
    await go({ input, output, params: { knob_Training: 2, knob_FrameExtraction: "x" } });
    expect(runs(output).slice(11)).toEqual(STAGES.slice(1));
    expect(readCp(output).stage).toBe("Completed");
  });

  it("a run that names no parameter keeps the recorded ones; only named ones invalidate", async () => {
    const { input, output } = setup();
    await go({ input, output, params: { knob_FrameExtraction: "a", knob_Training: 7 } });
    const cp = readCp(output);
    expect(cp.params).toEqual({ knob_FrameExtraction: "a", knob_Training: 7 });
    expect(cp.stages.Training?.params).toEqual({ knob_Training: 7 });
    expect(cp.stages.FrameExtraction?.params).toEqual({ knob_FrameExtraction: "a" });
    // Nothing named: the recorded values stand, nothing reruns.
    const plain = await go({ input, output });
    expect(plain.result.outcomes.every((o) => o.cached)).toBe(true);
    // Naming one Training parameter reruns Training on, with FrameExtraction's kept.
    await go({ input, output, params: { knob_Training: 8 } });
    expect(runs(output).slice(8)).toEqual(["Training", "PlyExport", "SplatExport"]);
    expect(readCp(output).params).toEqual({ knob_FrameExtraction: "a", knob_Training: 8 });
    // Naming one as undefined returns it to its default.
    await go({ input, output, params: { knob_FrameExtraction: undefined } });
    expect(runs(output).slice(11)).toEqual(STAGES.slice(1));
    expect(readCp(output).params).toEqual({ knob_Training: 8 });
    // --fresh forgets the recorded parameters with the rest of the checkpoint.
    await go({ input, output, fresh: true, until: "Validation" });
    expect(readCp(output).params).toEqual({});
  });

  it("parameters named for a cached stage are recorded too", async () => {
    const { input, output } = setup();
    await go({ input, output, until: "FrameExtraction" });
    const job = await JobRun.open({ input, output, stages: fakeStages() });
    try {
      job.setParams({ knob_Training: 3 });
      expect((await job.runStage("Validation")).cached).toBe(true);
    } finally {
      await job.close();
    }
    expect(readCp(output).params).toEqual({ knob_Training: 3 });
  });

  it("an unknown or mistyped parameter is one error naming it and the accepted ones", async () => {
    const { input, output } = setup();
    await expect(go({ input, output, params: { knob_Trainin: 1 } })).rejects.toThrow(
      /unknown parameter "knob_Trainin" for this job \(did you mean "knob_Training"\?\); accepted: knob_Validation, knob_FrameExtraction, .*knob_SplatExport$/,
    );
    await expect(go({ input, output, params: { knob_Training: true } })).rejects.toThrow(
      /^Training parameter knob_Training = true: /,
    );
    expect(existsSync(join(output, ".checkpoint.json"))).toBe(false);
    const job = await JobRun.open({ input, output, stages: fakeStages() });
    try {
      await expect(
        job.runStage("Training", { params: { knob_FrameExtraction: 1 } }),
      ).rejects.toThrow(
        'unknown parameter "knob_FrameExtraction" for Training ("knob_FrameExtraction" is a FrameExtraction parameter); accepted: knob_Training',
      );
      expect(runs(output)).toEqual([]);
    } finally {
      await job.close();
    }
  });

  it("checks named parameters with the stages' own checks before any stage runs", async () => {
    const { input, output } = setup();
    const checked: string[] = [];
    const stages = fakeStages().map((def) => ({
      ...def,
      checkParams(params: Readonly<Record<string, unknown>>) {
        checked.push(def.name);
        if (params[`knob_${def.name}`] === "bad") {
          throw new SplatbookError(`knob_${def.name}: "bad" is not in the registry`);
        }
      },
    }));
    await expect(
      go({ input, output, stages, params: { knob_SplatExport: "bad" } }),
    ).rejects.toThrow(/knob_SplatExport: "bad" is not in the registry/);
    expect(runs(output)).toEqual([]);
    expect(existsSync(join(output, ".checkpoint.json"))).toBe(false);
    expect(checked).toEqual(["SplatExport"]);
    checked.length = 0;
    await go({ input, output, stages, params: { knob_Training: 3 }, until: "Validation" });
    expect(new Set(checked)).toEqual(new Set(["Training"]));
    expect(runs(output)).toEqual(["Validation"]);
  });

  it("calls the failing stage's onFailure hook with the cause after recording the failure", async () => {
    const { input, output } = setup();
    const stages = fakeStages({ failAt: "Training" });
    const seen: Array<{ message: string; recorded: unknown }> = [];
    const training = stages[5]!;
    stages[5] = {
      ...training,
      onFailure: (ctx, message) => {
        seen.push({ message, recorded: readCp(ctx.outputFolder).stages.Training?.state });
        throw new Error("hook broke");
      },
    };
    const log = recordingLogger();
    await expect(runJob({ input, output, stages, logger: log })).rejects.toThrow(
      /Training failed: boom/,
    );
    expect(seen).toEqual([{ message: "Training failed: boom second line", recorded: "failed" }]);
    expect(log.lines).toContain("warn: Training: failure hook failed: hook broke");
  });

  it("records a failure (one-line cause), keeps earlier stages, retries from the failed stage", async () => {
    const { input, output } = setup();
    const failed = go({ input, output, stages: fakeStages({ failAt: "ColmapReconstruction" }) });
    await expect(failed).rejects.toThrow(SplatbookError);
    await expect(failed).rejects.toThrow(/ColmapReconstruction failed: boom/);
    const cp = readCp(output);
    expect(cp.stage).toBe("ColmapReconstruction");
    expect(cp.error).toMatchObject({
      stage: "ColmapReconstruction",
      message: "ColmapReconstruction failed: boom second line",
    });
    expect(cp.stages.ColmapReconstruction).toMatchObject({ state: "failed" });
    expect(cp.stages.ColmapReconstruction?.error).toBe(cp.error!.message);
    for (const s of STAGES.slice(0, 4)) expect(cp.stages[s]?.state).toBe("completed");
    expect(cp.stages.Training).toBeUndefined();
    const retry = await go({ input, output });
    expect(retry.log.lines).toContain("Resuming from checkpoint at stage ColmapReconstruction");
    expect(runs(output)).toEqual([...STAGES.slice(0, 5), ...STAGES.slice(4)]);
    const done = readCp(output);
    expect(done.stage).toBe("Completed");
    expect(done.error).toBeNull();
  });

  it("ignores a checkpoint older than the limit, saying why; --fresh ignores any", async () => {
    const { input, output } = setup();
    await go({ input, output, until: "FrameExtraction" });
    const cp = readCp(output);
    cp.timestamp -= 25 * 3600;
    writeFileSync(join(output, ".checkpoint.json"), JSON.stringify(cp));
    const stale = await go({ input, output, until: "FrameExtraction" });
    expect(stale.log.lines.join("\n")).toMatch(
      /Checkpoint too old: .* at stage MetadataExtraction is 25\.0 h old \(limit 24 h\); starting fresh/,
    );
    expect(runs(output)).toEqual([
      "Validation",
      "FrameExtraction",
      "Validation",
      "FrameExtraction",
    ]);
    // Configurable age: 48 h accepts the same 25 h old checkpoint.
    const cp2 = readCp(output);
    cp2.timestamp -= 25 * 3600;
    writeFileSync(join(output, ".checkpoint.json"), JSON.stringify(cp2));
    const lenient = await go({
      input,
      output,
      maxCheckpointAgeHours: 48,
      until: "MetadataExtraction",
    });
    expect(lenient.log.lines).toContain("Resuming from checkpoint at stage MetadataExtraction");
    const fresh = await go({ input, output, fresh: true, until: "Validation" });
    expect(fresh.log.lines.join("\n")).toMatch(/--fresh: ignoring checkpoint/);
    expect(runs(output).at(-1)).toBe("Validation");
    expect(readCp(output).stage).toBe("FrameExtraction");
  });

  it("a changed Validation input reruns every stage from Validation (fingerprint chain)", async () => {
    const { input, output } = setup();
    await go({ input, output, until: "MetadataExtraction" });
    await go({ input, output, until: "MetadataExtraction", params: { knob_Validation: "v2" } });
    expect(runs(output)).toEqual([...STAGES.slice(0, 3), ...STAGES.slice(0, 3)]);
  });

  it("records skipped stages with their reason and reuses them", async () => {
    const { input, output } = setup();
    const first = await go({ input, output, stages: fakeStages({ skip: "MetadataExtraction" }) });
    expect(
      first.events.some((e) => e.type === "stage-skipped" && e.reason.includes("skip requested")),
    ).toBe(true);
    const cp = readCp(output);
    expect(cp.stages.MetadataExtraction).toMatchObject({
      state: "skipped",
      reason: "skip requested for MetadataExtraction",
    });
    expect(runs(output)).not.toContain("MetadataExtraction");
    const again = await go({ input, output, stages: fakeStages({ skip: "MetadataExtraction" }) });
    expect(again.result.outcomes.find((o) => o.stage === "MetadataExtraction")).toMatchObject({
      status: "skipped",
      cached: true,
    });
  });

  it("JobRun.runStage runs missing upstream stages first and reports cached results", async () => {
    const { input, output } = setup();
    const job = await JobRun.open({ input, output, stages: fakeStages() });
    try {
      const frames = await job.runStage("FrameExtraction");
      expect(frames).toMatchObject({
        stage: "FrameExtraction",
        status: "completed",
        cached: false,
      });
      expect(runs(output)).toEqual(["Validation", "FrameExtraction"]);
      const again = await job.runStage("FrameExtraction");
      expect(again).toMatchObject({ status: "cached", cached: true, result: { depth: 2 } });
      const colmap = await job.runStage("ColmapReconstruction");
      expect(colmap.result).toEqual({ stage: "ColmapReconstruction", depth: 5 });
      expect(job.checkpoint.stage).toBe("Training");
      // New params for one stage: it and its downstream results are redone on demand.
      const redo = await job.runStage("FrameExtraction", { params: { knob_FrameExtraction: 3 } });
      expect(redo.cached).toBe(false);
      expect(job.checkpoint.stage).toBe("MetadataExtraction");
      expect(job.checkpoint.stages.ColmapReconstruction).toBeUndefined();
    } finally {
      await job.close();
    }
    expect(existsSync(join(output, ".splatbook.lock"))).toBe(false);
  });

  it("uses an explicit job id and refuses stage tables out of order", async () => {
    const { input, output } = setup();
    await go({ input, output, jobId: "scène 01/é", until: "Validation" });
    expect(readCp(output).job_id).toBe("scene-01-e");
    await expect(runJob({ input, output, stages: fakeStages().reverse() })).rejects.toThrow(
      /out of order/,
    );
    await expect(
      runJob({ input: join(input, "nope"), output, stages: fakeStages() }),
    ).rejects.toThrow(/input folder does not exist/);
  });

  it("an aborted signal stops at a safe point with InterruptedError and a consistent checkpoint", async () => {
    const { input, output } = setup();
    const controller = new AbortController();
    const job = runJob({
      input,
      output,
      stages: fakeStages({ hangAt: "MetadataExtraction" }),
      signal: controller.signal,
    });
    const { waitFor } = await import("./helpers.js");
    await waitFor(() => existsSync(join(output, "hanging-MetadataExtraction")));
    const { InterruptedError } = await import("../../src/util/errors.js");
    controller.abort(new InterruptedError("SIGTERM"));
    await expect(job).rejects.toMatchObject({ name: "InterruptedError", exitCode: 143 });
    const cp = readCp(output);
    expect(cp.stage).toBe("MetadataExtraction");
    expect(cp.stages.MetadataExtraction).toMatchObject({
      state: "failed",
      error: "interrupted (SIGTERM)",
    });
    expect(cp.stages.MetadataExtraction?.result).toBeUndefined();
    expect(cp.stages.FrameExtraction?.state).toBe("completed");
    const resumed = await go({ input, output });
    expect(resumed.log.lines).toContain("Resuming from checkpoint at stage MetadataExtraction");
    expect(readCp(output).stage).toBe("Completed");
  });

  it("re-opening a folder in the same process (a re-run notebook cell) replaces the earlier Job", async () => {
    const { input, output } = setup();
    const a = await JobRun.open({ input, output, stages: fakeStages() });
    await a.runStage("Validation");
    const controls: FakeControls = {};
    const b = await JobRun.open({ input, output, stages: fakeStages(controls) });
    await expect(a.runStage("FrameExtraction")).rejects.toThrow(/is closed/);
    expect((await b.runStage("Validation")).cached).toBe(true);
    // While b runs a stage, opening again is refused.
    const controller = new AbortController();
    controls.hangAt = "FrameExtraction";
    const running = b.runStage("FrameExtraction", { signal: controller.signal });
    const { waitFor } = await import("./helpers.js");
    await waitFor(() => existsSync(join(output, "hanging-FrameExtraction")));
    await expect(JobRun.open({ input, output, stages: fakeStages() })).rejects.toThrow(
      /still running a stage in this process/,
    );
    await expect(b.run()).rejects.toThrow(/already running a stage/);
    controller.abort();
    await expect(running).rejects.toMatchObject({ name: "InterruptedError", exitCode: 130 });
    await b.close();
    expect(existsSync(join(output, ".splatbook.lock"))).toBe(false);
  });
});
