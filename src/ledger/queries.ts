import type Database from "better-sqlite3";
import { resolve, sep } from "node:path";
import type {
  IndexMetrics,
  LogRecord,
  PipelineMetrics,
  PipelineSummary,
  StageMetric,
  StageMetricStatus,
  StageTotals,
  WorkerRecord,
} from "../contracts/ledger.js";

/** The read side of a ledger, scoped to one run. */
export interface LedgerQueries {
  completedIndices(): Set<number>;
  /** Index → error message, for indices whose latest attempt failed. */
  failedIndices(): Map<number, string>;
  /** Every recorded index with its stages, by index. */
  indexMetrics(): IndexMetrics[];
  /** One index's record, if any. */
  indexRecord(idx: number): IndexMetrics | undefined;
  metrics(): PipelineMetrics;
  /** Counts against `total` indices (the scene list's length). */
  summary(total: number): PipelineSummary;
  workers(): WorkerRecord[];
  outputPathsForIndex(idx: number): string[];
  /** The index that wrote `path` (or an output folder holding it), if any. */
  indexForPath(path: string): number | undefined;
  logs(filter?: { idx?: number; minLevel?: number; limit?: number }): LogRecord[];
  /** The slowest stage runs (not cached/skipped), longest first. */
  slowestStages(limit: number): Array<StageMetric & { idx: number; scene: string | null }>;
}

interface IndexRow {
  idx: number;
  status: "completed" | "error";
  output_paths: string | null;
  completed_at: string | null;
  wall_time_ns: number | null;
  peak_memory_bytes: number | null;
  gpu_memory_bytes: number | null;
  error: string | null;
  scene: string | null;
  worker_id: string | null;
  attempts: number | null;
}

interface StageRow {
  idx: number;
  stage_order: number;
  stage_name: string;
  wall_time_ns: number | null;
  status: string | null;
}

function parsePaths(text: string | null): string[] {
  if (!text) return [];
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}

function stageOf(r: StageRow): StageMetric {
  return {
    stageOrder: r.stage_order,
    stageName: r.stage_name,
    wallTimeNs: r.wall_time_ns ?? 0,
    status: (r.status ?? "completed") as StageMetricStatus,
  };
}

function indexOf(r: IndexRow, stages: StageMetric[]): IndexMetrics {
  return {
    idx: r.idx,
    scene: r.scene,
    status: r.status,
    outputPaths: parsePaths(r.output_paths),
    completedAt: r.completed_at,
    wallTimeNs: r.wall_time_ns,
    peakMemoryBytes: r.peak_memory_bytes,
    gpuMemoryBytes: r.gpu_memory_bytes,
    error: r.error,
    workerId: r.worker_id,
    attempts: r.attempts ?? 1,
    stages,
  };
}

function stageTotals(indices: IndexMetrics[]): StageTotals[] {
  const byName = new Map<string, StageTotals>();
  for (const m of indices) {
    for (const s of m.stages) {
      const t: StageTotals = byName.get(s.stageName) ?? {
        stageName: s.stageName,
        stageOrder: s.stageOrder,
        runs: 0,
        totalMs: 0,
        meanMs: 0,
        maxMs: 0,
        maxIdx: null,
      };
      byName.set(s.stageName, t);
      if (s.status !== "completed" && s.status !== "failed") continue;
      const ms = s.wallTimeNs / 1e6;
      t.runs++;
      t.totalMs += ms;
      if (ms >= t.maxMs) {
        t.maxMs = ms;
        t.maxIdx = m.idx;
      }
    }
  }
  const out = [...byName.values()].sort((a, b) => a.stageOrder - b.stageOrder);
  for (const t of out) t.meanMs = t.runs ? t.totalMs / t.runs : 0;
  return out;
}

function max(values: Array<number | null>): number | null {
  const v = values.filter((x): x is number => x !== null);
  return v.length ? Math.max(...v) : null;
}

/** Queries over the ledger's tables for one run (each a single consistent read). */
export function createLedgerQueries(db: Database.Database, runId: number): LedgerQueries {
  const rows = () =>
    db
      .prepare("SELECT * FROM index_results WHERE run_id = ? ORDER BY idx")
      .all(runId) as IndexRow[];
  const stageRows = (idx?: number) =>
    (idx === undefined
      ? db
          .prepare("SELECT * FROM stage_metrics WHERE run_id = ? ORDER BY idx, stage_order")
          .all(runId)
      : db
          .prepare("SELECT * FROM stage_metrics WHERE run_id = ? AND idx = ? ORDER BY stage_order")
          .all(runId, idx)) as StageRow[];

  const indexMetrics = (): IndexMetrics[] =>
    db.transaction(() => {
      const stages = new Map<number, StageMetric[]>();
      for (const s of stageRows()) {
        const list = stages.get(s.idx) ?? [];
        list.push(stageOf(s));
        stages.set(s.idx, list);
      }
      return rows().map((r) => indexOf(r, stages.get(r.idx) ?? []));
    })();

  return {
    completedIndices: () =>
      new Set(
        db
          .prepare("SELECT idx FROM index_results WHERE run_id = ? AND status = 'completed'")
          .pluck()
          .all(runId) as number[],
      ),
    failedIndices() {
      const list = db
        .prepare(
          "SELECT idx, error FROM index_results WHERE run_id = ? AND status = 'error' ORDER BY idx",
        )
        .all(runId) as Array<{ idx: number; error: string | null }>;
      return new Map(list.map((r) => [r.idx, r.error ?? "unknown error"]));
    },
    indexMetrics,
    indexRecord(idx) {
      const r = db
        .prepare("SELECT * FROM index_results WHERE run_id = ? AND idx = ?")
        .get(runId, idx) as IndexRow | undefined;
      return r ? indexOf(r, stageRows(idx).map(stageOf)) : undefined;
    },
    metrics() {
      const indices = indexMetrics();
      const done = indices.filter((m) => m.status === "completed" && m.wallTimeNs !== null);
      const totalNs = indices.reduce((a, m) => a + (m.wallTimeNs ?? 0), 0);
      return {
        indices,
        stages: stageTotals(indices),
        totalWallTimeMs: totalNs / 1e6,
        meanWallTimeMs: done.length
          ? done.reduce((a, m) => a + m.wallTimeNs!, 0) / done.length / 1e6
          : null,
        maxPeakMemoryBytes: max(indices.map((m) => m.peakMemoryBytes)),
        maxGpuMemoryBytes: max(indices.map((m) => m.gpuMemoryBytes)),
      };
    },
    summary: (total) => summaryOf(db, runId, total),
    workers: () => workersOf(db, runId),
    outputPathsForIndex: (idx) =>
      db
        .prepare("SELECT path FROM output_files WHERE run_id = ? AND idx = ? ORDER BY seq")
        .pluck()
        .all(runId, idx) as string[],
    indexForPath: (path) => indexForPath(db, runId, path),
    logs: (filter) => logsOf(db, runId, filter),
    slowestStages: (limit) => slowestStages(db, runId, limit),
  };
}

/** Counts, mean time and elapsed time of one run, against `total` indices. */
function summaryOf(db: Database.Database, runId: number, total: number): PipelineSummary {
  const get = (sql: string) => db.prepare(sql).pluck().get(runId) as number | null;
  const completed = get(
    "SELECT COUNT(*) FROM index_results WHERE run_id = ? AND status = 'completed'",
  )!;
  const failed = get("SELECT COUNT(*) FROM index_results WHERE run_id = ? AND status = 'error'")!;
  const avgNs = get(
    "SELECT AVG(wall_time_ns) FROM index_results WHERE run_id = ? AND status = 'completed'",
  );
  const span = db
    .prepare(
      `SELECT r.started_at AS started, MAX(i.completed_at) AS last FROM pipeline_runs r
       LEFT JOIN index_results i ON i.run_id = r.run_id WHERE r.run_id = ?`,
    )
    .get(runId) as { started: string; last: string | null };
  const elapsedMs = span.last ? Date.parse(span.last) - Date.parse(span.started) : 0;
  return {
    total,
    completed,
    failed,
    remaining: Math.max(0, total - completed),
    errors: get("SELECT COUNT(*) FROM logs WHERE run_id = ? AND level >= 40")!,
    avgTimeMs: avgNs === null ? null : avgNs / 1e6,
    elapsedMs: Math.max(0, elapsedMs),
    workers: get("SELECT COUNT(*) FROM workers WHERE run_id = ?")!,
  };
}

/** The workers of one run, in the order they started. */
function workersOf(db: Database.Database, runId: number): WorkerRecord[] {
  const list = db
    .prepare("SELECT * FROM workers WHERE run_id = ? ORDER BY started_at, worker_id")
    .all(runId) as Array<Record<string, any>>;
  return list.map((w) => ({
    workerId: w.worker_id,
    pid: w.pid,
    hostname: w.hostname,
    startedAt: w.started_at,
    lastHeartbeat: w.last_heartbeat,
    currentIndex: w.current_index,
    completedCount: w.completed_count,
    invocationId: w.invocation_id,
    backend: w.backend ?? null,
  }));
}

/** The index that wrote `path`, or wrote the deepest recorded output folder holding it. */
function indexForPath(db: Database.Database, runId: number, path: string): number | undefined {
  const abs = resolve(path);
  const exact = db
    .prepare("SELECT idx FROM output_files WHERE run_id = ? AND path = ? LIMIT 1")
    .pluck()
    .get(runId, abs) as number | undefined;
  if (exact !== undefined) return exact;
  // A file inside an output folder: the longest recorded path that is its ancestor.
  const all = db
    .prepare("SELECT path, idx FROM output_files WHERE run_id = ?")
    .all(runId) as Array<{ path: string; idx: number }>;
  const parents = all.filter((r) => abs.startsWith(r.path.endsWith(sep) ? r.path : r.path + sep));
  parents.sort((a, b) => b.path.length - a.path.length);
  return parents[0]?.idx;
}

/** Log lines of one run, oldest first, optionally of one index and from a level up. */
function logsOf(
  db: Database.Database,
  runId: number,
  filter: { idx?: number; minLevel?: number; limit?: number } = {},
): LogRecord[] {
  const list = db
    .prepare(
      `SELECT * FROM logs WHERE run_id = ? AND (? IS NULL OR idx = ?) AND level >= ?
       ORDER BY id LIMIT ?`,
    )
    .all(
      runId,
      filter.idx ?? null,
      filter.idx ?? null,
      filter.minLevel ?? 0,
      filter.limit ?? -1,
    ) as Array<Record<string, any>>;
  return list.map((l) => ({
    id: l.id,
    timestamp: l.timestamp,
    level: l.level,
    levelName: l.level_name,
    loggerName: l.logger_name,
    message: l.message,
    workerId: l.worker_id,
    idx: l.idx,
  }));
}

/** The `limit` longest stage runs that did work (completed or failed), longest first. */
function slowestStages(
  db: Database.Database,
  runId: number,
  limit: number,
): Array<StageMetric & { idx: number; scene: string | null }> {
  const list = db
    .prepare(
      `SELECT s.*, i.scene FROM stage_metrics s LEFT JOIN index_results i
         ON i.run_id = s.run_id AND i.idx = s.idx
       WHERE s.run_id = ? AND COALESCE(s.status, 'completed') IN ('completed', 'failed')
       ORDER BY s.wall_time_ns DESC LIMIT ?`,
    )
    .all(runId, limit) as Array<StageRow & { scene: string | null }>;
  return list.map((r) => ({ ...stageOf(r), idx: r.idx, scene: r.scene }));
}
