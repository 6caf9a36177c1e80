// Checkpoints are the truth on a resumed batch: an index the ledger holds as failed while its
// output folder's checkpoint shows it complete (up to --until) is recorded completed from the
// checkpoint and not run again; a checkpoint that does not show it complete (another parameter,
// a stage missing, another folder) leaves it to run. Real stages (Validation → MetadataExtraction
// on small ffmpeg clips), a real SQLite ledger.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeQuickScenes } from "../../src/bench/quickScenes.js";
import type { BatchEvent } from "../../src/ledger/backend.js";
import { completedFromCheckpoint } from "../../src/ledger/checkpointRecord.js";
import type { JobSettings } from "../../src/ledger/indexRunner.js";
import { openLedger } from "../../src/ledger/ledger.js";
import { Pipeline } from "../../src/ledger/pipeline.js";
import { listScenes } from "../../src/ledger/scenes.js";
import { tempDir } from "../engine/helpers.js";
import { query } from "./helpers.js";

const work = tempDir("ledger-reconcile");
const scenes = join(work, "scenes");
const out = join(work, "out");
const dbDir = join(work, "db");
const params = { framesPerVideo: 6 };
const settings: JobSettings = { params, until: "MetadataExtraction" };

function pipeline() {
  return new Pipeline({
    source: scenes,
    output: out,
    params,
    until: "MetadataExtraction",
    resume: true,
    dbDir,
  });
}

beforeAll(async () => {
  await makeQuickScenes(scenes, 3);
  const first = pipeline();
  const run = await first.run();
  first.close();
  expect(run.summary).toMatchObject({ total: 3, completed: 3, failed: 0 });
}, 120_000);

describe("a resumed batch reconciles its ledger from checkpoints", () => {
  it("a failure recorded for a complete index becomes its checkpoint's record; nothing runs", async () => {
    const p = pipeline();
    const db = p.dbPath!;
    p.close();
    // What the coordinator wrote for an index its worker had completed.
    const ledger = openLedger(db, { config: p.config });
    const before = ledger.indexRecord(1)!;
    ledger.recordIndex({
      ...{ idx: 1, scene: "scene-001", status: "error", outputPaths: [], completedAt: "x" },
      ...{ wallTimeNs: 0, peakMemoryBytes: null, gpuMemoryBytes: null, stages: [] },
      ...{ artifacts: [], workerId: null, attempts: 1 },
      error: "queue job failed: no reason recorded (attempt 0/3)",
    });
    ledger.close();
    const again = pipeline();
    const events: BatchEvent[] = [];
    again.subscribe((e) => events.push(e));
    const run = await again.run();
    again.close();
    expect(events.filter((e) => e.type === "index-start")).toEqual([]);
    expect(run.summary).toMatchObject({ total: 3, completed: 3, failed: 0 });
    const row = query(db, "SELECT status, error, output_paths FROM index_results WHERE idx = 1")[0];
    expect(row).toMatchObject({ status: "completed", error: null });
    expect(JSON.parse(row.output_paths)).toEqual(before.outputPaths);
    const stages = query(db, "SELECT stage_name, status FROM stage_metrics WHERE idx = 1");
    expect(stages.map((s) => s.stage_name)).toEqual([
      "Validation",
      "FrameExtraction",
      "MetadataExtraction",
    ]);
    const logs = query(db, "SELECT message FROM logs WHERE idx = 1 AND level_name = 'WARNING'");
    expect(logs.map((l) => l.message).join("\n")).toMatch(/checkpoint shows it complete/);
  }, 120_000);

  it("a checkpoint shows an index complete only as this batch would run it", async () => {
    const task = listScenes(scenes, out)[2]!;
    expect(await completedFromCheckpoint(task, settings)).toMatchObject({ status: "completed" });
    const otherParams = { ...settings, params: { framesPerVideo: 7 } };
    expect(await completedFromCheckpoint(task, otherParams)).toBeNull();
    const further = { ...settings, until: "ManifestGeneration" as const };
    expect(await completedFromCheckpoint(task, further)).toBeNull();
    const elsewhere = { ...task, input: join(scenes, "scene-000") };
    expect(await completedFromCheckpoint(elsewhere, settings)).toBeNull();
    // A stage that did not finish: not complete, and a resumed batch runs the index.
    const cpPath = join(task.output, ".checkpoint.json");
    const cp = JSON.parse(readFileSync(cpPath, "utf8"));
    cp.stages.MetadataExtraction.state = "failed";
    writeFileSync(cpPath, JSON.stringify(cp));
    expect(await completedFromCheckpoint(task, settings)).toBeNull();
  });
});
