import { existsSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanupExpired, retentionDaysFromEnv } from "../../src/engine/index.js";
import { createCheckpointWriter, newCheckpoint } from "../../src/engine/checkpointStore.js";
import type { JobStage } from "../../src/contracts/stages.js";
import { tempDir } from "./helpers.js";

const DAY = 86400;

/** Writes a checkpoint at `stage`, last written `ageDays` ago, with a temp folder. */
async function job(root: string, name: string, stage: JobStage, ageDays: number, tempRoot: string) {
  const output = join(root, name);
  mkdirSync(output, { recursive: true });
  const temp = join(tempRoot, `splatbook-${name}`);
  mkdirSync(temp, { recursive: true });
  writeFileSync(join(output, "model.ply"), "product");
  const cp = newCheckpoint({
    jobId: name,
    inputFolder: "/in",
    outputFolder: output,
    tempFolder: temp,
    params: {},
  });
  cp.stage = stage;
  await createCheckpointWriter(output).write(cp);
  // Rewrite the timestamp by hand (the writer stamps "now").
  cp.timestamp = Math.floor(Date.now() / 1000) - ageDays * DAY;
  writeFileSync(join(output, ".checkpoint.json"), JSON.stringify(cp));
  return { output, temp };
}

describe("retention", () => {
  it("removes completed checkpoints and temp folders older than the limit, nothing else", async () => {
    const root = tempDir("ret");
    const tempRoot = tempDir("ret-tmp");
    const oldDone = await job(root, "old-done", "Completed", 8, tempRoot);
    const newDone = await job(root, "new-done", "Completed", 2, tempRoot);
    const oldUnfinished = await job(root, "old-unfinished", "Training", 30, tempRoot);
    const locked = await job(root, "locked", "Completed", 9, tempRoot);
    writeFileSync(
      join(locked.output, ".splatbook.lock"),
      JSON.stringify({
        pid: process.pid,
        hostname: hostname(),
        started_at: new Date().toISOString(),
      }),
    );
    // An orphan temp folder untouched for 10 days, and a recent one.
    const orphan = join(tempRoot, "splatbook-orphan");
    mkdirSync(orphan);
    const past = new Date(Date.now() - 10 * DAY * 1000);
    utimesSync(orphan, past, past);
    for (const j of [oldUnfinished, newDone]) utimesSync(j.temp, past, past);
    mkdirSync(join(tempRoot, "splatbook-recent"));
    mkdirSync(join(tempRoot, "not-ours"));
    utimesSync(join(tempRoot, "not-ours"), past, past);

    const report = await cleanupExpired({ outputRoot: root, retentionDays: 7, tempRoot });
    expect(report.checkpointsRemoved).toEqual([join(oldDone.output, ".checkpoint.json")]);
    expect(report.tempFoldersRemoved.sort()).toEqual([oldDone.temp, orphan].sort());
    expect(existsSync(join(oldDone.output, "model.ply"))).toBe(true);
    for (const kept of [newDone, oldUnfinished, locked]) {
      expect(existsSync(join(kept.output, ".checkpoint.json"))).toBe(true);
      expect(existsSync(kept.temp)).toBe(true);
    }
    expect(existsSync(join(tempRoot, "splatbook-recent"))).toBe(true);
    expect(existsSync(join(tempRoot, "not-ours"))).toBe(true);

    // The output folder itself may be a job folder; retention 0 days removes any completed one.
    const again = await cleanupExpired({ outputRoot: newDone.output, retentionDays: 0, tempRoot });
    expect(again.checkpointsRemoved).toEqual([join(newDone.output, ".checkpoint.json")]);
  });

  it("reads CLEANUP_RETENTION_DAYS with the seed default of 7", () => {
    expect(retentionDaysFromEnv({})).toBe(7);
    expect(retentionDaysFromEnv({ CLEANUP_RETENTION_DAYS: "0.5" })).toBe(0.5);
    expect(() => retentionDaysFromEnv({ CLEANUP_RETENTION_DAYS: "-1" })).toThrow(
      /CLEANUP_RETENTION_DAYS/,
    );
    expect(() => retentionDaysFromEnv({ CLEANUP_RETENTION_DAYS: "week" })).toThrow(/got "week"/);
  });
});
