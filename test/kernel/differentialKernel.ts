/**
 * The kernel side of the differential cell test: a split of a program runs cell by cell in the
 * real kernel process over the Jupyter protocol, stopping at the first error as "Run All" does;
 * between splits the kernel forgets the previous split's names (splatbook_reset_request, a
 * restart without a new process), or is replaced if it died. After the last cell, one earlier
 * cell runs again, and a probe cell checks that every name the cells declared is still known
 * to the type checker and readable at run time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as TS from "typescript";
import type { RunningKernel } from "../../src/jupyter/kernelProcess.js";
import type { TsModule } from "../../src/kernel/cellSource.js";
import { importedNames } from "../../src/kernel/cellTransforms.js";
import { nestedVarNames } from "../../src/kernel/nestedVars.js";
import { ensureKernelBuilt, launchTestKernel } from "./helpers.js";
import type { ProgramOutcome } from "./differentialReference.js";

/** Seconds one cell may run before the kernel is interrupted. */
const CELL_TIMEOUT_S = 60;

/** One kernel for a test file, reset between splits, replaced if it dies. */
export interface KernelSession {
  /** A kernel with no names defined: the current one reset, or a new one. */
  fresh(): Promise<RunningKernel>;
  /** How many kernel processes were started, and how long starting them took (ms, all). */
  readonly started: number;
  readonly startMs: number;
  /** How many resets there were, and how long they took (ms, all). */
  readonly resets: number;
  readonly resetMs: number;
  close(): Promise<void>;
}

/** Starts kernels in a folder with no node_modules, as the other kernel tests do. */
export function createKernelSession(): KernelSession {
  ensureKernelBuilt();
  const cwd = mkdtempSync(join(tmpdir(), "splatbook-differential-"));
  let kernel: RunningKernel | undefined;
  const counts = { started: 0, startMs: 0, resets: 0, resetMs: 0 };
  let usedSinceStart = false;
  const session: KernelSession = {
    async fresh() {
      if (kernel && !(await alive(kernel))) {
        await kernel.shutdown();
        kernel = undefined;
      }
      if (!kernel) {
        const t = performance.now();
        kernel = await launchTestKernel(cwd);
        // A kernel is ready once it has built its compiler program: time a first cell too.
        await kernel.client.execute("0", { content: { silent: true } });
        counts.startMs += performance.now() - t;
        counts.started++;
        usedSinceStart = false;
      }
      if (usedSinceStart) {
        const t = performance.now();
        const reply = await kernel.client.request("shell", "splatbook_reset_request", {}, 60_000);
        if (reply.content.status !== "ok") throw new Error("splatbook_reset_request failed");
        counts.resetMs += performance.now() - t;
        counts.resets++;
      }
      usedSinceStart = true;
      return kernel;
    },
    get started() {
      return counts.started;
    },
    get startMs() {
      return counts.startMs;
    },
    get resets() {
      return counts.resets;
    },
    get resetMs() {
      return counts.resetMs;
    },
    async close() {
      await kernel?.shutdown();
      rmSync(cwd, { recursive: true, force: true });
    },
  };
  return session;
}

/** Runs the cells in a kernel process of their own, started for them in a new folder. */
export async function runInNewKernel(cells: readonly string[]): Promise<SplitRun> {
  const cwd = mkdtempSync(join(tmpdir(), "splatbook-differential-new-"));
  const kernel = await launchTestKernel(cwd);
  try {
    return await runSplit(kernel, cells);
  } finally {
    await kernel.shutdown();
    rmSync(cwd, { recursive: true, force: true });
  }
}

async function alive(kernel: RunningKernel): Promise<boolean> {
  if (kernel.process.exitCode !== null) return false;
  return kernel.client.request("shell", "kernel_info_request", {}, 30_000).then(
    () => true,
    () => false,
  );
}

/** What running one cell gave. */
interface CellRun {
  stdout: string;
  error?: ProgramOutcome["error"];
  died: boolean;
}

/** Runs one cell; its stdout stream text, and its error if it failed. */
export async function runCell(kernel: RunningKernel, code: string): Promise<CellRun> {
  const result = await kernel.execute(code, { timeoutS: CELL_TIMEOUT_S });
  let stdout = "";
  for (const m of result.outputs) {
    if (m.header.msg_type === "stream" && m.content.name === "stdout") stdout += m.content.text;
  }
  const reply = result.reply?.content;
  if (!reply) {
    const why = result.timedOut ? `no reply within ${CELL_TIMEOUT_S} s` : "the kernel died";
    return { stdout, error: { ename: "KernelFailure", evalue: why }, died: true };
  }
  if (reply.status === "ok") return { stdout, died: false };
  const traceback = Array.isArray(reply.traceback) ? reply.traceback.join("\n") : undefined;
  const error = { ename: String(reply.ename), evalue: String(reply.evalue), traceback };
  return { stdout, error, died: false };
}

/** A split's run: its outcome and how many cells ran (the last one may have failed). */
export interface SplitRun {
  outcome: ProgramOutcome;
  cellsRun: number;
  died: boolean;
}

/** Runs the cells in order until one fails. */
export async function runSplit(kernel: RunningKernel, cells: readonly string[]): Promise<SplitRun> {
  let stdout = "";
  for (const [i, code] of cells.entries()) {
    const cell = await runCell(kernel, code);
    stdout += cell.stdout;
    if (cell.error)
      return { outcome: { stdout, error: cell.error }, cellsRun: i + 1, died: cell.died };
  }
  return { outcome: { stdout }, cellsRun: cells.length, died: false };
}

/**
 * Reruns cell `again` (one of those that ran) and probes the names of the cells that ran;
 * returns what went wrong, or undefined. A rerun may fail (the state it meets has changed);
 * the kernel must answer, and no name may be left known to only one of the type checker and
 * the run-time scope.
 */
export async function rerunAndProbe(
  ts: TsModule,
  kernel: RunningKernel,
  cells: readonly string[],
  run: SplitRun,
  again: number,
): Promise<string | undefined> {
  const rerun = await runCell(kernel, cells[again]!);
  if (rerun.died) return `rerunning cell ${again + 1} ${rerun.error!.evalue}`;
  const compiled = cells.slice(0, run.cellsRun).filter((_, i) => {
    // A cell that did not compile declared nothing.
    return !(i === run.cellsRun - 1 && run.outcome.error?.ename === "CompileError");
  });
  const names = [...new Set(compiled.flatMap((code) => valueNames(ts, code)))];
  if (names.length === 0) return undefined;
  const probe = await runCell(kernel, probeCell(names));
  if (probe.error)
    return `after rerunning cell ${again + 1}, the probe of ${names.join(", ")} failed: ${probe.error.ename}: ${probe.error.evalue}`;
  const broken = probe.stdout.split("\n").filter((line) => line.includes(": threw "));
  if (broken.length > 0) return `after rerunning cell ${again + 1}: ${broken.join("; ")}`;
  return undefined;
}

/** A cell that reads every name (type checker: it compiles; run time: no read throws). */
function probeCell(names: readonly string[]): string {
  const reads = names.map((n) => `[${JSON.stringify(n)}, () => ${n}]`).join(",\n  ");
  return [
    `for (const [__probeName, __probeRead] of [\n  ${reads},\n] as [string, () => unknown][]) {`,
    "  try {",
    "    __probeRead();",
    "  } catch (e) {",
    "    console.log(`${__probeName}: threw ${String(e)}`);",
    "  }",
    "}",
  ].join("\n");
}

/** The value names a cell declares at its top level (what a later cell can read at run time). */
export function valueNames(ts: TsModule, code: string): string[] {
  const file = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, true);
  const names = [...nestedVarNames(ts, file).keys()];
  const binding = (name: TS.BindingName): string[] =>
    ts.isIdentifier(name)
      ? [name.text]
      : name.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : binding(e.name)));
  for (const s of file.statements) {
    if (isAmbient(ts, s)) continue;
    if (ts.isVariableStatement(s))
      names.push(...s.declarationList.declarations.flatMap((d) => binding(d.name)));
    else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name)
      names.push(s.name.text);
    else if (ts.isEnumDeclaration(s) && !hasModifier(ts, s, ts.SyntaxKind.ConstKeyword))
      names.push(s.name.text);
    else if (ts.isModuleDeclaration(s) && ts.isIdentifier(s.name) && isInstantiated(ts, s))
      names.push(s.name.text);
    else if (ts.isImportDeclaration(s)) names.push(...importedNames(ts, s));
  }
  return names;
}

function hasModifier(ts: TsModule, node: TS.Node, kind: TS.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

function isAmbient(ts: TsModule, s: TS.Statement): boolean {
  return hasModifier(ts, s, ts.SyntaxKind.DeclareKeyword);
}

/** A namespace that exists at run time: it holds something other than types. */
function isInstantiated(ts: TsModule, ns: TS.ModuleDeclaration): boolean {
  const body = ns.body;
  if (!body) return false;
  if (ts.isModuleDeclaration(body)) return isInstantiated(ts, body);
  if (!ts.isModuleBlock(body)) return false;
  return body.statements.some((s) => {
    if (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || isAmbient(ts, s))
      return false;
    if (ts.isModuleDeclaration(s)) return isInstantiated(ts, s);
    if (ts.isEnumDeclaration(s)) return !hasModifier(ts, s, ts.SyntaxKind.ConstKeyword);
    return true;
  });
}
