// The coordinator's job follower on a real Redis (Debian's redis-server on a loopback port) with
// a real BullMQ queue and worker in this process. The race behind "queue job failed: no reason
// recorded" for an index its worker had completed: a poll that read the job while it ran and
// its state just after the worker finished it. The worker is held at a gate so the follower's
// first read is taken while the job runs and the worker finishes the job right after that read.
// And the causes recorded for jobs the queue failed: the worker's error, or (a hash stripped of
// its reason outside the protocol) the job's hash and events.
import { Queue, UnrecoverableError, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BackendRunContext, BatchEvent } from "../../src/ledger/backend.js";
import { JobFollower, type BatchQueue } from "../../src/ledger/bullmq/jobFollower.js";
import type { QueueJobData, QueueJobResult } from "../../src/ledger/bullmq/protocol.js";
import { batchConfig } from "../../src/ledger/config.js";
import type { IndexTask, JobSettings } from "../../src/ledger/indexRunner.js";
import { tempDir } from "../engine/helpers.js";
import { until } from "./helpers.js";
import { startRedis, type TestRedis } from "./redis.js";

let redis: TestRedis;
const work = tempDir("ledger-follower");
const connection = () => {
  const u = new URL(redis.url);
  return { host: u.hostname, port: Number(u.port), maxRetriesPerRequest: null };
};

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis?.stop();
});

const worker = { workerId: "w1", pid: process.pid, hostname: "here", startedAt: "now" };

function context(tasks: IndexTask[], emitted: BatchEvent[]): BackendRunContext {
  const settings: JobSettings = { params: {}, until: "MetadataExtraction" };
  return {
    tasks,
    settings,
    jobs: 1,
    config: batchConfig({ source: join(work, "scenes"), outputs: join(work, "out") }),
    ledger: undefined,
    invocationId: "test",
    batchId: `batch${Date.now()}`,
    resume: false,
    signal: new AbortController().signal,
    emit: (e) => emitted.push(e),
  };
}

/** The index's record a splatbook worker would return. */
function completed(task: IndexTask): QueueJobResult {
  return {
    worker,
    outcome: {
      ...{ idx: task.idx, scene: task.scene, status: "completed", outputPaths: [task.output] },
      ...{ completedAt: new Date().toISOString(), wallTimeNs: 1e9, peakMemoryBytes: null },
      ...{ gpuMemoryBytes: null, error: null, stages: [], artifacts: [] },
    },
  };
}

/**
 * The queue as the follower sees it, except that the first read of a job's hash or state,
 * once `armed`, lets the worker finish the job and waits until the job is completed before
 * handing the (by then stale) read back.
 */
function racingQueue(queue: BatchQueue, finish: () => Promise<void>) {
  const state = { armed: false };
  const proxy = new Proxy(queue, {
    get(target, prop, receiver) {
      const real = Reflect.get(target, prop, receiver);
      if (prop !== "getJob" && prop !== "getJobState") return real;
      return async (jobId: string) => {
        const read = await (real as (id: string) => Promise<unknown>).call(target, jobId);
        if (state.armed) {
          state.armed = false;
          await finish();
        }
        return read;
      };
    },
  });
  return { queue: proxy, state };
}

describe("JobFollower on a real queue", () => {
  it("a job that completes between the follower's reads is recorded completed", async () => {
    const name = `race${Date.now()}`;
    const queue: BatchQueue = new Queue<QueueJobData, QueueJobResult>(name, {
      connection: connection(),
    });
    let open: () => void = () => {};
    const gate = new Promise<void>((r) => (open = r));
    let running = false;
    const w = new Worker<QueueJobData, QueueJobResult>(
      name,
      async (job: Job<QueueJobData, QueueJobResult>) => {
        running = true;
        await gate;
        return completed(job.data.task);
      },
      { connection: connection() },
    );
    try {
      mkdirSync(join(work, "out"), { recursive: true });
      const task: IndexTask = {
        ...{ idx: 0, scene: "a", input: join(work, "scenes", "a") },
        output: join(work, "out", "a"),
      };
      const emitted: BatchEvent[] = [];
      const ctx = context([task], emitted);
      const jobId = `${ctx.batchId}-0`;
      const finish = async () => {
        open();
        await until(() => finishedState === "completed", 30_000, "the worker to complete");
      };
      let finishedState = "";
      const poller = setInterval(async () => {
        finishedState = await queue.getJobState(jobId);
      }, 20);
      const racing = racingQueue(queue, finish);
      const follower = new JobFollower(ctx, racing.queue, { describe: async () => "" });
      await follower.enqueue(task);
      await until(() => running, 30_000, "the worker to start the job");
      racing.state.armed = true;
      await follower.check(jobId); // the read the worker's completion races
      await follower.check(jobId); // the job is completed by now
      clearInterval(poller);
      const done = emitted.filter((e) => e.type === "index-done");
      expect(done).toEqual([expect.objectContaining({ idx: 0, status: "completed", error: null })]);
      expect(racing.state.armed).toBe(false); // the race did happen
    } finally {
      await w.close();
      await queue.close();
    }
  }, 60_000);

  it("a failed job is recorded with its cause; one without a reason, with its hash and events", async () => {
    const name = `fail${Date.now()}`;
    const queue: BatchQueue = new Queue<QueueJobData, QueueJobResult>(name, {
      connection: connection(),
    });
    const w = new Worker<QueueJobData, QueueJobResult>(
      name,
      async (job: Job<QueueJobData, QueueJobResult>) => {
        throw new UnrecoverableError(`index ${job.data.task.idx}: disk full`);
      },
      { connection: connection() },
    );
    const raw = new Redis(redis.url);
    try {
      const tasks: IndexTask[] = [0, 1].map((idx) => ({
        ...{ idx, scene: `s${idx}`, input: join(work, "scenes", `s${idx}`) },
        output: join(work, "out", `s${idx}`),
      }));
      const emitted: BatchEvent[] = [];
      const ctx = context(tasks, emitted);
      const follower = new JobFollower(ctx, queue, {
        describe: async (jobId) =>
          `hash of ${jobId}: ${JSON.stringify(await raw.hgetall(queue.toKey(jobId)))}`,
      });
      for (const t of tasks) await follower.enqueue(t);
      const ids = tasks.map((t) => `${ctx.batchId}-${t.idx}`);
      for (const id of ids) {
        for (let t = 0; (await queue.getJobState(id)) !== "failed"; t++) {
          if (t > 300) throw new Error(`job ${id} did not fail`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      // Outside the protocol: the reason of index 1's job is gone from its hash.
      await raw.hdel(queue.toKey(ids[1]!), "failedReason");
      for (const id of ids) await follower.check(id);
      const errors = emitted.filter((e) => e.type === "index-done").map((e: any) => e.error);
      expect(errors[0]).toMatch(/^queue job failed: index 0: disk full \(attempt 1\/3/);
      expect(errors[1]).toMatch(
        /^queue job failed: the queue failed it without a reason \(attempt 1\/3\): hash of \S+-1: .*"atm":"1"/,
      );
    } finally {
      raw.disconnect();
      await w.close();
      await queue.close();
    }
  }, 60_000);
});
