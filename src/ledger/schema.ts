import type Database from "better-sqlite3";
import { SplatbookError } from "../util/errors.js";
import { writeWithRetry } from "./busy.js";

/**
 * The ledger's schema as migrations, tracked in `PRAGMA user_version`: version 1 is the ledger
 * format's seven tables with exactly its columns; later versions only add (columns, indexes),
 * so a newer release opens an older ledger and migrates it in place.
 */
const MIGRATIONS: readonly string[] = [
  // 1: the ledger format's tables.
  `CREATE TABLE pipeline_runs (
     run_id INTEGER PRIMARY KEY AUTOINCREMENT,
     config_hash TEXT NOT NULL UNIQUE,
     config_json TEXT NOT NULL,
     started_at TEXT NOT NULL,
     run_dir TEXT,
     total_indices INTEGER
   );
   CREATE TABLE index_results (
     idx INTEGER NOT NULL,
     run_id INTEGER NOT NULL REFERENCES pipeline_runs(run_id),
     status TEXT NOT NULL CHECK (status IN ('completed', 'error')),
     output_paths TEXT,
     completed_at TEXT,
     wall_time_ns INTEGER,
     peak_memory_bytes INTEGER,
     gpu_memory_bytes INTEGER,
     error TEXT,
     PRIMARY KEY (run_id, idx)
   );
   CREATE TABLE stage_metrics (
     idx INTEGER NOT NULL,
     run_id INTEGER NOT NULL REFERENCES pipeline_runs(run_id),
     stage_order INTEGER NOT NULL,
     stage_name TEXT NOT NULL,
     wall_time_ns INTEGER,
     PRIMARY KEY (run_id, idx, stage_order)
   );
   CREATE TABLE workers (
     worker_id TEXT PRIMARY KEY,
     run_id INTEGER NOT NULL REFERENCES pipeline_runs(run_id),
     pid INTEGER,
     hostname TEXT,
     started_at TEXT,
     last_heartbeat TEXT,
     current_index INTEGER,
     completed_count INTEGER NOT NULL DEFAULT 0,
     invocation_id TEXT
   );
   CREATE TABLE output_files (
     path TEXT NOT NULL,
     idx INTEGER NOT NULL,
     run_id INTEGER NOT NULL REFERENCES pipeline_runs(run_id),
     seq INTEGER NOT NULL,
     PRIMARY KEY (run_id, idx, seq)
   );
   CREATE INDEX output_files_path ON output_files(path);
   CREATE TABLE filter_artifacts (
     path TEXT NOT NULL,
     idx INTEGER NOT NULL,
     run_id INTEGER NOT NULL REFERENCES pipeline_runs(run_id),
     filter_name TEXT NOT NULL,
     filter_order INTEGER NOT NULL
   );
   CREATE INDEX filter_artifacts_idx ON filter_artifacts(run_id, idx);
   CREATE TABLE logs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     run_id INTEGER REFERENCES pipeline_runs(run_id),
     timestamp TEXT NOT NULL,
     level INTEGER NOT NULL,
     level_name TEXT NOT NULL,
     logger_name TEXT NOT NULL,
     message TEXT NOT NULL,
     worker_id TEXT,
     idx INTEGER
   );
   CREATE INDEX logs_run_idx ON logs(run_id, idx);`,
  // 2: what ran where and how: scene name, worker and attempts per index; stage outcome;
  // the backend of a worker.
  `ALTER TABLE index_results ADD COLUMN scene TEXT;
   ALTER TABLE index_results ADD COLUMN worker_id TEXT;
   ALTER TABLE index_results ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;
   ALTER TABLE stage_metrics ADD COLUMN status TEXT;
   ALTER TABLE workers ADD COLUMN backend TEXT;`,
];

/** The schema version this release writes. */
export const LEDGER_SCHEMA_VERSION = MIGRATIONS.length;

/** Current `user_version` of an open database. */
export function schemaVersion(db: Database.Database): number {
  return Number(db.pragma("user_version", { simple: true }));
}

/**
 * Brings the database to `target` (default: this release's version), one migration per
 * transaction so a crash leaves a consistent version. A ledger newer than this release is
 * refused rather than written with an older idea of its tables.
 */
export function migrate(
  db: Database.Database,
  file: string,
  target = LEDGER_SCHEMA_VERSION,
): number {
  let version = schemaVersion(db);
  if (version > LEDGER_SCHEMA_VERSION) {
    throw new SplatbookError(
      `${file}: ledger schema version ${version} is newer than this splatbook reads (${LEDGER_SCHEMA_VERSION}); upgrade splatbook`,
      { file },
    );
  }
  while (version < target) {
    const sql = MIGRATIONS[version]!;
    const next = version + 1;
    writeWithRetry(db, () => {
      // Another process may have migrated while we waited for the write lock.
      if (schemaVersion(db) >= next) return;
      db.exec(sql);
      db.pragma(`user_version = ${next}`);
    });
    version = schemaVersion(db);
  }
  return version;
}
