import Database from "better-sqlite3";
import { existsSync, mkdirSync, statfsSync } from "node:fs";
import { dirname } from "node:path";
import { SplatbookError } from "../util/errors.js";
import { writeWithRetry, type WriteStats } from "./busy.js";
import { migrate } from "./schema.js";

/** How long a connection waits for another writer's lock before SQLite answers BUSY (ms). */
export const BUSY_TIMEOUT_MS = 5_000;

/** An open ledger file with its journal mode and write helper. */
export interface LedgerDatabase {
  readonly db: Database.Database;
  readonly path: string;
  /** `wal`, or `delete` (a rollback journal) where WAL is impossible. */
  readonly journalMode: "wal" | "delete";
  /** Why WAL is not used, when it is not. */
  readonly fallbackReason: string | null;
  readonly stats: WriteStats;
  /** Runs `fn` in one short write transaction, retried on SQLITE_BUSY. */
  write<T>(fn: () => T): T;
  close(): void;
}

/** statfs magic numbers of network and FUSE file systems, where SQLite's WAL is unsafe. */
const NETWORK_FS: ReadonlyMap<number, string> = new Map([
  [0x6969, "nfs"],
  [0x517b, "smb"],
  [0xff534d42, "cifs"],
  [0xfe534d42, "smb2"],
  [0x65735546, "fuse"],
  [0x01021997, "9p"],
  [0x00c36400, "ceph"],
  [0x0bd00bd0, "lustre"],
  [0x47504653, "gpfs"],
  [0x5346414f, "afs"],
]);

/** The network file system a folder lives on, if any. */
export function networkFileSystem(folder: string): string | undefined {
  try {
    return NETWORK_FS.get(Number(statfsSync(folder).type));
  } catch {
    return undefined;
  }
}

/** Options of {@link openLedgerDatabase}. */
export interface OpenLedgerOptions {
  /** Open an existing ledger for reading only (no migration, no journal change). */
  readonly?: boolean;
  /** Told once when WAL is not used and why. */
  warn?: (message: string) => void;
  /** `wal` or `delete`; default from SPLATBOOK_LEDGER_JOURNAL, else WAL where possible. */
  journal?: "wal" | "delete";
}

function chooseJournal(
  db: Database.Database,
  path: string,
  wanted: string | undefined,
): { mode: "wal" | "delete"; reason: string | null } {
  const fs = networkFileSystem(dirname(path));
  let reason: string | null = null;
  if (wanted === "delete") reason = "SPLATBOOK_LEDGER_JOURNAL=delete";
  else if (fs && wanted !== "wal") reason = `${dirname(path)} is on a network file system (${fs})`;
  if (!reason) {
    try {
      const mode = String(db.pragma("journal_mode = WAL", { simple: true })).toLowerCase();
      if (mode === "wal") return { mode: "wal", reason: null };
      reason = `SQLite kept journal mode ${mode}`;
    } catch (err) {
      reason = `WAL failed: ${(err as Error).message}`;
    }
  }
  db.pragma("journal_mode = DELETE");
  return { mode: "delete", reason };
}

/**
 * Opens (creating it and its folder if needed) a ledger file: WAL journal with
 * `synchronous=NORMAL` where possible, else a rollback journal (network file systems cannot
 * share WAL's memory-mapped index between hosts) with a warning saying so; busy timeout;
 * foreign keys; schema migrated to this release's version.
 */
export function openLedgerDatabase(path: string, opts: OpenLedgerOptions = {}): LedgerDatabase {
  if (opts.readonly && !existsSync(path)) {
    throw new SplatbookError(`${path}: no such ledger`, { file: path });
  }
  let db: Database.Database;
  try {
    if (!opts.readonly) mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, {
      readonly: opts.readonly ?? false,
      fileMustExist: opts.readonly ?? false,
      timeout: BUSY_TIMEOUT_MS,
    });
  } catch (err) {
    throw new SplatbookError(`${path}: cannot open ledger (${(err as Error).message})`, {
      file: path,
      cause: err,
    });
  }
  const stats: WriteStats = { writes: 0, busyRetries: 0, timeNs: 0 };
  let journal: { mode: "wal" | "delete"; reason: string | null };
  try {
    if (opts.readonly) {
      const mode = String(db.pragma("journal_mode", { simple: true })).toLowerCase();
      journal = { mode: mode === "wal" ? "wal" : "delete", reason: null };
    } else {
      const wanted = opts.journal ?? process.env.SPLATBOOK_LEDGER_JOURNAL?.trim().toLowerCase();
      journal = chooseJournal(db, path, wanted);
      if (journal.reason) {
        opts.warn?.(`ledger ${path}: using a rollback journal, not WAL (${journal.reason})`);
      }
      db.pragma(`synchronous = ${journal.mode === "wal" ? "NORMAL" : "FULL"}`);
      db.pragma("foreign_keys = ON");
      migrate(db, path);
    }
  } catch (err) {
    db.close();
    if (err instanceof SplatbookError) throw err;
    throw new SplatbookError(`${path}: not a usable ledger (${(err as Error).message})`, {
      file: path,
      cause: err,
    });
  }
  return {
    db,
    path,
    journalMode: journal.mode,
    fallbackReason: journal.reason,
    stats,
    write: (fn) => writeWithRetry(db, fn, stats),
    close: () => db.close(),
  };
}
