import Database from "better-sqlite3";
import { spawn } from "node:child_process";
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

/** A finished `splatbook batch … --json` run. */
export interface BatchRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  events: any[];
  /** The final `{"type":"summary"}` line, if the batch got that far. */
  summary: any;
  stderr: string;
  stdout: string;
}

/** A running CLI process whose stdout is parsed as JSON lines as they come. */
export interface LiveBatch {
  pid: number;
  events: any[];
  stderr: () => string;
  stdout: () => string;
  done: Promise<BatchRun>;
  kill(signal: NodeJS.Signals): void;
}

/** How to start a CLI process. */
export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Runs `node` through this command (e.g. `ip netns exec NAME`). */
  prefix?: string[];
  /** Its own process group (as a service or a shell job would be). */
  detached?: boolean;
}

/** Starts `node <cli> <args>` with JSON lines on stdout. */
export function startCli(cli: string, args: string[], opts: StartOptions = {}): LiveBatch {
  const [cmd, ...rest] = [...(opts.prefix ?? []), process.execPath, cli, ...args];
  const child = spawn(cmd!, rest, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...opts.env },
    cwd: opts.cwd,
    detached: opts.detached ?? false,
  });
  const events: any[] = [];
  let stderr = "";
  let buffer = "";
  let stdout = "";
  child.stdout!.on("data", (d: Buffer) => {
    buffer += d;
    stdout += d;
    let nl;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        events.push(JSON.parse(line));
      } catch {
        // not a JSON line (e.g. pretty-printed JSON): kept in stdout
      }
    }
  });
  child.stderr!.on("data", (d: Buffer) => (stderr += d));
  // "close": after the exit and the end of both output streams.
  const done = new Promise<BatchRun>((res) =>
    child.on("close", (code, signal) =>
      res({
        code,
        signal,
        events,
        summary: events.find((e) => e.type === "summary"),
        stderr,
        stdout,
      }),
    ),
  );
  return {
    pid: child.pid!,
    events,
    stderr: () => stderr,
    stdout: () => stdout,
    done,
    kill: (s) => child.kill(s),
  };
}

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
