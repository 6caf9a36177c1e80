import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
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
  it("removes expired completed checkpoints and expired jobs' temp folders, nothing else", async () => {
    const root = tempDir("ret");
    const tempRoot = tempDir("ret-tmp");
    const oldDone = await job(root, "old-done", "Completed", 8, tempRoot);
    const newDone = await job(root, "new-done", "Completed", 2, tempRoot);
    const oldUnfinished = await job(root, "old-unfinished", "Training", 30, tempRoot);
    const newUnfinished = await job(root, "new-unfinished", "Training", 1, tempRoot);
    const locked = await job(root, "locked", "Completed", 9, tempRoot);
    writeFileSync(
      join(locked.output, ".splatbook.lock"),
      JSON.stringify({
        pid: process.pid,
        hostname: hostname(),
        started_at: new Date().toISOString(),
      }),
    );
    // Scratch folders no checkpoint names are never touched, however old.
    const stranger = join(tempRoot, "splatbook-someone-else");
    mkdirSync(stranger);
    const past = new Date(Date.now() - 30 * DAY * 1000);
    utimesSync(stranger, past, past);
    // A hand-edited checkpoint pointing elsewhere is not followed.
    const odd = await job(root, "odd", "Completed", 10, tempRoot);
    const cpOdd = JSON.parse(readFileSync(join(odd.output, ".checkpoint.json"), "utf8"));
    cpOdd.temp_folder = stranger;
    writeFileSync(join(odd.output, ".checkpoint.json"), JSON.stringify(cpOdd));

    const report = await cleanupExpired({ outputRoot: root, retentionDays: 7 });
    expect(report.checkpointsRemoved.sort()).toEqual(
      [join(oldDone.output, ".checkpoint.json"), join(odd.output, ".checkpoint.json")].sort(),
    );
    expect(report.tempFoldersRemoved.sort()).toEqual([oldDone.temp, oldUnfinished.temp].sort());
    expect(existsSync(join(oldDone.output, "model.ply"))).toBe(true);
    expect(existsSync(join(oldUnfinished.output, ".checkpoint.json"))).toBe(true);
    for (const kept of [newDone, newUnfinished, locked]) {
      expect(existsSync(join(kept.output, ".checkpoint.json"))).toBe(true);
      expect(existsSync(kept.temp)).toBe(true);
    }
    expect(existsSync(stranger)).toBe(true);
    expect(existsSync(odd.temp)).toBe(true);

    // The output folder may itself be a job folder; 0 days removes any completed one.
    const again = await cleanupExpired({ outputRoot: newDone.output, retentionDays: 0 });
    expect(again.checkpointsRemoved).toEqual([join(newDone.output, ".checkpoint.json")]);
    expect(again.tempFoldersRemoved).toEqual([newDone.temp]);
  });

  it("reads CLEANUP_RETENTION_DAYS, 7 days when unset", () => {
    expect(retentionDaysFromEnv({})).toBe(7);
    expect(retentionDaysFromEnv({ CLEANUP_RETENTION_DAYS: "0.5" })).toBe(0.5);
    expect(() => retentionDaysFromEnv({ CLEANUP_RETENTION_DAYS: "-1" })).toThrow(
      /CLEANUP_RETENTION_DAYS/,
    );
    expect(() => retentionDaysFromEnv({ CLEANUP_RETENTION_DAYS: "week" })).toThrow(/got "week"/);
  });
});
