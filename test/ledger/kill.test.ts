// A batch killed with SIGKILL mid-run, and a worker process killed with SIGKILL mid-stage: the
// resumed batch completes, no completed index runs again, and the ledger passes
// `PRAGMA integrity_check`. Real stages (up to MetadataExtraction) on small ffmpeg clips.
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeQuickScenes } from "../../src/bench/quickScenes.js";
import { tempDir } from "../engine/helpers.js";
import {
  compileCli,
  integrity,
  isProcessAlive,
  onlyLedger,
  query,
  runCli,
  startCli,
  until,
} from "./helpers.js";

let cli: string;
const work = tempDir("ledger-kill");
const scenes = join(work, "scenes");
const SCENES = 6;

beforeAll(async () => {
  cli = await compileCli();
  // Long enough clips that FrameExtraction takes a moment.
  await makeQuickScenes(scenes, SCENES, { seconds: 6, size: "320x240" });
});

function batchArgs(name: string) {
  return [
    ...["batch", scenes, join(work, name, "out"), "--jobs", "2", "--resume"],
    ...["--until", "MetadataExtraction", "--frames-per-video", "24"],
    ...["--db-dir", join(work, name, "db"), "--json"],
  ];
}

const startedIdx = (events: any[]) =>
  events.filter((e) => e.type === "index-start").map((e) => e.idx as number);
const completedRows = (db: string) =>
  query(db, "SELECT idx, completed_at FROM index_results WHERE status = 'completed' ORDER BY idx");

describe("killed batches resume", () => {
  it("SIGKILL of the batch: workers stop, the rerun completes without redoing completed indices", async () => {
    const live = startCli(cli, batchArgs("batch-kill"));
    await until(
      () =>
        live.events.some((e) => e.type === "index-done") &&
        live.events.some(
          (e) =>
            e.type === "index-start" &&
            !live.events.some((d) => d.type === "index-done" && d.idx === e.idx),
        ),
      120_000,
      "one index done and another running",
    );
    const workerPids = live.events.filter((e) => e.type === "worker-start").map((e) => e.pid);
    live.kill("SIGKILL");
    await live.done;
    // Orphaned workers notice the coordinator is gone and exit.
    await until(
      () => workerPids.every((p) => !isProcessAlive(p)),
      30_000,
      "orphaned workers to exit",
    );
    const db = onlyLedger(join(work, "batch-kill", "db"));
    expect(integrity(db)).toBe("ok");
    const before = completedRows(db);
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThan(SCENES);

    const rerun = await runCli(cli, batchArgs("batch-kill"));
    expect(rerun.code, rerun.stderr).toBe(0);
    const done = new Set(before.map((r) => r.idx));
    expect(startedIdx(rerun.events).filter((i) => done.has(i))).toEqual([]);
    expect(rerun.summary.summary).toMatchObject({ total: SCENES, completed: SCENES, failed: 0 });
    const after = completedRows(db);
    expect(after.length).toBe(SCENES);
    for (const r of before) expect(after.find((a) => a.idx === r.idx)).toEqual(r);
    expect(integrity(db)).toBe("ok");
  }, 300_000);

  it("SIGKILL of one worker mid-stage: replaced, its index retried once from its checkpoint", async () => {
    const live = startCli(cli, batchArgs("worker-kill"));
    let victim: { idx: number; pid: number } | undefined;
    await until(
      () => {
        const p = live.events.find(
          (e) => e.type === "index-progress" && e.stage === "FrameExtraction",
        );
        if (!p) return false;
        const w = live.events.find((e) => e.type === "worker-start" && e.workerId === p.workerId);
        victim = { idx: p.idx, pid: w.pid };
        return true;
      },
      120_000,
      "a worker in FrameExtraction",
    );
    process.kill(victim!.pid, "SIGKILL");
    const run = await live.done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary.summary).toMatchObject({ total: SCENES, completed: SCENES, failed: 0 });
    // Every other index started once; the victim's twice (the retry).
    const starts = startedIdx(run.events);
    for (let i = 0; i < SCENES; i++) {
      expect(starts.filter((s) => s === i).length, `index ${i}`).toBe(i === victim!.idx ? 2 : 1);
    }
    const db = onlyLedger(join(work, "worker-kill", "db"));
    const row = query(
      db,
      "SELECT status, attempts FROM index_results WHERE idx = ?",
      victim!.idx,
    )[0];
    expect(row).toEqual({ status: "completed", attempts: 2 });
    // Validation had completed before the kill: the retry reused it from the checkpoint.
    const validation = query(
      db,
      "SELECT status FROM stage_metrics WHERE idx = ? AND stage_name = 'Validation'",
      victim!.idx,
    )[0];
    expect(validation.status).toBe("cached");
    const warnings = query(
      db,
      "SELECT message FROM logs WHERE level = 30 AND logger_name = 'splatbook.batch'",
    );
    expect(warnings.map((w) => w.message).join("\n")).toMatch(
      new RegExp(
        `pid ${victim!.pid} killed by SIGKILL while running index ${victim!.idx}; retrying it`,
      ),
    );
    expect(integrity(db)).toBe("ok");

    const rerun = await runCli(cli, batchArgs("worker-kill"));
    expect(rerun.code).toBe(0);
    expect(startedIdx(rerun.events)).toEqual([]);
    expect(rerun.summary.reused.length).toBe(SCENES);
  }, 300_000);
});
