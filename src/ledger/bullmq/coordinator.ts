import { Queue, QueueEvents, type Job } from "bullmq";
import { SplatbookError, oneLine } from "../../util/errors.js";
import type { BackendRunContext, BatchBackend, IndexResult } from "../backend.js";
import type { IndexTask } from "../indexRunner.js";
import type { LogEntry } from "../ledger.js";
import { batchLog } from "../worker.js";
import {
  DEFAULT_QUEUE,
  DELIVERY_MARK,
  queueJobId,
  type QueueJobData,
  type QueueJobProgress,
  type QueueJobResult,
  type QueueWorkerIdentity,
} from "./protocol.js";
import { closeRedis, openRedis, redisLabel } from "./redis.js";

/** Options of the BullMQ backend. */
export interface QueueBackendOptions {
  redis?: string;
  queue?: string;
}

/** How often the coordinator checks its jobs' states (events may be missed while it is down). */
const POLL_MS = 2_000;
/** Finished jobs stay in Redis this long, so a coordinator restarted later can still read them. */
const KEEP_FINISHED_SECS = 7 * 24 * 3600;

type QueueJob = Job<QueueJobData, QueueJobResult>;

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
  const say = (level: LogEntry["levelName"], message: string, idx: number | null = null) => {
    const entry = batchLog(level, message, null, idx);
    ctx.ledger?.appendLogs([entry]);
    ctx.emit({ type: "log", entry });
  };
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
    const follow = createFollower(ctx, queue, say);
    events.on("progress", ({ jobId, data }) => follow.progress(jobId, data as QueueJobProgress));
    events.on("completed", ({ jobId }) => void follow.check(jobId));
    events.on("failed", ({ jobId }) => void follow.check(jobId));
    for (const task of ctx.tasks) await follow.enqueue(task);
    return await follow.wait(POLL_MS, say);
  } finally {
    await events.close().catch(() => {});
    await queue.close().catch(() => {});
    closeRedis(conn);
  }
}

/** The queue's reason for a failed job, with its attempts and last stack line when it has them. */
function failureOf(job: QueueJob): string {
  const reason = oneLine(job.failedReason || "no reason recorded");
  const stack = job.stacktrace?.at(-1)?.split("\n")[0];
  return `${reason} (attempt ${job.attemptsMade}/${job.opts.attempts ?? 1}${stack ? `; ${oneLine(stack)}` : ""})`;
}

function logEntries(rows: string[]): LogEntry[] {
  const out: LogEntry[] = [];
  for (const row of rows) {
    try {
      out.push(JSON.parse(row) as LogEntry);
    } catch {
      // a line not written by a splatbook worker
    }
  }
  return out;
}

/** Follows a batch's jobs to the end, recording each in the ledger once. */
function createFollower(
  ctx: BackendRunContext,
  queue: Queue<QueueJobData, QueueJobResult>,
  say: (level: "WARNING", message: string, idx: number) => void,
) {
  const requeued = new Map<string, number>();
  const pending = new Map<string, IndexTask>();
  const checking = new Set<string>();
  const seenWorkers = new Set<string>();
  const starts = new Map<string, number>();
  const results: IndexResult[] = [];
  let wake: () => void = () => {};

  const worker = (w: QueueWorkerIdentity) => {
    if (seenWorkers.has(w.workerId)) return;
    seenWorkers.add(w.workerId);
    ctx.ledger?.ensureWorker({ ...w, invocationId: ctx.invocationId, backend: "bullmq" });
    ctx.emit({ type: "worker-start", workerId: w.workerId, pid: w.pid, hostname: w.hostname });
  };
  const logsOf = async (jobId: string) => logEntries((await queue.getJobLogs(jobId, 0, -1)).logs);

  const record = async (job: QueueJob, task: IndexTask, state: "completed" | "failed") => {
    const logs = await logsOf(job.id!);
    const attempts = Math.max(1, logs.filter((l) => l.message.includes(DELIVERY_MARK)).length);
    const result = state === "completed" ? job.returnvalue : undefined;
    if (result) worker(result.worker);
    const outcome = result?.outcome ?? {
      ...{ idx: task.idx, scene: task.scene, status: "error" as const, outputPaths: [] },
      ...{ completedAt: new Date(job.finishedOn ?? Date.now()).toISOString(), wallTimeNs: 0 },
      ...{ peakMemoryBytes: null, gpuMemoryBytes: null, stages: [], artifacts: [] },
      error: `queue job failed: ${failureOf(job)}`,
    };
    const workerId = result?.worker.workerId ?? null;
    ctx.ledger?.recordIndex({ ...outcome, workerId, attempts }, logs);
    ctx.emit({
      ...{ type: "index-done", workerId, idx: task.idx, scene: task.scene },
      ...{ status: outcome.status, error: outcome.error, wallTimeMs: outcome.wallTimeNs / 1e6 },
      ledgerMs: null,
    });
    results.push({
      ...{ idx: task.idx, scene: task.scene, status: outcome.status, error: outcome.error },
      ...{ outputPaths: outcome.outputPaths, wallTimeMs: outcome.wallTimeNs / 1e6, reused: false },
    });
  };

  /** Records the job if it finished; idempotent (events and polls may both report it). */
  const check = async (jobId: string) => {
    const task = pending.get(jobId);
    if (!task || checking.has(jobId)) return;
    checking.add(jobId);
    try {
      const job = (await queue.getJob(jobId)) as QueueJob | undefined;
      const state = job ? await job.getState() : "unknown";
      if (!job || (state !== "completed" && state !== "failed")) return;
      if (state === "failed" && (await requeueUnspent(job, task))) return;
      await record(job, task, state);
      pending.delete(jobId);
      wake();
    } finally {
      checking.delete(jobId);
    }
  };

  /**
   * A job the queue failed without spending its attempts and without a reason (seen when Redis
   * restarts while a worker finishes it) goes back to the queue, twice at most: its checkpoint
   * makes another delivery safe, so it is not an index failure.
   */
  const requeueUnspent = async (job: QueueJob, task: IndexTask) => {
    const times = requeued.get(job.id!) ?? 0;
    if (job.failedReason || job.attemptsMade >= (job.opts.attempts ?? 1) || times >= 2)
      return false;
    requeued.set(job.id!, times + 1);
    say(
      "WARNING",
      `index ${task.idx}: the queue dropped it without a reason; queued again`,
      task.idx,
    );
    await job.retry("failed");
    return true;
  };

  /** True when the ledger already holds this finished job's outcome. */
  const alreadyRecorded = (job: QueueJob, task: IndexTask, state: string) => {
    const rec = ctx.ledger?.indexRecord(task.idx);
    if (!rec) return false;
    if (state === "completed") return rec.completedAt === job.returnvalue?.outcome.completedAt;
    return rec.status === "error" && (rec.error ?? "").includes(oneLine(job.failedReason ?? ""));
  };

  return {
    check,
    progress(jobId: string, p: QueueJobProgress) {
      const task = pending.get(jobId);
      if (!task || !p || typeof p !== "object" || !p.worker) return;
      worker(p.worker);
      const workerId = p.worker.workerId;
      if (p.kind === "start") {
        const attempt = (starts.get(jobId) ?? 0) + 1;
        starts.set(jobId, attempt);
        ctx.ledger?.indexStarted(workerId, task.idx);
        ctx.emit({ type: "index-start", workerId, idx: task.idx, scene: task.scene, attempt });
      } else if (p.kind === "stage") {
        const { stage, fraction, detail } = p;
        ctx.emit({ type: "index-progress", workerId, idx: task.idx, stage, fraction, detail });
      }
    },
    /** Adds the index's job, or reattaches to it (recording it if it finished unrecorded). */
    async enqueue(task: IndexTask) {
      const jobId = queueJobId(ctx.batchId, task.idx);
      const existing = (await queue.getJob(jobId)) as QueueJob | undefined;
      pending.set(jobId, task);
      if (existing) {
        const state = await existing.getState();
        if (state !== "completed" && state !== "failed") return; // waiting or running: follow it
        if (!alreadyRecorded(existing, task, state)) return void (await check(jobId));
        await existing.remove(); // a recorded failure: this resumed run tries again
      }
      await queue.add(
        "index",
        { batchId: ctx.batchId, task, settings: ctx.settings },
        {
          jobId,
          attempts: 3,
          backoff: { type: "fixed", delay: 5_000 },
          removeOnComplete: { age: KEEP_FINISHED_SECS },
          removeOnFail: { age: KEEP_FINISHED_SECS },
        },
      );
    },
    /** Until every job is recorded (polling too) or the signal aborts. */
    async wait(pollMs: number, say: (level: "WARNING", m: string) => void) {
      const timer = setInterval(() => {
        for (const jobId of [...pending.keys()]) void check(jobId).catch(() => {});
      }, pollMs);
      const onAbort = () => wake();
      ctx.signal.addEventListener("abort", onAbort, { once: true });
      try {
        while (pending.size > 0 && !ctx.signal.aborted) {
          await new Promise<void>((resolve) => (wake = resolve));
        }
      } finally {
        clearInterval(timer);
        ctx.signal.removeEventListener("abort", onAbort);
      }
      if (ctx.signal.aborted) await withdraw(queue, [...pending.keys()], say);
      return results;
    },
  };
}

/** On interruption: removes jobs nobody has started; running ones finish on their workers. */
async function withdraw(
  queue: Queue<QueueJobData, QueueJobResult>,
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
