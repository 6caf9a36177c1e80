import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { SplatbookError } from "../util/errors.js";
import type { BackendRunContext, BatchBackend, IndexResult } from "./backend.js";
import type { IndexTask } from "./indexRunner.js";
import { poolWorkerEntry, type PoolCommand, type PoolReply } from "./poolWorker.js";
import { logBatchLine } from "./worker.js";

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
  return new Promise((resolveRun, rejectRun) => {
    const pool = new WorkerPool(ctx, resolveRun, rejectRun);
    const slots = Math.max(1, Math.min(ctx.jobs, ctx.tasks.length));
    if (ctx.tasks.length === 0) return pool.finish();
    for (let i = 0; i < slots; i++) pool.spawnWorker();
  });
}

/** What the pool knows of one worker process. */
interface PoolWorker {
  child: ChildProcess;
  workerId: string;
  stderrTail: string;
  /** The index it runs now, and which attempt at it this is. */
  current?: { task: IndexTask; attempt: number };
}

/** The queue of indices, the live workers and the results of one pool run. */
class WorkerPool {
  private readonly queue: IndexTask[];
  private readonly attempts = new Map<number, number>();
  private readonly results: IndexResult[] = [];
  private readonly children = new Set<ChildProcess>();
  private startError: string | undefined;
  private readonly onAbort = () => {
    for (const c of this.children) c.send({ type: "stop" } satisfies PoolCommand);
    setTimeout(() => this.children.forEach((c) => c.kill("SIGKILL")), STOP_KILL_MS).unref();
  };

  constructor(
    private readonly ctx: BackendRunContext,
    private readonly resolveRun: (results: IndexResult[]) => void,
    private readonly rejectRun: (err: Error) => void,
  ) {
    this.queue = [...ctx.tasks];
    ctx.signal.addEventListener("abort", this.onAbort, { once: true });
  }

  /** Settles the run once no worker is left. */
  finish(): void {
    if (this.children.size > 0) return;
    this.ctx.signal.removeEventListener("abort", this.onAbort);
    if (this.startError && this.queue.length > 0) {
      this.rejectRun(new SplatbookError(`batch worker failed to start: ${this.startError}`));
    } else this.resolveRun(this.results);
  }

  spawnWorker(): void {
    // Each worker leads its own process group, so the output-folder lock knows the ffmpeg or
    // COLMAP a killed worker left running and the retry waits for them.
    const child = fork(poolWorkerEntry, [], {
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      detached: true,
    });
    this.children.add(child);
    const w: PoolWorker = { child, workerId: "", stderrTail: "" };
    child.stderr!.on("data", (d: Buffer) => (w.stderrTail = (w.stderrTail + d).slice(-2000)));
    child.on("message", (m: PoolReply) => this.onMessage(w, m));
    child.on("error", (err) => (w.stderrTail += `\n${err.message}`));
    child.on("exit", (code, signal) => this.onExit(w, code, signal));
    child.send({
      type: "init",
      ledgerPath: this.ctx.ledger?.path ?? null,
      config: this.ctx.config,
      settings: this.ctx.settings,
      invocationId: this.ctx.invocationId,
    } satisfies PoolCommand);
  }

  /** Hands the worker the next index, or tells it to exit when none is left. */
  private next(w: PoolWorker): void {
    const task = this.ctx.signal.aborted ? undefined : this.queue.shift();
    if (!task) return void w.child.send({ type: "exit" } satisfies PoolCommand);
    const attempt = (this.attempts.get(task.idx) ?? 0) + 1;
    this.attempts.set(task.idx, attempt);
    w.current = { task, attempt };
    w.child.send({ type: "run", task, attempt } satisfies PoolCommand);
  }

  private onMessage(w: PoolWorker, m: PoolReply): void {
    if (m.type === "ready") this.next(w);
    else if (m.type === "event") {
      if (m.event.type === "worker-start") w.workerId = m.event.workerId;
      this.ctx.emit(m.event);
    } else if (m.type === "result") {
      this.results.push(m.result);
      w.current = undefined;
      this.next(w);
    } else if (m.type === "fatal") {
      w.stderrTail += `\n${m.message}`;
      if (!w.current) this.startError = m.message;
    }
  }

  /** A worker exited: one that died holding an index gives it back once, then fails it. */
  private onExit(w: PoolWorker, code: number | null, signal: NodeJS.Signals | null): void {
    const { child, current } = w;
    this.children.delete(child);
    this.ctx.emit({
      type: "worker-exit",
      workerId: w.workerId,
      pid: child.pid ?? -1,
      code,
      signal,
    });
    if (current && !this.ctx.signal.aborted) {
      const lastLine = w.stderrTail.trim().split("\n").pop() ?? "";
      const cause = `pid ${child.pid} ${signal ? `killed by ${signal}` : `exit ${code}`}${lastLine ? `: ${lastLine}` : ""}`;
      const { task, attempt } = current;
      if (attempt < MAX_ATTEMPTS) {
        this.log(
          "WARNING",
          `worker ${cause} while running index ${task.idx}; retrying it`,
          task.idx,
        );
        this.queue.unshift(task);
      } else {
        this.log("ERROR", `worker ${cause} while running index ${task.idx}, again`, task.idx);
        this.results.push(recordDeath(this.ctx, task, attempt, cause));
      }
      if (this.queue.length > 0) this.spawnWorker();
    }
    this.finish();
  }

  private log(level: "WARNING" | "ERROR", message: string, idx: number): void {
    logBatchLine(this.ctx, level, message, idx);
  }
}
