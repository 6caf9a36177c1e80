import Database from "better-sqlite3";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { startCli, type BatchRun } from "../../src/bench/processes.js";
import { ROOT, compileEntry } from "../engine/helpers.js";

export { isProcessAlive } from "../../src/engine/lock.js";

/** Size and mtime of every source file: the compiled CLI is reused while this is unchanged. */
function sourceStamp(): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts")) {
        const st = statSync(p);
        hash.update(`${p}\0${st.size}\0${st.mtimeMs}\n`);
      }
    }
  };
  walk(join(ROOT, "src"));
  return hash.digest("hex");
}

/**
 * The CLI (and with it the pool worker) compiled from the current sources into
 * node_modules/.cache/splatbook-ledger-cli, once for all the ledger test files: they may run in
 * parallel, so a lock folder serialises the build and a stamp of the sources skips it when it is
 * up to date.
 */
export async function compileCli(): Promise<string> {
  const out = join(ROOT, "node_modules", ".cache", "splatbook-ledger-cli");
  const stampFile = join(out, ".stamp");
  const lockDir = `${out}.lock`;
  const main = join(out, "src", "cli", "main.js");
  const stamp = sourceStamp();
  const fresh = () => existsSync(main) && readFileSync(stampFile, "utf8") === stamp;
  // The lock folder's parent first: on a fresh clone node_modules/.cache does not exist yet, and
  // a failing mkdir of the lock would otherwise read as "held" forever.
  mkdirSync(dirname(lockDir), { recursive: true });
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(lockDir, { recursive: false });
      break;
    } catch {
      // A lock left by a killed test run (a build takes well under 5 minutes) is removed.
      const age =
        Date.now() - (statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 300_000) rmSync(lockDir, { recursive: true, force: true });
      if (waited > 600_000) throw new Error(`${lockDir} held for 10 minutes; remove it`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (!existsSync(stampFile) || !fresh()) {
      compileEntry(join(ROOT, "src/cli/main.ts"), "splatbook-ledger-cli");
      writeFileSync(stampFile, stamp);
    }
    return main;
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

export {
  startCli,
  type BatchRun,
  type LiveBatch,
  type StartOptions,
} from "../../src/bench/processes.js";

/** Runs the CLI to the end. */
export function runCli(
  cli: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<BatchRun> {
  return startCli(cli, args, { env }).done;
}

/** The one ledger file in a folder. */
export function onlyLedger(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith(".db"));
  if (files.length !== 1)
    throw new Error(`expected one ledger in ${dir}, found ${files.join(", ")}`);
  return join(dir, files[0]!);
}

/** Runs a query on a ledger file with a fresh connection. */
export function query<T = any>(db: string, sql: string, ...params: unknown[]): T[] {
  const conn = new Database(db, { readonly: true, timeout: 5000 });
  try {
    return conn.prepare(sql).all(...params) as T[];
  } finally {
    conn.close();
  }
}

/** `PRAGMA integrity_check` of a ledger file. */
export function integrity(db: string): string {
  const conn = new Database(db, { timeout: 5000 });
  try {
    return String(conn.pragma("integrity_check", { simple: true }));
  } finally {
    conn.close();
  }
}

/** Polls until `check()` is true (or throws after `ms`). */
export async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
