import type { Job, Queue } from "bullmq";
import { oneLine } from "../../util/errors.js";
import type { BackendRunContext, IndexResult } from "../backend.js";
import type { IndexOutcome, IndexTask } from "../indexRunner.js";
import type { LogEntry } from "../ledger.js";
import { batchLog } from "../worker.js";
import {
  DELIVERY_MARK,
  queueJobId,
  type QueueJobData,
  type QueueJobProgress,
  type QueueJobResult,
  type QueueWorkerIdentity,
} from "./protocol.js";

/** Finished jobs stay in Redis this long, so a coordinator restarted later can still read them. */
const KEEP_FINISHED_SECS = 7 * 24 * 3600;

export type QueueJob = Job<QueueJobData, QueueJobResult>;
export type BatchQueue = Queue<QueueJobData, QueueJobResult>;

/** A finished job as read from the queue: its final state, then its hash. */
interface FinishedJob {
  job: QueueJob;
  state: "completed" | "failed";
}

/** What the follower needs besides the queue. */
export interface FollowerHooks {
  /** A one-line account of a job the queue holds in an unexpected shape (hash and events). */
  describe(jobId: string): Promise<string>;
  /** The index's record rebuilt from its checkpoint when that shows it complete, else null. */
  fromCheckpoint?(task: IndexTask): Promise<IndexOutcome | null>;
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

/**
 * Reads a job that has finished, or undefined while it has not. The state comes first: the
 * script that moves a job to completed or failed writes its return value or failure reason in
 * the same step, and neither state is left except by a retry or a removal, so a hash read after
 * it is the finished one. Read the other way round, a poll that fetched the hash of a running job
 * and then its state just after the worker finished it took that stale hash for the result
 * (a completed job recorded as failed "without a reason").
 */
async function readFinished(queue: BatchQueue, jobId: string): Promise<FinishedJob | undefined> {
  const state = await queue.getJobState(jobId);
  if (state !== "completed" && state !== "failed") return undefined;
  const job = (await queue.getJob(jobId)) as QueueJob | undefined;
  // Removed or retried in between: the next event or poll reads it again.
  if (!job || job.finishedOn === undefined) return undefined;
  return { job, state };
}

/** Follows a batch's jobs to the end, recording each in the ledger once. */
export class JobFollower {
  private readonly pending = new Map<string, IndexTask>();
  private readonly checking = new Set<string>();
  private readonly seenWorkers = new Set<string>();
  private readonly starts = new Map<string, number>();
  private readonly results: IndexResult[] = [];
  private wake: () => void = () => {};

  constructor(
    private readonly ctx: BackendRunContext,
    private readonly queue: BatchQueue,
    private readonly hooks: FollowerHooks,
  ) {}

  /** Records a worker the first time one of its jobs mentions it. */
  private worker(w: QueueWorkerIdentity): void {
    if (this.seenWorkers.has(w.workerId)) return;
    this.seenWorkers.add(w.workerId);
    this.ctx.ledger?.ensureWorker({ ...w, invocationId: this.ctx.invocationId, backend: "bullmq" });
    this.ctx.emit({ type: "worker-start", workerId: w.workerId, pid: w.pid, hostname: w.hostname });
  }

  /**
   * Why the queue gave up on a job: its reason with attempts and last stack line, or, when it has
   * no reason (no script of BullMQ fails a job without one, so this means something outside the
   * protocol), the job's hash and events.
   */
  private async failureOf(job: QueueJob): Promise<string> {
    const attempts = `attempt ${job.attemptsMade}/${job.opts.attempts ?? 1}`;
    if (!job.failedReason) {
      return `the queue failed it without a reason (${attempts}): ${await this.hooks.describe(job.id!)}`;
    }
    const stack = job.stacktrace?.at(-1)?.split("\n")[0];
    return `${oneLine(job.failedReason)} (${attempts}${stack ? `; ${oneLine(stack)}` : ""})`;
  }

  /**
   * The index's outcome from a finished job: the worker's record when it completed; otherwise
   * the checkpoint's when that shows the index complete (another delivery finished it), else an
   * error naming the queue's cause.
   */
  private async outcomeOf(
    { job, state }: FinishedJob,
    task: IndexTask,
  ): Promise<{ outcome: IndexOutcome; worker: QueueWorkerIdentity | null }> {
    const result = state === "completed" ? job.returnvalue : undefined;
    if (result?.outcome) return { outcome: result.outcome, worker: result.worker };
    const fromCheckpoint = await this.hooks.fromCheckpoint?.(task);
    if (fromCheckpoint) return { outcome: fromCheckpoint, worker: null };
    const error =
      state === "failed"
        ? `queue job failed: ${await this.failureOf(job)}`
        : `queue job completed without a splatbook result: ${await this.hooks.describe(job.id!)}`;
    const outcome: IndexOutcome = {
      ...{ idx: task.idx, scene: task.scene, status: "error", outputPaths: [] },
      ...{ completedAt: new Date(job.finishedOn ?? Date.now()).toISOString(), wallTimeNs: 0 },
      ...{ peakMemoryBytes: null, gpuMemoryBytes: null, stages: [], artifacts: [], error },
    };
    return { outcome, worker: null };
  }

  private async record(finished: FinishedJob, task: IndexTask) {
    const logs = logEntries((await this.queue.getJobLogs(finished.job.id!, 0, -1)).logs);
    const attempts = Math.max(1, logs.filter((l) => l.message.includes(DELIVERY_MARK)).length);
    const { outcome, worker } = await this.outcomeOf(finished, task);
    if (worker) this.worker(worker);
    this.recordOutcome(task, outcome, worker?.workerId ?? null, attempts, logs);
  }

  /** Writes an index's outcome to the ledger and reports it. */
  private recordOutcome(
    task: IndexTask,
    outcome: IndexOutcome,
    workerId: string | null,
    attempts: number,
    logs: LogEntry[],
  ) {
    const { ctx } = this;
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
      const finished = await readFinished(this.queue, jobId);
      if (!finished) return;
      await this.record(finished, task);
      this.pending.delete(jobId);
      this.wake();
    } finally {
      this.checking.delete(jobId);
    }
  }

  /** True when the ledger already holds this finished job's outcome. */
  private alreadyRecorded({ job, state }: FinishedJob, task: IndexTask): boolean {
    const rec = this.ctx.ledger?.indexRecord(task.idx);
    if (!rec) return false;
    if (state === "completed") return rec.completedAt === job.returnvalue?.outcome?.completedAt;
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
    this.pending.set(jobId, task);
    const existing = await this.queue.getJob(jobId);
    if (existing) {
      const finished = await readFinished(this.queue, jobId);
      if (!finished) return; // waiting or running: follow it
      if (!this.alreadyRecorded(finished, task)) return void (await this.check(jobId));
      await existing.remove(); // a recorded failure: this resumed run tries again
    }
    // Resumed: an index its checkpoint shows complete is recorded from it, not run again.
    const done = ctx.resume ? await this.hooks.fromCheckpoint?.(task) : null;
    if (done) {
      const line = `index ${task.idx}: its checkpoint shows it complete; recorded from it`;
      this.recordOutcome(task, done, null, 0, [batchLog("INFO", line, null, task.idx)]);
      this.pending.delete(jobId);
      return;
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

  /** Until every job is recorded (polling too) or the signal aborts; returns the job ids left. */
  async wait(pollMs: number): Promise<{ results: IndexResult[]; left: string[] }> {
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
    return { results: this.results, left: [...this.pending.keys()] };
  }
}
