import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { SplatbookError } from "../util/errors.js";
import type { BackendRunContext, BatchBackend, IndexResult } from "./backend.js";
import type { IndexTask } from "./indexRunner.js";
import { poolWorkerEntry, type PoolCommand, type PoolReply } from "./poolWorker.js";
import { batchLog } from "./worker.js";

/** Times an index is started before a dead worker counts as its failure (first run + 1 retry). */
export const MAX_ATTEMPTS = 2;
/** After a stop request, workers still alive this long later are killed. */
const STOP_KILL_MS = 30_000;

/** Records an index whose workers died on every attempt. */
function recordDeath(
  ctx: BackendRunContext,
  task: IndexTask,
  attempt: number,
  cause: string,
): IndexResult {
  const error = `worker process died while running it, ${attempt} time(s) (last: ${cause})`;
  ctx.ledger?.recordIndex({
    idx: task.idx,
    scene: task.scene,
    status: "error",
    outputPaths: [],
    completedAt: new Date().toISOString(),
    wallTimeNs: 0,
    peakMemoryBytes: null,
    gpuMemoryBytes: null,
    error,
    workerId: null,
    attempts: attempt,
    stages: [],
    artifacts: [],
  });
  ctx.emit({
    type: "index-done",
    workerId: null,
    idx: task.idx,
    scene: task.scene,
    status: "error",
    error,
    wallTimeMs: 0,
    ledgerMs: null,
  });
  return { ...task, status: "error", error, outputPaths: [], wallTimeMs: null, reused: false };
}

/**
 * Runs the indices in `jobs` worker processes. Each worker opens the ledger itself and records
 * its indices; this process hands out indices, relays the workers' events, and watches them:
 * a worker that dies is replaced, and the index it held goes back to the queue once; a second
 * death records the index as failed.
 */
export function createProcessPoolBackend(): BatchBackend {
  return {
    name: "process_pool",
    run(ctx) {
      if (poolWorkerEntry.endsWith(".ts") || !existsSync(poolWorkerEntry)) {
        throw new SplatbookError(
          `process_pool needs the compiled package (${poolWorkerEntry} cannot be forked; run npm run build)`,
        );
      }
      return runPool(ctx);
    },
  };
}

function runPool(ctx: BackendRunContext): Promise<IndexResult[]> {
  const queue = [...ctx.tasks];
  const attempts = new Map<number, number>();
  const results: IndexResult[] = [];
  const children = new Set<ChildProcess>();
  const log = (level: "WARNING" | "ERROR", message: string, idx: number | null) => {
    const entry = batchLog(level, message, null, idx);
    ctx.ledger?.appendLogs([entry]);
    ctx.emit({ type: "log", entry });
  };
  let startError: string | undefined;
  return new Promise((resolveRun, rejectRun) => {
    const onAbort = () => {
      for (const c of children) c.send({ type: "stop" } satisfies PoolCommand);
      setTimeout(() => children.forEach((c) => c.kill("SIGKILL")), STOP_KILL_MS).unref();
    };
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    const finish = () => {
      if (children.size > 0) return;
      ctx.signal.removeEventListener("abort", onAbort);
      if (startError && queue.length > 0) {
        rejectRun(new SplatbookError(`batch worker failed to start: ${startError}`));
      } else resolveRun(results);
    };
    const spawnWorker = () => {
      // Each worker leads its own process group, so the output-folder lock knows the ffmpeg or
      // COLMAP a killed worker left running and the retry waits for them.
      const child = fork(poolWorkerEntry, [], {
        stdio: ["ignore", "ignore", "pipe", "ipc"],
        detached: true,
      });
      children.add(child);
      let current: { task: IndexTask; attempt: number } | undefined;
      let workerId = "";
      let stderrTail = "";
      child.stderr!.on("data", (d: Buffer) => (stderrTail = (stderrTail + d).slice(-2000)));
      const next = () => {
        const task = ctx.signal.aborted ? undefined : queue.shift();
        if (!task) return void child.send({ type: "exit" } satisfies PoolCommand);
        const attempt = (attempts.get(task.idx) ?? 0) + 1;
        attempts.set(task.idx, attempt);
        current = { task, attempt };
        child.send({ type: "run", task, attempt } satisfies PoolCommand);
      };
      child.on("message", (m: PoolReply) => {
        if (m.type === "ready") next();
        else if (m.type === "event") {
          if (m.event.type === "worker-start") workerId = m.event.workerId;
          ctx.emit(m.event);
        } else if (m.type === "result") {
          results.push(m.result);
          current = undefined;
          next();
        } else if (m.type === "fatal") {
          stderrTail += `\n${m.message}`;
          if (!current) startError = m.message;
        }
      });
      child.on("error", (err) => (stderrTail += `\n${err.message}`));
      child.on("exit", (code, signal) => {
        children.delete(child);
        ctx.emit({ type: "worker-exit", workerId, pid: child.pid ?? -1, code, signal });
        if (current && !ctx.signal.aborted) {
          const lastLine = stderrTail.trim().split("\n").pop() ?? "";
          const cause = `pid ${child.pid} ${signal ? `killed by ${signal}` : `exit ${code}`}${lastLine ? `: ${lastLine}` : ""}`;
          const { task, attempt } = current;
          if (attempt < MAX_ATTEMPTS) {
            log(
              "WARNING",
              `worker ${cause} while running index ${task.idx}; retrying it`,
              task.idx,
            );
            queue.unshift(task);
          } else {
            log("ERROR", `worker ${cause} while running index ${task.idx}, again`, task.idx);
            results.push(recordDeath(ctx, task, attempt, cause));
          }
          if (queue.length > 0) spawnWorker();
        }
        finish();
      });
      child.send({
        type: "init",
        ledgerPath: ctx.ledger?.path ?? null,
        config: ctx.config,
        settings: ctx.settings,
        invocationId: ctx.invocationId,
      } satisfies PoolCommand);
    };
    const slots = Math.max(1, Math.min(ctx.jobs, queue.length));
    if (queue.length === 0) return finish();
    for (let i = 0; i < slots; i++) spawnWorker();
  });
}
