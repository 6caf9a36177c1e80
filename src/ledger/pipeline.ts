import { randomUUID } from "node:crypto";
import { basename } from "node:path";
import type {
  BatchBackendName,
  PipelineMetrics,
  PipelineSummary,
  WorkerRecord,
} from "../contracts/ledger.js";
import type { JobStage } from "../contracts/stages.js";
import type { Logger } from "../contracts/logger.js";
import type { JobParams } from "../contracts/params.js";
import { InterruptedError, SplatbookError } from "../util/errors.js";
import type { BatchBackend, BatchEvent, IndexResult } from "./backend.js";
import { batchConfig, configHash, ledgerPath, type BatchConfig } from "./config.js";
import type { IndexTask, JobSettings } from "./indexRunner.js";
import { openLedger, type Ledger } from "./ledger.js";
import { createMemoryQueries } from "./memoryQueries.js";
import type { LedgerQueries } from "./queries.js";
import { listScenes } from "./scenes.js";
import { reconcileFailedIndices } from "./checkpointRecord.js";
import { resolveBackend, type BackendOptions } from "./backends.js";

/** Options of a {@link Pipeline}. */
export interface PipelineOptions {
  /** Scenes root: each folder under it (sorted by name) is one index. */
  source: string;
  /** Outputs root: index i writes `<output>/<scene name>` with its own checkpoint. */
  output: string;
  /** Stage parameters for every job (frames per video, matcher, steps…). */
  params?: JobParams;
  /** Last stage each job runs (default: all of them). */
  until?: JobStage;
  /** Reuse the ledger of the same configuration (`<hash16>.db`) and skip completed indices. */
  resume?: boolean;
  /** Ledger folder (default `SPLATBOOK_CACHE_DIR`, `$XDG_CACHE_HOME/splatbook`, `~/.cache/splatbook`). */
  dbDir?: string;
  /** `false`: no database at all (no resume, metrics only for this object's runs). */
  trackMetrics?: boolean;
  /** Unfinished job checkpoints older than this are ignored (default 24). */
  maxCheckpointAgeHours?: number;
  /** Warnings (e.g. a rollback journal instead of WAL). Default: stderr. */
  log?: Pick<Logger, "warn">;
}

/** Options of {@link Pipeline.run}. */
export interface PipelineRunOptions extends BackendOptions {
  /** Worker processes (process pool) or concurrent queue jobs (default 1). */
  jobs?: number;
  /** Default `bullmq` when `redis` is given, else `sequential` for 1 job, `process_pool` for more. */
  backend?: BatchBackendName;
  /** Aborting stops every running index at a safe point; `run` then rejects with it. */
  signal?: AbortSignal;
}

/** What {@link Pipeline.run} returns: one result per index, in index order. */
export interface PipelineRunResult {
  results: IndexResult[];
  /** Indices run now (completed or failed). */
  ran: number[];
  /** Completed indices reused from the ledger without running anything. */
  reused: number[];
  summary: PipelineSummary;
}

/**
 * A batch of captures: one 8-stage job per scene folder, recorded in a SQLite ledger named after
 * the configuration's hash. With `resume`, completed indices return their recorded outputs
 * without running and failed ones run again.
 */
export class Pipeline {
  readonly config: BatchConfig;
  /** SHA-256 of the configuration's canonical JSON. */
  readonly configHash: string;
  /** The ledger file; null when `trackMetrics` is false. */
  readonly dbPath: string | null;
  private readonly settings: JobSettings;
  private readonly listeners = new Set<(e: BatchEvent) => void>();
  private ledgerHandle: Ledger | undefined;
  private readonly memory = createMemoryQueries();
  private running = false;
  /** The ledger file's stem, or a fresh `<hash16>_<timestamp>` without a ledger. */
  readonly batchId: string;

  constructor(private readonly options: PipelineOptions) {
    this.config = batchConfig({ ...options, outputs: options.output });
    this.configHash = configHash(this.config);
    this.settings = {
      params: options.params ?? {},
      until: this.config.until,
      maxCheckpointAgeHours: options.maxCheckpointAgeHours,
    };
    const track = options.trackMetrics ?? true;
    this.dbPath = track
      ? ledgerPath({ hash: this.configHash, resume: options.resume ?? false, dbDir: options.dbDir })
      : null;
    this.batchId = basename(
      this.dbPath ?? ledgerPath({ hash: this.configHash, resume: false, dbDir: "/" }),
      ".db",
    );
    if (this.dbPath) this.ledgerHandle = this.openLedger();
  }

  private openLedger(): Ledger {
    const warn = this.options.log?.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`));
    return openLedger(this.dbPath!, { config: this.config, warn });
  }

  /** The ledger connection (reopened after `close`), or undefined without metrics. */
  private get ledger(): Ledger | undefined {
    if (this.dbPath && !this.ledgerHandle) this.ledgerHandle = this.openLedger();
    return this.ledgerHandle;
  }

  private get queries(): LedgerQueries {
    return this.ledger ?? this.memory;
  }

  /** The indices as they are on disk now. */
  tasks(): IndexTask[] {
    return listScenes(this.config.source, this.config.outputs);
  }

  /** Listens to batch events (worker start/exit, index start/progress/done, logs). */
  subscribe(listener: (event: BatchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs every index not completed yet. */
  async run(opts: PipelineRunOptions = {}): Promise<PipelineRunResult> {
    if (this.running) throw new SplatbookError("this pipeline is already running");
    this.running = true;
    try {
      return await this.runOnce(opts);
    } finally {
      this.running = false;
    }
  }

  private async runOnce(opts: PipelineRunOptions): Promise<PipelineRunResult> {
    const tasks = this.tasks();
    this.checkSceneNames(tasks);
    const ledger = this.ledger;
    ledger?.setTotalIndices(tasks.length);
    const resume = this.options.resume ?? false;
    // Checkpoints are the truth: a failure the ledger holds for a finished index is corrected.
    if (resume && ledger) await reconcileFailedIndices(ledger, tasks, this.settings);
    const completed = this.queries.completedIndices();
    const pending = tasks.filter((t) => !completed.has(t.idx));
    const jobs = Math.max(1, Math.floor(opts.jobs ?? 1));
    const backend: BatchBackend = await resolveBackend(
      opts.backend ?? (opts.redis ? "bullmq" : jobs > 1 ? "process_pool" : "sequential"),
      opts,
    );
    const signal = opts.signal ?? new AbortController().signal;
    const emit = (e: BatchEvent) => {
      for (const l of [...this.listeners]) {
        try {
          l(e);
        } catch {
          // a display error never stops the batch
        }
      }
    };
    const ranResults = await backend.run({
      tasks: pending,
      settings: this.settings,
      jobs,
      config: this.config,
      ledger,
      invocationId: randomUUID().replace(/-/g, ""),
      batchId: this.batchId,
      resume,
      signal,
      emit,
    });
    if (!ledger) ranResults.forEach((r) => this.memory.record(r));
    if (signal.aborted) {
      throw signal.reason instanceof InterruptedError ? signal.reason : new InterruptedError();
    }
    const byIdx = new Map(ranResults.map((r) => [r.idx, r]));
    const results = tasks.map((t) => byIdx.get(t.idx) ?? this.reusedResult(t));
    return {
      results,
      ran: ranResults.map((r) => r.idx).sort((a, b) => a - b),
      reused: results.filter((r) => r.reused).map((r) => r.idx),
      summary: this.summary(),
    };
  }

  private reusedResult(task: IndexTask): IndexResult {
    const record = this.queries.indexRecord(task.idx);
    return {
      idx: task.idx,
      scene: task.scene,
      status: record?.status ?? "error",
      error: record?.error ?? (record ? null : "not run"),
      outputPaths: record?.outputPaths ?? [],
      wallTimeMs: record?.wallTimeNs != null ? record.wallTimeNs / 1e6 : null,
      reused: record?.status === "completed",
    };
  }

  /** Refuses to resume when folders were added or removed in a way that shifts indices. */
  private checkSceneNames(tasks: IndexTask[]): void {
    for (const record of this.queries.indexMetrics()) {
      const now = tasks[record.idx]?.scene;
      if (record.scene !== null && now !== record.scene) {
        throw new SplatbookError(
          `${this.config.source}: the scene folders changed since ledger ${this.dbPath} was written ` +
            `(index ${record.idx} was ${record.scene}, now ${now ?? "missing"}); start a new ledger ` +
            `(run without resume) or reset() this one`,
          { file: this.config.source },
        );
      }
    }
  }

  /** Indices completed (in the ledger, or in this object's runs without metrics). */
  get completedIndices(): Set<number> {
    return this.queries.completedIndices();
  }

  /** Failed indices with their error messages. */
  get failedIndices(): Map<number, string> {
    return this.queries.failedIndices();
  }

  /** Indices not completed yet, sorted. */
  remainingIndices(): number[] {
    const done = this.completedIndices;
    return this.tasks()
      .map((t) => t.idx)
      .filter((i) => !done.has(i));
  }

  summary(): PipelineSummary {
    return this.queries.summary(this.tasks().length);
  }

  get metrics(): PipelineMetrics {
    return this.queries.metrics();
  }

  /** Workers registered for this configuration's run (every invocation). */
  get activeWorkers(): WorkerRecord[] {
    return this.queries.workers();
  }

  /** Clears every record (the next run processes all indices). */
  reset(): void {
    if (this.ledger) this.ledger.reset();
    else this.memory.reset();
  }

  /** Clears one index so the next run processes it again. */
  resetIndex(idx: number): void {
    if (this.ledger) this.ledger.resetIndex(idx);
    else this.memory.resetIndex(idx);
  }

  outputPathsForIndex(idx: number): string[] {
    return this.queries.outputPathsForIndex(idx);
  }

  indexForPath(path: string): number | undefined {
    return this.queries.indexForPath(path);
  }

  /** Closes the ledger connection (queries reopen it). */
  close(): void {
    this.ledgerHandle?.close();
    this.ledgerHandle = undefined;
  }
}
