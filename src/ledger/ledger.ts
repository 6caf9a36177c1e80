import { hostname } from "node:os";
import { LOG_LEVELS, type IndexMetrics, type LogLevelName } from "../contracts/ledger.js";
import { canonicalConfigJson, configHash, type BatchConfig } from "./config.js";
import { openLedgerDatabase, type LedgerDatabase, type OpenLedgerOptions } from "./database.js";
import { createLedgerQueries, type LedgerQueries } from "./queries.js";

/** A stage artifact (frames folder, COLMAP model, previews, snapshot…) of one index. */
export interface ArtifactRecord {
  path: string;
  stageName: string;
  stageOrder: number;
}

/**
 * What a finished index writes, in one transaction: its metrics as queries return them (with a
 * scene, a completion time and a wall time always known) and its stage artifacts. `attempts`
 * counts the times the index was started in this invocation (2 after a dead worker's retry).
 */
export interface IndexRecord extends Omit<IndexMetrics, "scene" | "completedAt" | "wallTimeNs"> {
  scene: string;
  completedAt: string;
  wallTimeNs: number;
  artifacts: ArtifactRecord[];
}

/** One log line for the `logs` table. */
export interface LogEntry {
  timestamp: string;
  levelName: LogLevelName;
  loggerName: string;
  message: string;
  workerId: string | null;
  idx: number | null;
}

/** A worker registering itself. */
export interface WorkerRegistration {
  workerId: string;
  pid: number;
  hostname?: string;
  invocationId: string;
  backend: string;
  startedAt?: string;
}

/** The ledger of one batch configuration: writes (each one short transaction) and queries. */
export interface Ledger extends LedgerQueries {
  readonly path: string;
  readonly runId: number;
  readonly database: LedgerDatabase;
  setTotalIndices(total: number): void;
  registerWorker(worker: WorkerRegistration): void;
  /** Registers a worker first seen through a queue; a known one is left as it is. */
  ensureWorker(worker: WorkerRegistration): void;
  /** Heartbeat + current index. */
  indexStarted(workerId: string, idx: number): void;
  /**
   * Index result, its stages, outputs and artifacts, the worker's heartbeat/count, and (queue
   * backends) the index's log lines — all in one transaction.
   */
  recordIndex(record: IndexRecord, logs?: readonly LogEntry[]): void;
  appendLogs(entries: readonly LogEntry[]): void;
  /** Drops every record of the run (the run row and its configuration stay). */
  reset(): void;
  /** Drops one index's records so it runs again. */
  resetIndex(idx: number): void;
  close(): void;
}

/** Options of {@link openLedger}. */
export interface OpenLedgerRunOptions extends OpenLedgerOptions {
  config: BatchConfig;
  /** Working directory of the batch (`run_dir`). */
  runDir?: string;
  totalIndices?: number;
}

const now = () => new Date().toISOString();

function ensureRun(database: LedgerDatabase, opts: OpenLedgerRunOptions): number {
  const hash = configHash(opts.config);
  const { db } = database;
  const find = db.prepare("SELECT run_id FROM pipeline_runs WHERE config_hash = ?").pluck();
  const existing = find.get(hash) as number | undefined;
  if (existing !== undefined) return existing;
  return database.write(() => {
    db.prepare(
      `INSERT OR IGNORE INTO pipeline_runs (config_hash, config_json, started_at, run_dir, total_indices)
       VALUES (?, ?, ?, ?, ?)`,
    ).run(
      hash,
      canonicalConfigJson(opts.config),
      now(),
      opts.runDir ?? process.cwd(),
      opts.totalIndices ?? null,
    );
    return find.get(hash) as number;
  });
}

/**
 * Opens the ledger file for a configuration, creating it and its `pipeline_runs` row if
 * needed. Every process of a batch (coordinator and pool workers) opens it this way; WAL lets
 * them write side by side.
 */
export function openLedger(path: string, opts: OpenLedgerRunOptions): Ledger {
  const database = openLedgerDatabase(path, opts);
  let runId: number;
  try {
    runId = ensureRun(database, opts);
  } catch (err) {
    database.close();
    throw err;
  }
  return createLedger(database, runId);
}

/** The ledger's write statements, prepared once per open database. */
function prepareWrites(db: LedgerDatabase["db"]) {
  return {
    total: db.prepare("UPDATE pipeline_runs SET total_indices = ? WHERE run_id = ?"),
    knownWorker: db.prepare(
      `INSERT OR IGNORE INTO workers (worker_id, run_id, pid, hostname, started_at, last_heartbeat,
         current_index, completed_count, invocation_id, backend)
       VALUES (?, ?, ?, ?, ?, ?, NULL, 0, ?, ?)`,
    ),
    worker: db.prepare(
      `INSERT OR REPLACE INTO workers (worker_id, run_id, pid, hostname, started_at, last_heartbeat,
         current_index, completed_count, invocation_id, backend)
       VALUES (?, ?, ?, ?, ?, ?, NULL, 0, ?, ?)`,
    ),
    started: db.prepare(
      "UPDATE workers SET last_heartbeat = ?, current_index = ? WHERE worker_id = ?",
    ),
    finished: db.prepare(
      `UPDATE workers SET last_heartbeat = ?, current_index = NULL,
         completed_count = completed_count + ? WHERE worker_id = ?`,
    ),
    result: db.prepare(
      `INSERT INTO index_results (idx, run_id, status, output_paths, completed_at, wall_time_ns,
         peak_memory_bytes, gpu_memory_bytes, error, scene, worker_id, attempts)
       VALUES (@idx, @runId, @status, @outputPaths, @completedAt, @wallTimeNs, @peakMemoryBytes,
         @gpuMemoryBytes, @error, @scene, @workerId, @attempts)
       ON CONFLICT (run_id, idx) DO UPDATE SET status = excluded.status,
         output_paths = excluded.output_paths, completed_at = excluded.completed_at,
         wall_time_ns = excluded.wall_time_ns, peak_memory_bytes = excluded.peak_memory_bytes,
         gpu_memory_bytes = excluded.gpu_memory_bytes, error = excluded.error,
         scene = excluded.scene, worker_id = excluded.worker_id,
         attempts = index_results.attempts + excluded.attempts`,
    ),
    stage: db.prepare(
      `INSERT INTO stage_metrics (idx, run_id, stage_order, stage_name, wall_time_ns, status)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    output: db.prepare("INSERT INTO output_files (path, idx, run_id, seq) VALUES (?, ?, ?, ?)"),
    artifact: db.prepare(
      `INSERT INTO filter_artifacts (path, idx, run_id, filter_name, filter_order)
       VALUES (?, ?, ?, ?, ?)`,
    ),
    log: db.prepare(
      `INSERT INTO logs (run_id, timestamp, level, level_name, logger_name, message, worker_id, idx)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
  };
}

function createLedger(database: LedgerDatabase, runId: number): Ledger {
  const { db } = database;
  const st = prepareWrites(db);
  const perIndexTables = ["stage_metrics", "output_files", "filter_artifacts", "index_results"];
  const dropIndex = (idx: number) => {
    for (const table of perIndexTables) {
      db.prepare(`DELETE FROM ${table} WHERE run_id = ? AND idx = ?`).run(runId, idx);
    }
  };
  const write = database.write;
  const insertLogs = (entries: readonly LogEntry[]) => {
    for (const e of entries) {
      const level = LOG_LEVELS[e.levelName];
      st.log.run(
        runId,
        e.timestamp,
        level,
        e.levelName,
        e.loggerName,
        e.message,
        e.workerId,
        e.idx,
      );
    }
  };
  const workerRow = (w: WorkerRegistration) => {
    const at = w.startedAt ?? now();
    return [w.workerId, runId, w.pid, w.hostname ?? hostname(), at, at, w.invocationId, w.backend];
  };

  return {
    ...createLedgerQueries(db, runId),
    path: database.path,
    runId,
    database,
    setTotalIndices: (total) => void write(() => st.total.run(total, runId)),
    registerWorker: (w) => void write(() => st.worker.run(...workerRow(w))),
    ensureWorker: (w) => void write(() => st.knownWorker.run(...workerRow(w))),
    indexStarted: (workerId, idx) => void write(() => st.started.run(now(), idx, workerId)),
    recordIndex(r, logs = []) {
      write(() => {
        for (const table of ["stage_metrics", "output_files", "filter_artifacts"]) {
          db.prepare(`DELETE FROM ${table} WHERE run_id = ? AND idx = ?`).run(runId, r.idx);
        }
        st.result.run({ ...r, runId, outputPaths: JSON.stringify(r.outputPaths) });
        for (const s of r.stages) {
          st.stage.run(r.idx, runId, s.stageOrder, s.stageName, s.wallTimeNs, s.status);
        }
        r.outputPaths.forEach((p, seq) => st.output.run(p, r.idx, runId, seq));
        for (const a of r.artifacts)
          st.artifact.run(a.path, r.idx, runId, a.stageName, a.stageOrder);
        if (r.workerId) st.finished.run(now(), r.status === "completed" ? 1 : 0, r.workerId);
        insertLogs(logs);
      });
    },
    appendLogs(entries) {
      if (entries.length > 0) write(() => insertLogs(entries));
    },
    reset() {
      write(() => {
        for (const table of [...perIndexTables, "workers", "logs"]) {
          db.prepare(`DELETE FROM ${table} WHERE run_id = ?`).run(runId);
        }
      });
    },
    resetIndex: (idx) => void write(() => dropIndex(idx)),
    close: () => database.close(),
  };
}
