/**
 * The batch run ledger: its SQLite tables and columns (snake_case, the ledger format's names,
 * never renamed or dropped; later columns are additions) and the TypeScript shapes the
 * `Pipeline` query API returns (camelCase).
 */

/** Every table of the ledger and its columns, in creation order. Additions come last. */
export const LEDGER_TABLES = {
  pipeline_runs: ["run_id", "config_hash", "config_json", "started_at", "run_dir", "total_indices"],
  index_results: [
    "idx",
    "run_id",
    "status",
    "output_paths",
    "completed_at",
    "wall_time_ns",
    "peak_memory_bytes",
    "gpu_memory_bytes",
    "error",
    // additions: the scene folder name, the worker that ran it, how many times it was started
    "scene",
    "worker_id",
    "attempts",
  ],
  stage_metrics: [
    "idx",
    "run_id",
    "stage_order",
    "stage_name",
    "wall_time_ns",
    // addition: completed | cached | skipped | failed
    "status",
  ],
  workers: [
    "worker_id",
    "run_id",
    "pid",
    "hostname",
    "started_at",
    "last_heartbeat",
    "current_index",
    "completed_count",
    "invocation_id",
    // addition: sequential | process_pool | bullmq
    "backend",
  ],
  output_files: ["path", "idx", "run_id", "seq"],
  filter_artifacts: ["path", "idx", "run_id", "filter_name", "filter_order"],
  logs: [
    "id",
    "run_id",
    "timestamp",
    "level",
    "level_name",
    "logger_name",
    "message",
    "worker_id",
    "idx",
  ],
} as const;

export type LedgerTable = keyof typeof LEDGER_TABLES;

/** Status of an index row. */
export type IndexStatus = "completed" | "error";

/** How a stage of an index ended: ran now, reused from its checkpoint, not needed, or failed. */
export type StageMetricStatus = "completed" | "cached" | "skipped" | "failed";

/** Numeric log levels (Python logging's values, so tools reading the ledger agree). */
export const LOG_LEVELS = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40 } as const;
export type LogLevelName = keyof typeof LOG_LEVELS;

/** The batch backends. */
export const BATCH_BACKENDS = ["sequential", "process_pool", "bullmq"] as const;
export type BatchBackendName = (typeof BATCH_BACKENDS)[number];

/** One stage of one index (a `stage_metrics` row). */
export interface StageMetric {
  stageOrder: number;
  stageName: string;
  wallTimeNs: number;
  status: StageMetricStatus;
}

/** One index's record (an `index_results` row with its stages). */
export interface IndexMetrics {
  idx: number;
  scene: string | null;
  status: IndexStatus;
  outputPaths: string[];
  completedAt: string | null;
  wallTimeNs: number | null;
  peakMemoryBytes: number | null;
  /** Peak GPU buffer bytes while the index ran; null when it used no GPU (or it is unknown). */
  gpuMemoryBytes: number | null;
  error: string | null;
  workerId: string | null;
  attempts: number;
  stages: StageMetric[];
}

/** Aggregate of one stage over every recorded index. */
export interface StageTotals {
  stageName: string;
  stageOrder: number;
  /** Rows where the stage ran (not cached or skipped). */
  runs: number;
  totalMs: number;
  meanMs: number;
  maxMs: number;
  /** Index of the slowest run. */
  maxIdx: number | null;
}

/** `pipeline.metrics`: everything timed. */
export interface PipelineMetrics {
  indices: IndexMetrics[];
  stages: StageTotals[];
  totalWallTimeMs: number;
  meanWallTimeMs: number | null;
  maxPeakMemoryBytes: number | null;
  maxGpuMemoryBytes: number | null;
}

/** `pipeline.summary()`. */
export interface PipelineSummary {
  total: number;
  completed: number;
  failed: number;
  remaining: number;
  /** Log records at ERROR level (index failures, dead workers — including retried ones). */
  errors: number;
  /** Mean wall time of completed indices (ms), null before the first one. */
  avgTimeMs: number | null;
  /** From the run's start to the last recorded index (ms). */
  elapsedMs: number;
  /** Workers registered for the run, over all invocations. */
  workers: number;
}

/** A `workers` row. */
export interface WorkerRecord {
  workerId: string;
  pid: number;
  hostname: string;
  startedAt: string;
  lastHeartbeat: string | null;
  currentIndex: number | null;
  completedCount: number;
  invocationId: string;
  backend: string | null;
}

/** A `logs` row. */
export interface LogRecord {
  id: number;
  timestamp: string;
  level: number;
  levelName: string;
  loggerName: string;
  message: string;
  workerId: string | null;
  idx: number | null;
}
