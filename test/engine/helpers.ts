import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import type { Logger } from "../../src/contracts/logger.js";

export const ROOT = resolve(import.meta.dirname, "..", "..");

/**
 * Runs tsc on one entry (and what it imports) into `outDir` as an ES module package. tsc still
 * emits on type errors, so callers decide whether those matter.
 */
export function runTsc(entry: string, outDir: string, packageJson = '{"type":"module"}\n') {
  const r = spawnSync(
    join(ROOT, "node_modules", ".bin", "tsc"),
    [
      ...["--outDir", outDir, "--rootDir", ROOT, "--module", "nodenext"],
      ...["--moduleResolution", "nodenext", "--target", "es2022", "--strict"],
      ...["--skipLibCheck", "--esModuleInterop", "--types", "node", entry],
    ],
    { encoding: "utf8", cwd: ROOT },
  );
  writeFileSync(join(outDir, "package.json"), packageJson);
  return r;
}

/**
 * Compiles a TypeScript entry with tsc into node_modules/.cache/<name>, so tests can spawn and
 * kill a real node process running it (vitest transpiles only in-process).
 */
export function compileEntry(entry: string, name: string): string {
  const outDir = join(ROOT, "node_modules", ".cache", name);
  const r = runTsc(entry, outDir);
  const js = join(outDir, relative(ROOT, entry)).replace(/\.ts$/, ".js");
  if (!existsSync(js)) throw new Error(`tsc did not emit ${js}: ${r.stdout}${r.stderr}`);
  return js;
}

/** A fresh temp folder. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `splatbook-test-${prefix}-`));
}

/** A logger that remembers every line (and prints nothing). */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => void lines.push(m),
    warn: (m) => void lines.push(`warn: ${m}`),
    debug: () => {},
  };
}

/** A spawned child with its collected output and exit promise. */
export interface Spawned {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `node script ...args` collecting stdout+stderr. */
export function spawnNode(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Spawned {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on("exit", (code, signal) => res({ code, signal })),
  );
  return { child, output: () => out, exited };
}

/** Polls `check` every 20 ms until it is true or `ms` pass. */
export async function waitFor(
  check: () => boolean,
  ms = 20_000,
  what = "condition",
): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
