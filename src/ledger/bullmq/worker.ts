import { Worker, WaitingError, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { JobEvent } from "../../contracts/events.js";
import type { Logger } from "../../contracts/logger.js";
import { createHealthTracker, type HealthTracker } from "../../status/healthState.js";
import { startHealthServer, type HealthServer } from "../../status/healthServer.js";
import { InterruptedError, oneLine } from "../../util/errors.js";
import { waitForFolder } from "../folderWait.js";
import { runIndex } from "../indexRunner.js";
import type { LogEntry } from "../ledger.js";
import { batchLog } from "../worker.js";
import {
  DEFAULT_QUEUE,
  DELIVERY_MARK,
  type QueueJobData,
  type QueueJobProgress,
  type QueueJobResult,
  type QueueWorkerIdentity,
} from "./protocol.js";
import { closeRedis, openRedis, redisLabel } from "./redis.js";

/** Options of {@link runQueueWorker}. */
export interface QueueWorkerOptions {
  redis: string;
  queue?: string;
  /** Jobs run at once in this process (default 1). */
  concurrency?: number;
  /**
   * Seconds a job stays claimed by a worker that stopped renewing it (killed, frozen, cut off)
   * before another worker takes it (default 30).
   */
  lockSecs?: number;
  /**
   * Seconds from the stop signal to the end: running jobs stop at a safe point and go back to
   * the queue within this; past it (Redis unreachable) the worker stops without handing them
   * back and their claims lapse after `lockSecs` (default 10).
   */
  stopSecs?: number;
  /** Serve `/health` here (`state`, `current_job`, plus a `worker` block). */
  health?: { host: string; port: number };
  log: Logger;
  /** Aborting stops taking jobs; running ones stop at a safe point and go back to the queue. */
  signal: AbortSignal;
  /** Called once the worker is listening (health URL when served). */
  onReady?(info: { workerId: string; healthUrl: string | null }): void;
}

/** Progress events are sent at most this often per job (stage starts always go). */
const PROGRESS_EVERY_MS = 500;
/** The engine's refusal when another process holds an output folder. */
const LOCK_BUSY = /is in use by|is being locked by/;

/** The `/health` body of a queue worker: the tracker's fields plus the worker's own. */
function workerHealth(tracker: HealthTracker, extra: () => Record<string, unknown>): HealthTracker {
  return { ...tracker, snapshot: () => ({ ...tracker.snapshot(), worker: extra() }) };
}

/** What a queue worker process keeps while it runs. */
interface WorkerState {
  identity: QueueWorkerIdentity;
  queueName: string;
  redisState: string;
  completed: number;
  active: Map<string, AbortController>;
  /** Jobs whose claim this worker lost (lock not renewed in time): another worker has them. */
  lost: Set<string>;
  tracker: HealthTracker;
}

function newWorkerState(queueName: string): WorkerState {
  return {
    identity: {
      workerId: randomUUID().replace(/-/g, ""),
      pid: process.pid,
      hostname: hostname(),
      startedAt: new Date().toISOString(),
    },
    queueName,
    redisState: "connecting",
    completed: 0,
    active: new Map(),
    lost: new Set(),
    tracker: createHealthTracker("watching"),
  };
}

/**
 * A batch worker on a BullMQ queue: takes one job per index, runs its 8-stage job against the
 * shared input/output roots (resuming from the output folder's checkpoint, so a job delivered
 * again after a worker died continues where it stopped), and reports start, stage progress and
 * log lines through the job; its return value is the index's record. It never opens the ledger:
 * the coordinator writes it. A lost Redis connection pauses taking jobs until it is back;
 * running jobs go on and report when it is. A job whose claim lapsed (this process was frozen
 * longer than the lock) stops at its next safe point: another worker has it, and the output
 * folder's lock keeps the two from writing at once.
 */
export async function runQueueWorker(opts: QueueWorkerOptions): Promise<void> {
  const st = newWorkerState(opts.queue ?? DEFAULT_QUEUE);
  const health = workerHealth(st.tracker, () => ({
    ...st.identity,
    queue: st.queueName,
    redis: st.redisState,
    active_jobs: st.active.size,
    completed_jobs: st.completed,
  }));
  // Set once connected; the connection hooks below may fire before that.
  const held: { worker?: Worker<QueueJobData, QueueJobResult> } = {};
  const conn = await openRedis(opts.redis, {
    onLost(reason) {
      st.redisState = "reconnecting";
      opts.log.warn(`Redis ${redisLabel(opts.redis)}: ${reason}; pausing until it is back`);
      void held.worker?.pause(true).catch(() => {});
    },
    onReady() {
      if (st.redisState === "reconnecting") opts.log.info(`Redis reconnected; resuming`);
      st.redisState = "connected";
      if (held.worker?.isPaused() && !opts.signal.aborted) void held.worker.resume();
    },
  });
  st.redisState = "connected";
  let server: HealthServer | undefined;
  if (opts.health) server = await startHealthServer(health, opts.health);
  const worker = startBullWorker(st, conn, opts);
  held.worker = worker;
  opts.log.info(
    `worker ${st.identity.workerId.slice(0, 8)} (pid ${st.identity.pid} on ${st.identity.hostname}) ` +
      `takes jobs from queue "${st.queueName}" on ${redisLabel(opts.redis)}`,
  );
  opts.onReady?.({ workerId: st.identity.workerId, healthUrl: server?.url ?? null });
  await new Promise<void>((resolve) => {
    if (opts.signal.aborted) return resolve();
    opts.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await stopWorker(st, worker, opts, async () => {
    await server?.close();
    closeRedis(conn);
  });
}

/** The BullMQ worker running {@link processJob} for each job. */
function startBullWorker(st: WorkerState, conn: Redis, opts: QueueWorkerOptions) {
  const processor = (job: Job<QueueJobData, QueueJobResult>, token?: string) =>
    processJob(job, token, { ...st, log: opts.log }).then((r) => {
      st.completed++;
      return r;
    });
  const lockMs = (opts.lockSecs ?? 30) * 1000;
  const worker = new Worker<QueueJobData, QueueJobResult>(st.queueName, processor, {
    connection: conn,
    concurrency: opts.concurrency ?? 1,
    lockDuration: lockMs,
    stalledInterval: lockMs,
    maxStalledCount: 5,
  });
  worker.on("error", (err) => opts.log.debug(`queue worker: ${oneLine(err)}`));
  worker.on("lockRenewalFailed", (jobIds) => {
    for (const jobId of jobIds) {
      const controller = st.active.get(jobId);
      if (!controller || st.lost.has(jobId)) continue;
      st.lost.add(jobId);
      opts.log.warn(`job ${jobId}: its claim lapsed (lock not renewed in time); stopping it here`);
      controller.abort(new InterruptedError("interrupt"));
    }
  });
  return worker;
}

/**
 * Stops within `stopSecs`: running jobs stop at a safe point and go back to the queue, the
 * worker closes, then `release` frees the rest. When Redis does not answer in time the worker
 * is closed without waiting for it; jobs it could not hand back are taken by another worker
 * once their claim lapses.
 */
async function stopWorker(
  st: WorkerState,
  worker: Worker<QueueJobData, QueueJobResult>,
  opts: QueueWorkerOptions,
  release: () => Promise<void>,
): Promise<void> {
  const budgetMs = (opts.stopSecs ?? 10) * 1000;
  opts.log.info(
    `stopping: ${st.active.size} running job(s) go back to the queue (at most ${budgetMs / 1000} s)`,
  );
  for (const c of st.active.values()) c.abort(new InterruptedError("SIGTERM"));
  let timer: NodeJS.Timeout | undefined;
  // Part of the budget is kept for the forced close and the release after it.
  const late = new Promise<"late">((r) => (timer = setTimeout(() => r("late"), budgetMs * 0.7)));
  const closing = worker.close().then(() => "closed" as const);
  const how = await Promise.race([closing, late]).catch(() => "late" as const);
  clearTimeout(timer);
  if (how === "late") {
    opts.log.warn(
      `Redis ${redisLabel(opts.redis)} did not answer in time (${st.redisState}); stopping ` +
        `without it: ${st.active.size} job(s) go to another worker once their claim lapses`,
    );
    void worker.close(true).catch(() => {});
  }
  await release();
}

interface JobContext {
  identity: QueueWorkerIdentity;
  tracker: HealthTracker;
  active: Map<string, AbortController>;
  lost: Set<string>;
  log: Logger;
}

/** Runs one queue job (one index) and returns its record. */
async function processJob(
  job: Job<QueueJobData, QueueJobResult>,
  token: string | undefined,
  ctx: JobContext,
): Promise<QueueJobResult> {
  const { task, settings } = job.data;
  const worker = ctx.identity;
  const controller = new AbortController();
  ctx.active.set(job.id!, controller);
  const report = (p: QueueJobProgress) => void job.updateProgress(p).catch(() => {});
  const jobLog = (entry: LogEntry) =>
    void job.log(JSON.stringify({ ...entry, workerId: worker.workerId })).catch(() => {});
  const say = (level: LogEntry["levelName"], message: string) =>
    jobLog(batchLog(level, message, worker.workerId, task.idx));
  let lastProgress = 0;
  const onEvent = (e: JobEvent) => {
    ctx.tracker.onEvent(e);
    if (e.type !== "stage-start" && e.type !== "stage-progress") return;
    const now = Date.now();
    if (e.type === "stage-progress" && now - lastProgress < PROGRESS_EVERY_MS) return;
    lastProgress = now;
    const fraction = e.type === "stage-progress" ? e.fraction : 0;
    const detail = e.type === "stage-progress" ? e.detail : undefined;
    report({ kind: "stage", worker, stage: e.stage, fraction, detail });
  };
  try {
    say(
      "INFO",
      `index ${task.idx} (${task.scene}) ${DELIVERY_MARK} pid ${worker.pid} on ${worker.hostname}`,
    );
    report({ kind: "start", worker, at: new Date().toISOString() });
    ctx.log.info(`index ${task.idx} (${task.scene}): ${task.input} → ${task.output}`);
    await waitForFolder(task.output, controller.signal, (m) => say("INFO", m));
    const outcome = await runIndex(task, settings, {
      signal: controller.signal,
      onEvent,
      onLog: jobLog,
    });
    if (outcome.error && LOCK_BUSY.test(outcome.error)) {
      // Another delivery of this job got the folder first: let the queue retry it later.
      throw new Error(outcome.error);
    }
    const secs = (outcome.wallTimeNs / 1e9).toFixed(2);
    if (outcome.status === "completed") say("INFO", `index ${task.idx} completed in ${secs} s`);
    else say("ERROR", `index ${task.idx} failed: ${outcome.error}`);
    ctx.log.info(`index ${task.idx} (${task.scene}): ${outcome.status} in ${secs} s`);
    ctx.tracker.setWatching(outcome.error);
    return { worker, outcome };
  } catch (err) {
    if (err instanceof InterruptedError && ctx.lost.has(job.id!)) {
      // Another worker has it now; the queue refuses this one's result (its lock is gone).
      say("WARNING", `index ${task.idx} stopped on this worker: its claim lapsed`);
      throw new Error(`index ${task.idx}: this worker's claim on the job lapsed`);
    }
    if (err instanceof InterruptedError) {
      // Not a failure: back to the queue for another worker (it resumes from the checkpoint).
      say("WARNING", `index ${task.idx} interrupted on this worker; back to the queue`);
      await job.moveToWait(token);
      throw new WaitingError();
    }
    throw withReason(err);
  } finally {
    ctx.active.delete(job.id!);
    ctx.lost.delete(job.id!);
  }
}

/**
 * The error a job fails with, never without a message: BullMQ records `message` as the job's
 * failure reason, and an empty one would leave the coordinator nothing to report.
 */
function withReason(err: unknown): Error {
  const message = oneLine(err);
  if (err instanceof Error && message) return err;
  const kind = err instanceof Error ? err.name : typeof err;
  return new Error(message || `the job threw ${kind} without a message`);
}
