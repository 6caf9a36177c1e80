import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { BatchBackendName } from "../contracts/ledger.js";
import type { JobEvent } from "../contracts/events.js";
import { oneLine } from "../util/errors.js";
import type { BackendRunContext, BatchEvent, IndexResult } from "./backend.js";
import { waitForFolder } from "./folderWait.js";
import { runIndex, type IndexHooks, type IndexTask, type JobSettings } from "./indexRunner.js";
import type { Ledger, LogEntry } from "./ledger.js";

/** Logger name of the batch runner's own lines. */
export const BATCH_LOGGER = "splatbook.batch";

/** Runs indices one at a time and records each in the ledger (when there is one). */
export interface IndexWorker {
  readonly workerId: string;
  /** Runs one index (attempt 1, or 2 after a dead worker) and records it. */
  process(task: IndexTask, attempt: number, signal: AbortSignal): Promise<IndexResult>;
}

/** Options of {@link createIndexWorker}. */
export interface IndexWorkerOptions {
  ledger: Ledger | undefined;
  settings: JobSettings;
  invocationId: string;
  backend: BatchBackendName;
  emit: (event: BatchEvent) => void;
  /** Test hook: the stage table. */
  stages?: IndexHooks["stages"];
}

/** Log lines are written in batches: at stage boundaries, at the end, or when this many wait. */
const LOG_FLUSH_LINES = 50;

/** A log line of the batch runner itself. */
export function batchLog(
  levelName: LogEntry["levelName"],
  message: string,
  workerId: string | null,
  idx: number | null,
): LogEntry {
  const timestamp = new Date().toISOString();
  return { timestamp, levelName, loggerName: BATCH_LOGGER, message, workerId, idx };
}

/** Writes a line of the batch runner itself (no worker) to the ledger and emits it. */
export function logBatchLine(
  ctx: Pick<BackendRunContext, "ledger" | "emit">,
  levelName: LogEntry["levelName"],
  message: string,
  idx: number | null = null,
): void {
  const entry = batchLog(levelName, message, null, idx);
  ctx.ledger?.appendLogs([entry]);
  ctx.emit({ type: "log", entry });
}

/**
 * Log lines of one worker, sent to `emit` at once and written to the ledger together: at stage
 * boundaries (`flush`), at the end, or when LOG_FLUSH_LINES wait.
 */
function bufferedLog(
  ledger: Ledger | undefined,
  emit: (event: BatchEvent) => void,
  workerId: string,
): { log(entry: LogEntry): void; flush(): void } {
  let pending: LogEntry[] = [];
  const flush = () => {
    const batch = pending;
    pending = [];
    ledger?.appendLogs(batch);
  };
  const log = (entry: LogEntry) => {
    const withWorker = { ...entry, workerId };
    pending.push(withWorker);
    emit({ type: "log", entry: withWorker });
    if (pending.length >= LOG_FLUSH_LINES) flush();
  };
  return { log, flush };
}

/** One index's job events as batch progress events; a finished or failed stage flushes logs. */
function stageEventRelay(
  emit: (event: BatchEvent) => void,
  workerId: string,
  idx: number,
  flush: () => void,
): (e: JobEvent) => void {
  return (e) => {
    if (e.type === "stage-start" || e.type === "stage-progress") {
      const fraction = e.type === "stage-progress" ? e.fraction : 0;
      const detail = e.type === "stage-progress" ? e.detail : undefined;
      emit({ type: "index-progress", workerId, idx, stage: e.stage, fraction, detail });
    } else if (e.type === "stage-complete" || e.type === "stage-failed") flush();
  };
}

/**
 * A worker of this process: registers itself in the ledger (pid, hostname, invocation), beats
 * its heartbeat when an index starts and finishes, and records each index with its stages,
 * outputs, artifacts and logs. Every write is one short transaction.
 */
export function createIndexWorker(opts: IndexWorkerOptions): IndexWorker {
  const workerId = randomUUID().replace(/-/g, "");
  const { ledger, emit } = opts;
  ledger?.registerWorker({
    workerId,
    pid: process.pid,
    invocationId: opts.invocationId,
    backend: opts.backend,
  });
  emit({ type: "worker-start", workerId, pid: process.pid, hostname: hostname() });
  const { log, flush } = bufferedLog(ledger, emit, workerId);
  const ledgerNs = () => ledger?.database.stats.timeNs ?? 0;

  return {
    workerId,
    async process(task, attempt, signal) {
      const ledgerBefore = ledgerNs();
      ledger?.indexStarted(workerId, task.idx);
      emit({ type: "index-start", workerId, idx: task.idx, scene: task.scene, attempt });
      log(batchLog("INFO", `index ${task.idx} (${task.scene}) started`, workerId, task.idx));
      let outcome;
      try {
        // After a dead worker or a killed batch, what they left running may still write there.
        await waitForFolder(task.output, signal, (m) =>
          log(batchLog("INFO", m, workerId, task.idx)),
        );
        outcome = await runIndex(task, opts.settings, {
          signal,
          onEvent: stageEventRelay(emit, workerId, task.idx, flush),
          onLog: log,
          stages: opts.stages,
        });
      } catch (err) {
        log(
          batchLog("WARNING", `index ${task.idx} interrupted: ${oneLine(err)}`, workerId, task.idx),
        );
        flush();
        throw err;
      }
      const secs = (outcome.wallTimeNs / 1e9).toFixed(2);
      log(
        outcome.status === "completed"
          ? batchLog("INFO", `index ${task.idx} completed in ${secs} s`, workerId, task.idx)
          : batchLog("ERROR", `index ${task.idx} failed: ${outcome.error}`, workerId, task.idx),
      );
      ledger?.recordIndex({ ...outcome, workerId, attempts: attempt });
      flush();
      const result: IndexResult = {
        idx: task.idx,
        scene: task.scene,
        status: outcome.status,
        error: outcome.error,
        outputPaths: outcome.outputPaths,
        wallTimeMs: outcome.wallTimeNs / 1e6,
        reused: false,
      };
      emit({
        type: "index-done",
        workerId,
        idx: task.idx,
        scene: task.scene,
        status: result.status,
        error: result.error,
        wallTimeMs: result.wallTimeMs!,
        ledgerMs: ledger ? (ledgerNs() - ledgerBefore) / 1e6 : null,
      });
      return result;
    },
  };
}
