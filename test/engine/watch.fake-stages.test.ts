// Watch mode with stand-in stages (fake stages): waits for folders to settle, processes each
// into OUTPUT/<job_id>, retries failures a bounded number of times, then moves them to .failed/.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { JobEvent } from "../../src/contracts/events.js";
import { watchFolder } from "../../src/engine/index.js";
import { createHealthTracker } from "../../src/status/index.js";
import { fakeStages } from "./fakeStages.js";
import { recordingLogger, tempDir, waitFor } from "./helpers.js";

describe("watch (fake stages)", () => {
  it("processes settled scene folders, retries then quarantines failures, reports watching", async () => {
    const inputRoot = tempDir("watch-in");
    const outputRoot = tempDir("watch-out");
    const controller = new AbortController();
    const health = createHealthTracker("watching");
    const log = recordingLogger();
    const done: { jobId: string; ok: boolean; error?: string }[] = [];
    const jobStarts: { jobId: string }[] = [];
    // Writes into the growing scene and job starts, in the order they happened.
    const events: string[] = [];
    const watching = watchFolder({
      inputRoot,
      outputRoot,
      stages: fakeStages(),
      stableSecs: 0.6,
      pollSecs: 0.1,
      maxAttempts: 2,
      signal: controller.signal,
      logger: log,
      onEvent: (e: JobEvent) => {
        health.onEvent(e);
        if (e.type !== "job-start") return;
        jobStarts.push({ jobId: e.jobId });
        events.push(`start ${e.jobId}`);
      },
      onWatching: (err) => health.setWatching(err),
      onJobDone: (d) => done.push(d),
    });
    try {
      // A scene still being copied: it grows for a while, polled every 0.1 s; its job must start
      // only after the last write, once.
      const growing = join(inputRoot, "Scene One");
      mkdirSync(growing);
      for (let i = 0; i < 6; i++) {
        appendFileSync(join(growing, "clip.mp4"), Buffer.alloc(1000, i));
        events.push("write");
        await new Promise((r) => setTimeout(r, 200));
      }
      const bad = join(inputRoot, "bad-scene");
      mkdirSync(bad);
      writeFileSync(join(bad, "FAIL"), "");
      mkdirSync(join(inputRoot, ".hidden"));

      await waitFor(
        () =>
          done.filter((d) => d.jobId === "bad-scene").length === 2 &&
          done.some((d) => d.jobId === "Scene-One"),
        30_000,
        "jobs",
      );
      // The watcher logs the move once error.txt is written: wait for both.
      await waitFor(
        () =>
          existsSync(join(inputRoot, ".failed", "bad-scene", "error.txt")) &&
          log.lines.some((l) => l.includes("moved") && l.includes(".failed")),
        5000,
        "quarantine",
      );

      const sceneOne = events.filter((e) => e !== "start bad-scene");
      expect(sceneOne).toEqual([...Array(6).fill("write"), "start Scene-One"]);
      const cp = JSON.parse(
        readFileSync(join(outputRoot, "Scene-One", ".checkpoint.json"), "utf8"),
      );
      expect(cp.stage).toBe("Completed");
      expect(cp.input_folder).toBe(growing);

      expect(done.filter((d) => d.jobId === "bad-scene").map((d) => d.ok)).toEqual([false, false]);
      expect(existsSync(bad)).toBe(false);
      const errorText = readFileSync(join(inputRoot, ".failed", "bad-scene", "error.txt"), "utf8");
      expect(errorText).toContain("after 2 attempt(s)");
      expect(errorText).toContain("this scene is marked to fail");
      expect(existsSync(join(inputRoot, ".failed", "bad-scene", "FAIL"))).toBe(true);
      expect(log.lines.some((l) => l.includes("moved") && l.includes(".failed"))).toBe(true);

      await waitFor(() => health.snapshot().state === "watching", 5000, "watching");
      expect(health.snapshot().error_message).toMatch(/bad-scene: .*marked to fail/);
      // Completed scenes are not processed again while unchanged.
      const before = jobStarts.length;
      await new Promise((r) => setTimeout(r, 900));
      expect(jobStarts.length).toBe(before);
      expect(existsSync(join(outputRoot, ".hidden"))).toBe(false);
    } finally {
      controller.abort();
      await watching;
    }
    // A restarted watcher looks at the completed scene again: every stage is reused.
    const runsLog = join(outputRoot, "Scene-One", "runs.log");
    expect(readFileSync(runsLog, "utf8").trim().split("\n")).toHaveLength(8);
    const second = new AbortController();
    const cached: string[] = [];
    const rerun: { jobId: string; ok: boolean }[] = [];
    const again = watchFolder({
      inputRoot,
      outputRoot,
      stages: fakeStages(),
      stableSecs: 0.2,
      pollSecs: 0.1,
      signal: second.signal,
      onEvent: (e) => void (e.type === "stage-cached" && cached.push(e.stage)),
      onJobDone: (d) => rerun.push(d),
    });
    try {
      await waitFor(() => rerun.length === 1, 10_000, "rerun");
      expect(rerun[0]).toMatchObject({ jobId: "Scene-One", ok: true });
      expect(cached).toHaveLength(8);
      expect(readFileSync(runsLog, "utf8").trim().split("\n")).toHaveLength(8);
    } finally {
      second.abort();
      await again;
    }
  });
});
