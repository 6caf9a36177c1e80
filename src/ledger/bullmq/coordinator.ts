import { Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { SplatbookError } from "../../util/errors.js";
import type { BackendRunContext, BatchBackend } from "../backend.js";
import type { LogEntry } from "../ledger.js";
import { logBatchLine } from "../worker.js";
import { completedFromCheckpoint } from "../checkpointRecord.js";
import { JobFollower, type BatchQueue } from "./jobFollower.js";
import {
  DEFAULT_QUEUE,
  type QueueJobData,
  type QueueJobProgress,
  type QueueJobResult,
} from "./protocol.js";
import { closeRedis, openRedis, redisLabel } from "./redis.js";

/** Options of the BullMQ backend. */
export interface QueueBackendOptions {
  redis?: string;
  queue?: string;
}

/** How often the coordinator checks its jobs' states (events may be missed while it is down). */
const POLL_MS = 2_000;
/** Events of the queue's stream searched for a job's history when it is described. */
const EVENTS_SEARCHED = 5_000;

/**
 * The distributed backend: one BullMQ job per index on a Redis queue, run by `splatbook worker`
 * processes on any machine that sees the same scenes and outputs roots. This process is the
 * coordinator and the only writer of the ledger: it records workers, starts, results and log
 * lines from the jobs' progress events, return values and logs. Job ids are stable per ledger
 * file, so a coordinator started again on the same batch (`--resume`) reattaches to its jobs and
 * records what finished while it was away.
 */
export function createQueueBackend(opts: QueueBackendOptions): BatchBackend {
  return {
    name: "bullmq",
    run(ctx) {
      if (!opts.redis)
        throw new SplatbookError("--backend bullmq needs --redis redis://host:port/db");
      return coordinate(ctx, opts.redis, opts.queue ?? DEFAULT_QUEUE);
    },
  };
}

async function coordinate(ctx: BackendRunContext, url: string, queueName: string) {
  const say = (level: LogEntry["levelName"], message: string) => logBatchLine(ctx, level, message);
  const conn = await openRedis(url, {
    onLost: (reason) => say("WARNING", `Redis ${redisLabel(url)}: ${reason}; waiting for it`),
    onReady: () => {},
  });
  const queue = new Queue<QueueJobData, QueueJobResult>(queueName, { connection: conn });
  const events = new QueueEvents(queueName, { connection: conn.duplicate() });
  queue.on("error", () => {});
  events.on("error", () => {});
  try {
    await events.waitUntilReady();
    const follow = new JobFollower(ctx, queue, {
      describe: (jobId) => describeJob(conn, queue, jobId),
      fromCheckpoint: (task) => completedFromCheckpoint(task, ctx.settings),
    });
    const check = (jobId: string) => void follow.check(jobId).catch(() => {}); // polled again
    events.on("progress", ({ jobId, data }) => follow.progress(jobId, data as QueueJobProgress));
    events.on("completed", ({ jobId }) => check(jobId));
    events.on("failed", ({ jobId }) => check(jobId));
    for (const task of ctx.tasks) await follow.enqueue(task);
    const { results, left } = await follow.wait(POLL_MS);
    if (ctx.signal.aborted) await withdraw(queue, left, say);
    return results;
  } finally {
    await events.close().catch(() => {});
    await queue.close().catch(() => {});
    closeRedis(conn);
  }
}

/**
 * A job's hash (without its data and return value) and its events still in the queue's stream,
 * on one line: what a failure the queue gave no reason for is reported with.
 */
async function describeJob(conn: Redis, queue: BatchQueue, jobId: string): Promise<string> {
  const hash = await conn.hgetall(queue.toKey(jobId));
  delete hash.data;
  delete hash.returnvalue;
  const recent = await conn.xrevrange(queue.keys.events!, "+", "-", "COUNT", EVENTS_SEARCHED);
  const history = recent
    .reverse()
    .map(([, fields]) => Object.fromEntries(pairs(fields)))
    .filter((e) => e.jobId === jobId)
    .map(
      (e) =>
        `${e.event}${e.prev ? `<-${e.prev}` : ""}${e.failedReason ? `(${e.failedReason})` : ""}`,
    );
  return `hash ${JSON.stringify(hash)}; events ${history.join(" ") || "none left"}`;
}

function pairs(fields: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) out.push([fields[i]!, fields[i + 1]!]);
  return out;
}

/** On interruption: removes jobs nobody has started; running ones finish on their workers. */
async function withdraw(
  queue: BatchQueue,
  jobIds: string[],
  say: (level: "WARNING", m: string) => void,
) {
  let running = 0;
  for (const jobId of jobIds) {
    const job = await queue.getJob(jobId);
    const state = job ? await job.getState() : "unknown";
    if (job && (state === "waiting" || state === "delayed" || state === "prioritized")) {
      await job.remove().catch(() => running++);
    } else if (state === "active") running++;
  }
  if (running > 0) {
    say(
      "WARNING",
      `${running} job(s) still running on workers; rerun with --resume to record them`,
    );
  }
}
