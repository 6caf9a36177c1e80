import { Worker, WaitingError, type Job } from "bullmq";
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

/**
 * A batch worker on a BullMQ queue: takes one job per index, runs its 8-stage job against the
 * shared input/output roots (resuming from the output folder's checkpoint, so a job delivered
 * again after a worker died continues where it stopped), and reports start, stage progress and
 * log lines through the job; its return value is the index's record. It never opens the ledger:
 * the coordinator writes it. A lost Redis connection pauses taking jobs until it is back;
 * running jobs go on and report when it is.
 */
export async function runQueueWorker(opts: QueueWorkerOptions): Promise<void> {
  const identity: QueueWorkerIdentity = {
    workerId: randomUUID().replace(/-/g, ""),
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
  };
  const queueName = opts.queue ?? DEFAULT_QUEUE;
  let redisState = "connecting";
  let completed = 0;
  const active = new Map<string, AbortController>();
  const tracker = createHealthTracker("watching");
  const health = workerHealth(tracker, () => ({
    ...identity,
    queue: queueName,
    redis: redisState,
    active_jobs: active.size,
    completed_jobs: completed,
  }));
  // Set once connected; the connection hooks below may fire before that.
  const held: { worker?: Worker<QueueJobData, QueueJobResult> } = {};
  const conn = await openRedis(opts.redis, {
    onLost(reason) {
      redisState = "reconnecting";
      opts.log.warn(`Redis ${redisLabel(opts.redis)}: ${reason}; pausing until it is back`);
      void held.worker?.pause(true);
    },
    onReady() {
      if (redisState === "reconnecting") opts.log.info(`Redis reconnected; resuming`);
      redisState = "connected";
      if (held.worker?.isPaused() && !opts.signal.aborted) void held.worker.resume();
    },
  });
  redisState = "connected";
  let server: HealthServer | undefined;
  if (opts.health) server = await startHealthServer(health, opts.health);

  const processor = (job: Job<QueueJobData, QueueJobResult>, token?: string) =>
    processJob(job, token, { identity, tracker, active, log: opts.log }).then((r) => {
      completed++;
      return r;
    });
  const worker = new Worker<QueueJobData, QueueJobResult>(queueName, processor, {
    connection: conn,
    concurrency: opts.concurrency ?? 1,
    lockDuration: (opts.lockSecs ?? 30) * 1000,
    stalledInterval: (opts.lockSecs ?? 30) * 1000,
    maxStalledCount: 5,
  });
  held.worker = worker;
  worker.on("error", (err) => opts.log.debug(`queue worker: ${oneLine(err)}`));
  opts.log.info(
    `worker ${identity.workerId.slice(0, 8)} (pid ${identity.pid} on ${identity.hostname}) ` +
      `takes jobs from queue "${queueName}" on ${redisLabel(opts.redis)}`,
  );
  opts.onReady?.({ workerId: identity.workerId, healthUrl: server?.url ?? null });
  await new Promise<void>((resolve) => {
    if (opts.signal.aborted) return resolve();
    opts.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  opts.log.info(`stopping: ${active.size} running job(s) go back to the queue`);
  for (const c of active.values()) c.abort(new InterruptedError("SIGTERM"));
  await worker.close();
  await server?.close();
  closeRedis(conn);
}

interface JobContext {
  identity: QueueWorkerIdentity;
  tracker: HealthTracker;
  active: Map<string, AbortController>;
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
    if (err instanceof InterruptedError) {
      // Not a failure: back to the queue for another worker (it resumes from the checkpoint).
      say("WARNING", `index ${task.idx} interrupted on this worker; back to the queue`);
      await job.moveToWait(token);
      throw new WaitingError();
    }
    throw withReason(err);
  } finally {
    ctx.active.delete(job.id!);
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
