import type { PipelineSummary, StageMetric, WorkerRecord } from "../contracts/ledger.js";
import { openLedgerDatabase } from "./database.js";
import { createLedgerQueries } from "./queries.js";
import { schemaVersion } from "./schema.js";

/** One configuration's run in a ledger file, as `splatbook ledger` shows it. */
export interface LedgerRunReport {
  runId: number;
  configHash: string;
  config: unknown;
  startedAt: string;
  summary: PipelineSummary;
  failures: Array<{ idx: number; scene: string | null; error: string }>;
  slowestStages: Array<StageMetric & { idx: number; scene: string | null }>;
  workers: WorkerRecord[];
}

/** A ledger file's contents in brief. */
export interface LedgerReport {
  path: string;
  schemaVersion: number;
  journalMode: string;
  runs: LedgerRunReport[];
}

/** Reads a ledger file (migrating it to this release's schema first) into a report. */
export function readLedgerReport(path: string, opts: { slowest?: number } = {}): LedgerReport {
  const database = openLedgerDatabase(path, {
    warn: (m) => process.stderr.write(`warning: ${m}\n`),
  });
  try {
    const { db } = database;
    const runs = db
      .prepare(
        "SELECT run_id, config_hash, config_json, started_at, total_indices FROM pipeline_runs ORDER BY run_id",
      )
      .all() as Array<{
      run_id: number;
      config_hash: string;
      config_json: string;
      started_at: string;
      total_indices: number | null;
    }>;
    return {
      path: database.path,
      schemaVersion: schemaVersion(db),
      journalMode: database.journalMode,
      runs: runs.map((r) => {
        const q = createLedgerQueries(db, r.run_id);
        const records = q.indexMetrics();
        const total = Math.max(r.total_indices ?? 0, records.length);
        return {
          runId: r.run_id,
          configHash: r.config_hash,
          config: JSON.parse(r.config_json) as unknown,
          startedAt: r.started_at,
          summary: q.summary(total),
          failures: records
            .filter((m) => m.status === "error")
            .map((m) => ({ idx: m.idx, scene: m.scene, error: m.error ?? "unknown error" })),
          slowestStages: q.slowestStages(opts.slowest ?? 10),
          workers: q.workers(),
        };
      }),
    };
  } finally {
    database.close();
  }
}
