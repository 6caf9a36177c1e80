import Database from "better-sqlite3";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { CHECKPOINT_FILENAME } from "../contracts/checkpoint.js";
import { DELIVERY_MARK } from "../ledger/bullmq/protocol.js";
import type { LiveBatch } from "./processes.js";

/** The soak's outcome as its ledger, checkpoints and coordinators' reports show it. */
export interface SoakCounts {
  scenes: number;
  /** Indices the ledger holds as completed. */
  completed: number;
  /** Indices delivered to workers more than once (work done twice: allowed). */
  redelivered: number;
  /** Indices with no record in the ledger. */
  lost: number;
  /** Indices the ledger holds as failed (every scene is valid, so any failure is false). */
  falselyFailed: number;
  /** Indices some coordinator reported failed during the run, even if corrected later. */
  reportedFailed: number;
  /**
   * Indices counted twice in the ledger: reported done by more than one coordinator, delivery
   * log lines recorded twice (fewer attempts than lines), or a worker's completed count above
   * what it completed.
   */
  countedTwice: number;
  /** Scenes whose checkpoint shows them complete up to MetadataExtraction. */
  checkpointsComplete: number;
  /** `PRAGMA integrity_check`. */
  integrity: string;
  /** Mean wall time of a scene's job as recorded (s). */
  meanIndexSecs: number;
  /** Failures recorded, for the report. */
  errors: string[];
}

function ledgerFile(dbDir: string): string {
  const files = readdirSync(dbDir).filter((f) => f.endsWith(".db"));
  if (files.length !== 1) throw new Error(`expected one ledger in ${dbDir}: ${files.join(", ")}`);
  return join(dbDir, files[0]!);
}

/** Indices reported done by more than one coordinator process. */
function reportedTwice(coordinators: readonly LiveBatch[]): Set<number> {
  const byIdx = new Map<number, number>();
  for (const c of coordinators) {
    const mine = new Set<number>();
    for (const e of c.events) if (e.type === "index-done") mine.add(e.idx);
    for (const idx of mine) byIdx.set(idx, (byIdx.get(idx) ?? 0) + 1);
  }
  return new Set([...byIdx].filter(([, n]) => n > 1).map(([idx]) => idx));
}

function checkpointDone(out: string, scene: string): boolean {
  const path = join(out, scene, CHECKPOINT_FILENAME);
  if (!existsSync(path)) return false;
  const cp = JSON.parse(readFileSync(path, "utf8"));
  return cp.stages?.MetadataExtraction?.state === "completed";
}

/** Reads the soak's ledger, checkpoints and coordinator reports into counts. */
export function soakCounts(o: {
  scenesDir: string;
  out: string;
  dbDir: string;
  coordinators: readonly LiveBatch[];
}): SoakCounts {
  const scenes = readdirSync(o.scenesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const db = new Database(ledgerFile(o.dbDir), { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT r.idx, r.status, r.error, r.attempts, r.wall_time_ns AS wall,
           (SELECT COUNT(*) FROM logs l WHERE l.idx = r.idx AND l.message LIKE ?) AS marks
         FROM index_results r`,
      )
      .all(`%${DELIVERY_MARK}%`) as {
      idx: number;
      status: string;
      error: string | null;
      attempts: number;
      wall: number;
      marks: number;
    }[];
    const twice = reportedTwice(o.coordinators);
    for (const r of rows) if (r.marks !== r.attempts) twice.add(r.idx);
    const overCount = db
      .prepare(
        `SELECT COALESCE(SUM(w.completed_count), 0) - (SELECT COUNT(*) FROM index_results
           WHERE status = 'completed' AND worker_id IS NOT NULL) AS n FROM workers w`,
      )
      .get() as { n: number };
    const reported = new Set<number>();
    for (const c of o.coordinators)
      for (const e of c.events)
        if (e.type === "index-done" && e.status !== "completed") reported.add(e.idx);
    const completed = rows.filter((r) => r.status === "completed");
    return {
      scenes: scenes.length,
      completed: completed.length,
      redelivered: rows.filter((r) => r.attempts > 1).length,
      lost: scenes.length - rows.length,
      falselyFailed: rows.filter((r) => r.status !== "completed").length,
      reportedFailed: reported.size,
      countedTwice: twice.size + Math.max(0, overCount.n),
      checkpointsComplete: scenes.filter((s) => checkpointDone(o.out, s)).length,
      integrity: String(db.pragma("integrity_check", { simple: true })),
      meanIndexSecs:
        completed.reduce((s, r) => s + r.wall, 0) / 1e9 / Math.max(1, completed.length),
      errors: rows.filter((r) => r.error).map((r) => `index ${r.idx}: ${r.error}`),
    };
  } finally {
    db.close();
  }
}
