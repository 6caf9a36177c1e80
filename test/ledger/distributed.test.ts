// The BullMQ backend on a real Redis (Debian's redis-server on a loopback port) with real
// `splatbook worker` processes, each in its own working folder, and the real stages up to
// MetadataExtraction on small ffmpeg clips: all indices recorded once; a worker killed mid-stage
// hands its job to another that resumes from the checkpoint; a killed coordinator restarted
// fills in the ledger; a Redis restart pauses workers, which reconnect and finish.
import Database from "better-sqlite3";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeQuickScenes } from "../../src/bench/quickScenes.js";
import { tempDir } from "../engine/helpers.js";
import {
  compileCli,
  integrity,
  onlyLedger,
  query,
  runCli,
  startCli,
  until,
  type LiveBatch,
} from "./helpers.js";
import { startRedis, type TestRedis } from "./redis.js";

let cli: string;
let redis: TestRedis;
const work = tempDir("ledger-distributed");
const scenes = join(work, "scenes");
const SCENES = 6;
const workers: LiveBatch[] = [];

beforeAll(async () => {
  cli = await compileCli();
  redis = await startRedis();
  await makeQuickScenes(scenes, SCENES, { seconds: 6, size: "320x240" });
});

afterAll(async () => {
  for (const w of workers) w.kill("SIGKILL");
  await Promise.all(workers.map((w) => w.done));
  await redis?.stop();
});

/** A busy loop on SIGUSR2 in the worker process (see fixtures/blockOnSignal.mjs). */
const BLOCKER = `--import=${pathToFileURL(join(import.meta.dirname, "fixtures", "blockOnSignal.mjs")).href}`;

/** Starts `count` workers on `queue`, each with its own working folder (cwd and TMPDIR). */
async function startWorkers(
  queue: string,
  count: number,
  env: NodeJS.ProcessEnv = {},
): Promise<LiveBatch[]> {
  const started: LiveBatch[] = [];
  for (let i = 0; i < count; i++) {
    const dir = join(work, queue, `worker-${i}`);
    mkdirSync(dir, { recursive: true });
    const args = ["worker", "--redis", redis.url, "--queue", queue, "--lock-secs", "5"];
    const w = startCli(cli, [...args, "--health-port", "0"], {
      ...{ env: { TMPDIR: dir, ...env }, cwd: dir, detached: true },
    });
    started.push(w);
    workers.push(w);
  }
  for (const w of started) {
    await until(() => /health endpoint: \S+\n/.test(w.stdout()), 60_000, "a worker to start");
  }
  return started;
}

async function stopWorkers(list: LiveBatch[]) {
  for (const w of list) w.kill("SIGTERM");
  const exits = await Promise.all(list.map((w) => w.done));
  for (const e of exits) expect(e.code, e.stderr).toBe(0);
}

/** The first worker seen in FrameExtraction, with the index it runs. */
async function workerInFrameExtraction(live: LiveBatch) {
  let victim: { idx: number; pid: number; workerId: string } | undefined;
  await until(
    () => {
      const p = live.events.find(
        (e) => e.type === "index-progress" && e.stage === "FrameExtraction",
      );
      const w =
        p && live.events.find((e) => e.type === "worker-start" && e.workerId === p.workerId);
      if (w) victim = { idx: p.idx, pid: w.pid, workerId: w.workerId };
      return Boolean(w);
    },
    120_000,
    "a worker in FrameExtraction",
  );
  return victim!;
}

function batchArgs(queue: string) {
  return [
    ...["batch", scenes, join(work, queue, "out"), "--backend", "bullmq", "--redis", redis.url],
    ...["--queue", queue, "--resume", "--until", "MetadataExtraction", "--frames-per-video", "24"],
    ...["--db-dir", join(work, queue, "db"), "--json"],
  ];
}

/** Every index completed, recorded once, delivered `attempts` times per its log lines. */
function expectRecordedOnce(db: string) {
  const rows = query(db, "SELECT idx, status FROM index_results ORDER BY idx");
  expect(rows).toEqual(Array.from({ length: SCENES }, (_, idx) => ({ idx, status: "completed" })));
  const deliveries = query(
    db,
    "SELECT r.idx, r.attempts, COUNT(l.id) AS marks FROM index_results r LEFT JOIN logs l ON l.idx = r.idx AND l.message LIKE '%delivered to worker%' GROUP BY r.idx ORDER BY r.idx",
  );
  for (const d of deliveries) expect(d.marks, `index ${d.idx}`).toBe(d.attempts);
  expect(integrity(db)).toBe("ok");
  return deliveries;
}

describe("splatbook batch --backend bullmq with splatbook worker processes", () => {
  it("3 workers, 6 scenes: all complete, each index recorded once; /health answers", async () => {
    const list = await startWorkers("three", 3);
    const healthUrl = /health endpoint: (\S+)/.exec(list[0]!.stdout())![1]!;
    const states = new Set<string>();
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const body = await fetch(healthUrl).then((r) => r.json() as Promise<any>);
        states.add(body.state);
        if (body.state === "processing") expect(body.current_job.job_id).toMatch(/^scene-/);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const run = await runCli(cli, batchArgs("three"));
    polling = false;
    await poll;
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary.summary).toMatchObject({ total: SCENES, completed: SCENES, failed: 0 });
    const db = onlyLedger(join(work, "three", "db"));
    expectRecordedOnce(db);
    const rows = query(db, "SELECT pid, hostname, backend, completed_count FROM workers");
    expect(rows.map((w) => w.pid).sort()).toEqual(list.map((w) => w.pid).sort());
    expect(rows.every((w) => w.backend === "bullmq" && w.completed_count >= 1)).toBe(true);
    expect(states.has("processing")).toBe(true);
    const last = await fetch(healthUrl).then((r) => r.json() as Promise<any>);
    expect(last).toMatchObject({
      state: "watching",
      worker: { pid: list[0]!.pid, redis: "connected" },
    });
    expect(last.current_job).toHaveProperty("stage");
    await stopWorkers(list);
    // The ledger missed three ends and the queue lost its jobs (another queue, no worker on
    // it): resumed, the coordinator records those indices from their checkpoints, runs nothing.
    const conn = new Database(db);
    conn.prepare("DELETE FROM index_results WHERE idx IN (1, 3, 5)").run();
    conn.close();
    const args = batchArgs("three");
    args[args.indexOf("--queue") + 1] = "three-lost";
    const again = await runCli(cli, args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.events.filter((e) => e.type === "index-start")).toEqual([]);
    expect(again.summary.summary).toMatchObject({ total: SCENES, completed: SCENES, failed: 0 });
    const fromCheckpoints = query(db, "SELECT idx FROM index_results WHERE worker_id IS NULL");
    expect(fromCheckpoints.map((r) => r.idx)).toEqual([1, 3, 5]);
  }, 300_000);

  it("kill -9 of a worker mid-stage: another worker resumes the job from its checkpoint", async () => {
    const list = await startWorkers("kill", 2);
    const live = startCli(cli, batchArgs("kill"));
    const victim = await workerInFrameExtraction(live);
    const out = join(work, "kill", "out", `scene-00${victim.idx}`);
    const before = JSON.parse(readFileSync(join(out, ".checkpoint.json"), "utf8"));
    expect(before.stages.Validation.state).toBe("completed");
    process.kill(victim.pid, "SIGKILL");
    const run = await live.done;
    const failed = run.summary?.results.filter((r: any) => r.status !== "completed");
    expect(run.code, JSON.stringify(failed) + run.stderr).toBe(0);
    const db = onlyLedger(join(work, "kill", "db"));
    const deliveries = expectRecordedOnce(db);
    // Two deliveries at least (a loaded machine may let a slow worker's claim lapse once more).
    expect(deliveries.find((d) => d.idx === victim.idx)!.attempts).toBeGreaterThanOrEqual(2);
    // Validation was not run again: reused from the checkpoint, same finish time.
    const after = JSON.parse(readFileSync(join(out, ".checkpoint.json"), "utf8"));
    expect(after.stages.Validation.finished_at).toBe(before.stages.Validation.finished_at);
    const stage = query(
      db,
      "SELECT status FROM stage_metrics WHERE idx = ? AND stage_name = 'Validation'",
      victim.idx,
    )[0];
    expect(stage.status).toBe("cached");
    const finishedBy = query(
      db,
      "SELECT w.pid FROM index_results r JOIN workers w ON w.worker_id = r.worker_id WHERE r.idx = ?",
      victim.idx,
    )[0];
    expect(finishedBy.pid).not.toBe(victim.pid);
    await stopWorkers(list.filter((w) => w.pid !== victim.pid));
  }, 300_000);

  it("a worker blocked past its lock loses the job; its late end corrupts nothing", async () => {
    const env = { NODE_OPTIONS: BLOCKER, SPLATBOOK_TEST_BLOCK_MS: "25000" };
    const list = await startWorkers("blocked", 2, env);
    const live = startCli(cli, batchArgs("blocked"));
    const victim = await workerInFrameExtraction(live);
    process.kill(victim.pid, "SIGUSR2"); // its event loop stops for 25 s (lock: 5 s)
    const run = await live.done;
    const failed = run.summary?.results.filter((r: any) => r.status !== "completed");
    expect(run.code, JSON.stringify(failed) + run.stderr).toBe(0);
    const db = onlyLedger(join(work, "blocked", "db"));
    const deliveries = expectRecordedOnce(db);
    expect(deliveries.find((d) => d.idx === victim.idx)!.attempts).toBeGreaterThanOrEqual(2);
    // The other worker finished it; the blocked one's end (lapsed claim) was refused by the queue.
    const row = query(db, "SELECT worker_id FROM index_results WHERE idx = ?", victim.idx)[0];
    expect(row.worker_id).not.toBe(victim.workerId);
    const out = join(work, "blocked", "out", `scene-00${victim.idx}`);
    const cp = JSON.parse(readFileSync(join(out, ".checkpoint.json"), "utf8"));
    expect(cp.stage).toBe("ManifestGeneration");
    expect(cp.stages.MetadataExtraction.state).toBe("completed");
    const blocked = list.find((w) => w.pid === victim.pid)!;
    console.log(`blocked worker's log:\n${blocked.stdout()}${blocked.stderr()}`);
    await stopWorkers(list);
  }, 300_000);

  it("a killed coordinator, restarted, completes the batch with a consistent ledger", async () => {
    const list = await startWorkers("coordinator", 2);
    const first = startCli(cli, batchArgs("coordinator"));
    await until(() => first.events.some((e) => e.type === "index-done"), 120_000, "a first index");
    first.kill("SIGKILL");
    await first.done;
    const db = onlyLedger(join(work, "coordinator", "db"));
    const recordedBefore = query(db, "SELECT COUNT(*) AS n FROM index_results")[0].n;
    expect(recordedBefore).toBeLessThan(SCENES);
    // The workers finish the batch meanwhile (each output folder's checkpoint moves past
    // MetadataExtraction); the restarted coordinator records all of it without running anything.
    const next = (i: number) => {
      try {
        const cp = join(work, "coordinator", "out", `scene-00${i}`, ".checkpoint.json");
        return JSON.parse(readFileSync(cp, "utf8")).stage;
      } catch {
        return undefined;
      }
    };
    const all = Array.from({ length: SCENES }, (_, i) => i);
    await until(() => all.every((i) => next(i) === "ManifestGeneration"), 120_000, "the workers");
    const second = await runCli(cli, batchArgs("coordinator"));
    expect(second.events.filter((e) => e.type === "index-start")).toEqual([]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.summary.summary).toMatchObject({ total: SCENES, completed: SCENES, failed: 0 });
    expect(onlyLedger(join(work, "coordinator", "db"))).toBe(db);
    expectRecordedOnce(db);
    await stopWorkers(list);
  }, 300_000);

  it("Redis restarted mid-batch: workers pause, reconnect and the batch completes", async () => {
    const list = await startWorkers("restart", 2);
    const live = startCli(cli, batchArgs("restart"));
    await until(() => live.events.some((e) => e.type === "index-done"), 120_000, "a first index");
    await redis.restart(2000);
    const run = await live.done;
    expect(run.code, `${run.stderr}\n${JSON.stringify(run.summary)}`).toBe(0);
    expect(run.summary.summary).toMatchObject({ total: SCENES, completed: SCENES, failed: 0 });
    expectRecordedOnce(onlyLedger(join(work, "restart", "db")));
    for (const w of list) {
      expect(w.stdout() + w.stderr()).toMatch(/pausing until it is back/);
      expect(w.stdout() + w.stderr()).toMatch(/Redis reconnected; resuming/);
    }
    await stopWorkers(list);
  }, 300_000);

  it("refuses a Redis that may evict keys, naming the policy", async () => {
    const lru = await startRedis({ policy: "allkeys-lru" });
    try {
      const w = await runCli(cli, ["worker", "--redis", lru.url]);
      expect(w.code).toBe(1);
      expect(w.stderr).toMatch(/maxmemory-policy allkeys-lru.*set "maxmemory-policy noeviction"/);
      const b = await runCli(cli, [
        ...["batch", scenes, join(work, "lru", "out"), "--backend", "bullmq"],
        ...["--redis", lru.url, "--db-dir", join(work, "lru", "db")],
      ]);
      expect(b.code).toBe(1);
      expect(b.stderr).toMatch(/maxmemory-policy allkeys-lru/);
    } finally {
      await lru.stop();
    }
  }, 120_000);
});
