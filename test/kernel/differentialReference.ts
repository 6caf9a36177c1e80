/**
 * The reference side of the differential cell test: each program as one script under Node,
 * compiled with the kernel's compiler options (differentialCompile.mjs) and run as an ES module
 * (differentialRun.mjs), in one folder whose node_modules holds only `splatbook` (this package),
 * as a notebook folder would, so `@types/node` comes from where the kernel takes it.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "./helpers.js";

/** What a program (or a split of it) printed and the error that ended it, if one did. */
export interface ProgramOutcome {
  stdout: string;
  /** The error; `traceback` (the kernel's, joined) lists every TypeScript error of a cell. */
  error?: { ename: string; evalue: string; traceback?: string };
}

/** A corpus program: its file name without `.ts`, and its source. */
export interface Program {
  name: string;
  source: string;
}

const run = promisify(execFile);
const HERE = join(ROOT, "test", "kernel");
const ERROR_MARKER = "@@program-error@@";

/** Compiled programs, each run under Node on first request. */
export interface References {
  /** The program's outcome as one script (compiled once, run once). */
  outcome(name: string): Promise<ProgramOutcome>;
  close(): void;
}

interface Compiled {
  name: string;
  diagnostics: { code: number; message: string }[];
  js: string;
}

/** Compiles every program (in one compiler run); runs each when its outcome is first asked for. */
export async function compileReferences(programs: readonly Program[]): Promise<References> {
  const dir = mkdtempSync(join(tmpdir(), "splatbook-reference-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules", "splatbook"), "dir");
  writeFileSync(join(dir, "programs.json"), JSON.stringify(programs));
  await run(
    process.execPath,
    [join(HERE, "differentialCompile.mjs"), ROOT, "programs.json", "compiled.json"],
    { cwd: dir, maxBuffer: 64 << 20 },
  );
  const compiled = JSON.parse(readFileSync(join(dir, "compiled.json"), "utf8")) as Compiled[];
  const byName = new Map(compiled.map((c) => [c.name, c]));
  const outcomes = new Map<string, Promise<ProgramOutcome>>();
  const runCompiled = async (c: Compiled): Promise<ProgramOutcome> => {
    const first = c.diagnostics[0];
    if (first) {
      return {
        stdout: "",
        error: { ename: "CompileError", evalue: `TS${first.code}: ${first.message}` },
      };
    }
    writeFileSync(join(dir, `${c.name}.mjs`), c.js);
    return runOne(dir, `${c.name}.mjs`);
  };
  return {
    outcome(name) {
      const c = byName.get(name);
      if (!c) throw new Error(`no compiled program ${name}`);
      if (!outcomes.has(name)) outcomes.set(name, runCompiled(c));
      return outcomes.get(name)!;
    },
    close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function runOne(dir: string, file: string): Promise<ProgramOutcome> {
  const args = [join(HERE, "differentialRun.mjs"), ROOT, join(dir, file)];
  const result = await run(process.execPath, args, { cwd: dir, timeout: 60_000 }).catch(
    (err: { stdout?: string; stderr?: string; code?: number }) => err,
  );
  const stdout = result.stdout ?? "";
  const stderr = result.stderr ?? "";
  const at = stderr.lastIndexOf(ERROR_MARKER);
  if (at >= 0) {
    const error = JSON.parse(stderr.slice(at + ERROR_MARKER.length).split("\n")[0]!);
    return { stdout, error };
  }
  if ("code" in result && result.code) {
    // Ended otherwise (an unhandled rejection after the module finished, a timeout).
    return { stdout, error: { ename: "ProcessExit", evalue: stderr.trim().split("\n").pop()! } };
  }
  return { stdout };
}
