import { Queue, QueueEvents, type Job } from "bullmq";
import { SplatbookError, oneLine } from "../../util/errors.js";
import type { BackendRunContext, BatchBackend, IndexResult } from "../backend.js";
import type { IndexTask } from "../indexRunner.js";
import type { LogEntry } from "../ledger.js";
import { logBatchLine } from "../worker.js";
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
    const follow = new JobFollower(ctx, queue);
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

type BatchQueue = Queue<QueueJobData, QueueJobResult>;

/** Follows a batch's jobs to the end, recording each in the ledger once. */
class JobFollower {
  private readonly requeued = new Map<string, number>();
  private readonly pending = new Map<string, IndexTask>();
  private readonly checking = new Set<string>();
  private readonly seenWorkers = new Set<string>();
  private readonly starts = new Map<string, number>();
  private readonly results: IndexResult[] = [];
  private wake: () => void = () => {};

  constructor(
    private readonly ctx: BackendRunContext,
    private readonly queue: BatchQueue,
  ) {}

  /** Records a worker the first time one of its jobs mentions it. */
  private worker(w: QueueWorkerIdentity): void {
    if (this.seenWorkers.has(w.workerId)) return;
    this.seenWorkers.add(w.workerId);
    this.ctx.ledger?.ensureWorker({ ...w, invocationId: this.ctx.invocationId, backend: "bullmq" });
    this.ctx.emit({ type: "worker-start", workerId: w.workerId, pid: w.pid, hostname: w.hostname });
  }

  private async record(job: QueueJob, task: IndexTask, state: "completed" | "failed") {
    const { ctx } = this;
    const logs = logEntries((await this.queue.getJobLogs(job.id!, 0, -1)).logs);
    const attempts = Math.max(1, logs.filter((l) => l.message.includes(DELIVERY_MARK)).length);
    const result = state === "completed" ? job.returnvalue : undefined;
    if (result) this.worker(result.worker);
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
    this.results.push({
      ...{ idx: task.idx, scene: task.scene, status: outcome.status, error: outcome.error },
      ...{ outputPaths: outcome.outputPaths, wallTimeMs: outcome.wallTimeNs / 1e6, reused: false },
    });
  }

  /** Records the job if it finished; idempotent (events and polls may both report it). */
  async check(jobId: string): Promise<void> {
    const task = this.pending.get(jobId);
    if (!task || this.checking.has(jobId)) return;
    this.checking.add(jobId);
    try {
      const job = (await this.queue.getJob(jobId)) as QueueJob | undefined;
      const state = job ? await job.getState() : "unknown";
      if (!job || (state !== "completed" && state !== "failed")) return;
      if (state === "failed" && (await this.requeueUnspent(job, task))) return;
      await this.record(job, task, state);
      this.pending.delete(jobId);
      this.wake();
    } finally {
      this.checking.delete(jobId);
    }
  }

  /**
   * A job the queue failed without spending its attempts and without a reason (seen when Redis
   * restarts while a worker finishes it) goes back to the queue, twice at most: its checkpoint
   * makes another delivery safe, so it is not an index failure.
   */
  private async requeueUnspent(job: QueueJob, task: IndexTask): Promise<boolean> {
    const times = this.requeued.get(job.id!) ?? 0;
    if (job.failedReason || job.attemptsMade >= (job.opts.attempts ?? 1) || times >= 2)
      return false;
    this.requeued.set(job.id!, times + 1);
    const message = `index ${task.idx}: the queue dropped it without a reason; queued again`;
    logBatchLine(this.ctx, "WARNING", message, task.idx);
    await job.retry("failed");
    return true;
  }

  /** True when the ledger already holds this finished job's outcome. */
  private alreadyRecorded(job: QueueJob, task: IndexTask, state: string): boolean {
    const rec = this.ctx.ledger?.indexRecord(task.idx);
    if (!rec) return false;
    if (state === "completed") return rec.completedAt === job.returnvalue?.outcome.completedAt;
    return rec.status === "error" && (rec.error ?? "").includes(oneLine(job.failedReason ?? ""));
  }

  /** A job's progress event: an index starting on a worker, or a stage's progress. */
  progress(jobId: string, p: QueueJobProgress): void {
    const task = this.pending.get(jobId);
    if (!task || !p || typeof p !== "object" || !p.worker) return;
    this.worker(p.worker);
    const workerId = p.worker.workerId;
    if (p.kind === "start") {
      const attempt = (this.starts.get(jobId) ?? 0) + 1;
      this.starts.set(jobId, attempt);
      this.ctx.ledger?.indexStarted(workerId, task.idx);
      this.ctx.emit({ type: "index-start", workerId, idx: task.idx, scene: task.scene, attempt });
    } else if (p.kind === "stage") {
      const { stage, fraction, detail } = p;
      this.ctx.emit({ type: "index-progress", workerId, idx: task.idx, stage, fraction, detail });
    }
  }

  /** Adds the index's job, or reattaches to it (recording it if it finished unrecorded). */
  async enqueue(task: IndexTask): Promise<void> {
    const { ctx } = this;
    const jobId = queueJobId(ctx.batchId, task.idx);
    const existing = (await this.queue.getJob(jobId)) as QueueJob | undefined;
    this.pending.set(jobId, task);
    if (existing) {
      const state = await existing.getState();
      if (state !== "completed" && state !== "failed") return; // waiting or running: follow it
      if (!this.alreadyRecorded(existing, task, state)) return void (await this.check(jobId));
      await existing.remove(); // a recorded failure: this resumed run tries again
    }
    await this.queue.add(
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
  }

  /** Until every job is recorded (polling too) or the signal aborts. */
  async wait(pollMs: number, say: (level: "WARNING", m: string) => void): Promise<IndexResult[]> {
    const { signal } = this.ctx;
    const timer = setInterval(() => {
      for (const jobId of [...this.pending.keys()]) void this.check(jobId).catch(() => {});
    }, pollMs);
    const onAbort = () => this.wake();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      while (this.pending.size > 0 && !signal.aborted) {
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      clearInterval(timer);
      signal.removeEventListener("abort", onAbort);
    }
    if (signal.aborted) await withdraw(this.queue, [...this.pending.keys()], say);
    return this.results;
  }
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
