// Stopping `splatbook worker` (real process, real Redis from Debian's redis-server on a loopback
// port, real stages on a small ffmpeg clip): SIGTERM while a job runs and Redis is gone ends
// the process by itself within its stop budget (--stop-secs, 10 s by default), exit 0 or 143,
// with the job's checkpoint still valid. The elapsed time is printed, not asserted: the test
// only gives up (SIGKILL, failure) well past the budget.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckpointSchema } from "../../src/contracts/checkpoint.js";
import { makeQuickScenes } from "../../src/bench/quickScenes.js";
import { tempDir } from "../engine/helpers.js";
import { compileCli, startCli, until, type LiveBatch } from "./helpers.js";
import { startRedis, type TestRedis } from "./redis.js";

let cli: string;
let redis: TestRedis;
const work = tempDir("ledger-worker-stop");
const scenes = join(work, "scenes");
const started: LiveBatch[] = [];

beforeAll(async () => {
  cli = await compileCli();
  redis = await startRedis();
  // Long enough that FrameExtraction is still running when Redis goes.
  await makeQuickScenes(scenes, 2, { seconds: 20, size: "320x240" });
});

afterAll(async () => {
  for (const p of started) p.kill("SIGKILL");
  await Promise.all(started.map((p) => p.done));
  await redis?.stop();
});

/** Waits for the process to end; SIGKILL (and a failed assertion) after `ms`. */
async function endsWithin(p: LiveBatch, ms: number) {
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    p.kill("SIGKILL");
  }, ms);
  const run = await p.done;
  clearTimeout(timer);
  return { ...run, killed };
}

describe("splatbook worker stops within its budget", () => {
  it("SIGTERM while a job runs and Redis is stopped: exits by itself, 0 or 143", async () => {
    const w = startCli(cli, ["worker", "--redis", redis.url, "--queue", "stop", "--json-log"], {
      env: { TMPDIR: work },
      cwd: work,
    });
    started.push(w);
    await until(() => /takes jobs/.test(w.stdout() + w.stderr()), 60_000, "the worker to start");
    const batch = startCli(cli, [
      ...["batch", scenes, join(work, "out"), "--backend", "bullmq", "--redis", redis.url],
      ...["--queue", "stop", "--until", "MetadataExtraction", "--db-dir", join(work, "db")],
      "--json",
    ]);
    started.push(batch);
    await until(
      () => batch.events.some((e) => e.type === "index-progress" && e.stage === "FrameExtraction"),
      120_000,
      "a job in FrameExtraction",
    );
    await redis.stop();
    await until(() => /pausing until it is back/.test(w.stdout()), 30_000, "the worker to notice");
    const t0 = performance.now();
    w.kill("SIGTERM");
    const run = await endsWithin(w, 40_000);
    const secs = (performance.now() - t0) / 1000;
    console.log(`worker exited ${secs.toFixed(1)} s after SIGTERM with Redis stopped`);
    expect(run.killed, run.stdout + run.stderr).toBe(false);
    expect([0, 143]).toContain(run.code);
    expect(run.stdout).toMatch(/stopping: 1 running job\(s\) go back to the queue/);
    // The interrupted job left a checkpoint that still reads (written atomically).
    const cp = JSON.parse(readFileSync(join(work, "out", "scene-000", ".checkpoint.json"), "utf8"));
    expect(CheckpointSchema.safeParse(cp).success).toBe(true);
    batch.kill("SIGKILL");
    await batch.done;
  }, 300_000);
});
