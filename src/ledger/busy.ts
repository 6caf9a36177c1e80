import type Database from "better-sqlite3";

/** Statistics of the write helper, for the ledger-overhead benchmark and diagnostics. */
export interface WriteStats {
  /** Transactions committed. */
  writes: number;
  /** Attempts that met SQLITE_BUSY/SQLITE_LOCKED after the busy timeout and were retried. */
  busyRetries: number;
  /** Time spent inside write transactions, including waits (ns). */
  timeNs: number;
}

/** How long a write keeps retrying after the busy timeout before giving up (ms). */
export const WRITE_RETRY_BUDGET_MS = 60_000;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks this thread for `ms` (the ledger is synchronous; its waits are short). */
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** True for SQLite's "someone else holds the lock" errors. */
export function isBusyError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" && /^SQLITE_(BUSY|LOCKED)/.test(code);
}

/**
 * Runs `fn` in one short `BEGIN IMMEDIATE` transaction (the write lock is taken at the start,
 * so two writers never deadlock upgrading read locks). The connection's busy timeout waits for
 * the lock first; if SQLite still answers BUSY, the whole transaction is retried with jittered
 * backoff for up to {@link WRITE_RETRY_BUDGET_MS}.
 */
export function writeWithRetry<T>(db: Database.Database, fn: () => T, stats?: WriteStats): T {
  const started = process.hrtime.bigint();
  const tx = db.transaction(fn);
  let delay = 5;
  try {
    for (;;) {
      try {
        const value = tx.immediate();
        if (stats) stats.writes++;
        return value;
      } catch (err) {
        const spentMs = Number(process.hrtime.bigint() - started) / 1e6;
        if (!isBusyError(err) || spentMs > WRITE_RETRY_BUDGET_MS) throw err;
        if (stats) stats.busyRetries++;
        sleepSync(delay * (0.5 + Math.random()));
        delay = Math.min(delay * 2, 500);
      }
    }
  } finally {
    if (stats) stats.timeNs += Number(process.hrtime.bigint() - started);
  }
}
