import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { InterruptedError, oneLine } from "../util/errors.js";
import type { BatchEvent, IndexResult } from "./backend.js";
import type { BatchConfig } from "./config.js";
import type { IndexTask, JobSettings } from "./indexRunner.js";
import { openLedger, type Ledger } from "./ledger.js";
import { createIndexWorker, type IndexWorker } from "./worker.js";

/** The file a pool worker process runs (this module, compiled). */
export const poolWorkerEntry = fileURLToPath(import.meta.url);

/** Coordinator → worker messages. */
export type PoolCommand =
  | {
      type: "init";
      ledgerPath: string | null;
      config: BatchConfig;
      settings: JobSettings;
      invocationId: string;
    }
  | { type: "run"; task: IndexTask; attempt: number }
  /** Abort the running index at its next safe point and exit. */
  | { type: "stop" }
  /** Nothing left: close the ledger and exit. */
  | { type: "exit" };

/** Worker → coordinator messages. */
export type PoolReply =
  | { type: "ready" }
  | { type: "event"; event: BatchEvent }
  | { type: "result"; result: IndexResult }
  | { type: "fatal"; message: string };

/** Seconds a worker whose coordinator vanished waits for its job to stop before exiting. */
const ORPHAN_GRACE_MS = 5_000;

/**
 * The body of a process-pool worker: opens its own connection to the ledger (WAL lets the
 * workers write side by side), then runs the indices the coordinator sends, one at a time.
 * Ctrl-C in a terminal reaches the whole process group; workers ignore it and stop when the
 * coordinator says so. A worker whose coordinator is gone (IPC disconnect) stops its job and exits.
 */
export function runPoolWorker(): void {
  const controller = new AbortController();
  let worker: IndexWorker | undefined;
  let ledger: Ledger | undefined;
  const send = (m: PoolReply) => {
    if (process.connected) process.send!(m);
  };
  const leave = (code: number) => {
    try {
      ledger?.close();
    } finally {
      process.exit(code);
    }
  };
  const init = (m: Extract<PoolCommand, { type: "init" }>) => {
    ledger = m.ledgerPath ? openLedger(m.ledgerPath, { config: m.config }) : undefined;
    worker = createIndexWorker({
      ledger,
      settings: m.settings,
      invocationId: m.invocationId,
      backend: "process_pool",
      emit: (event) => send({ type: "event", event }),
    });
    send({ type: "ready" });
  };
  const run = async (m: Extract<PoolCommand, { type: "run" }>) => {
    try {
      send({ type: "result", result: await worker!.process(m.task, m.attempt, controller.signal) });
    } catch (err) {
      if (err instanceof InterruptedError) return leave(err.exitCode);
      send({ type: "fatal", message: oneLine(err) });
      leave(1);
    }
  };
  process.on("SIGINT", () => {});
  process.on("message", (m: PoolCommand) => {
    try {
      if (m.type === "init") init(m);
      else if (m.type === "run") void run(m);
      else if (m.type === "stop") controller.abort(new InterruptedError("SIGTERM"));
      else if (m.type === "exit") leave(0);
    } catch (err) {
      send({ type: "fatal", message: oneLine(err) });
      leave(1);
    }
  });
  process.on("disconnect", () => {
    controller.abort(new InterruptedError("SIGTERM"));
    setTimeout(() => leave(1), ORPHAN_GRACE_MS).unref();
  });
}

function invokedDirectly(): boolean {
  try {
    return realpathSync(process.argv[1] ?? "") === realpathSync(poolWorkerEntry);
  } catch {
    return false;
  }
}

if (invokedDirectly() && process.send) runPoolWorker();
