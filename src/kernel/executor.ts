/**
 * Runs cells: tslab's converter type-checks and transpiles each cell against the declarations of
 * earlier cells (with the kernel's own source preparation and transforms, see cellSource.ts and
 * cellTransforms.ts); this module runs the result in the kernel's context with the shared
 * top-level scope, races it against the cell's abort signal and maps errors back to cell lines.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import vm from "node:vm";
import { InterruptedError } from "../util/errors.js";
import { createCellBindings, type CellBindings } from "./bindings.js";
import { carryOverDeclarations } from "./cellDeclarations.js";
import { mergeEarlierDeclarations } from "./declarationMerging.js";
import { createCellRequire, type CellRequire } from "./cellRequire.js";
import { hasTopLevelAwait, parseCell, prepareCellSource, topLevelNames } from "./cellSource.js";
import { BINDINGS_PARAM } from "./cellTransforms.js";
import { isCompleteCode, type IsCompleteResult } from "./isComplete.js";
import {
  loadTsHost,
  splitSourceMaps,
  type TslabConverter,
  type TslabDiagnostic,
  type TsHost,
} from "./tsHost.js";
import {
  CellRegistry,
  formatCompileError,
  formatRuntimeError,
  type ErrorContent,
} from "./traceback.js";
import type { CellSourceMaps } from "./tsHost.js";

/** What running one cell produced. */
export type CellOutcome =
  | { status: "ok"; hasValue: boolean; value?: unknown }
  | { status: "error"; error: ErrorContent; interrupted: boolean };

/** complete_reply fields. */
export interface CompletionResult {
  matches: string[];
  cursor_start: number;
  cursor_end: number;
}

/** Compiles and runs cells, and answers completion, inspection and is_complete for them. */
export interface CellExecutor {
  /** Converts and runs `code`; `label` names it in tracebacks ("Cell In[3]"). */
  execute(code: string, label: string, signal: AbortSignal): Promise<CellOutcome>;
  complete(code: string, cursor: number): CompletionResult;
  /** Plain-text quick info at the cursor, or undefined when there is nothing to show. */
  inspect(code: string, cursor: number): string | undefined;
  isComplete(code: string): IsCompleteResult;
  /** Builds the compiler program now (it takes about a second) rather than on first use. */
  warmUp(): void;
  /**
   * Forgets every name, declaration and local module cells defined, as a restart would, but
   * keeps the loaded compiler (a restart's main cost). Globals cells assigned on `globalThis`
   * and Node's module cache stay, as they are shared by the process.
   */
  reset(): void;
  close(): void;
}

export interface CellExecutorOptions {
  packageRoot: string;
  cwd: string;
  /** tslab's display API (`tslab.display.html`, `tslab.newDisplay()`) reports here. */
  onTslabDisplay(content: Record<string, unknown>, update: boolean): void;
}

/** A cell converted and ready to run. */
interface CompiledCell {
  js: string;
  maps: CellSourceMaps;
  isAsync: boolean;
  /** Earlier cells' declarations once this cell has run. */
  nextDecl: string;
  lastExpressionVar?: string;
}

/** The global the generated wrapper reads its arguments from. */
const CELL_GLOBAL = "__splatbook_cell__";
/** The wrapper's opening line (also switching to strict mode, as an ES module would be). */
const WRAPPER_LINES = 1;

/** What compiling and running cells share. */
interface ExecutorContext {
  readonly host: TsHost;
  readonly converter: ConverterHandle;
  cells: CellRegistry;
  bindings: CellBindings;
  cellRequire: CellRequire;
  /** Earlier cells' declarations, as the type checker sees them. */
  prevDecl: string;
  /** Numbers the generated scripts (their file names in stack traces). */
  seq: number;
}

/** Creates the executor; loads tslab's compiler but builds the program lazily. */
export function createCellExecutor(options: CellExecutorOptions): CellExecutor {
  const host = loadTsHost(options.packageRoot, options.cwd);
  const tslabPublic = connectTslabDisplay(options);
  const newRequire = () =>
    createCellRequire({ cwd: options.cwd, packageRoot: options.packageRoot, tslabPublic });
  const x: ExecutorContext = {
    host,
    converter: createConverterHandle(host),
    cells: new CellRegistry(),
    bindings: createCellBindings(),
    cellRequire: newRequire(),
    prevDecl: "",
    seq: 0,
  };
  installCellGlobal(x.bindings, x.cellRequire);
  const { converter } = x;
  return {
    async execute(code, label, signal) {
      const meta = host.getCodeMetadata(code);
      if (meta.mode === "browser") {
        return compileFailure("browser-mode cells (/** @browser */) are not supported", label);
      }
      if (meta.module) return addModuleCell(x, meta.module, code, meta, label);
      const compiled = compileCell(x, code, label);
      if ("status" in compiled) return compiled;
      // A SIGINT that arrived while the compiler ran is only seen once the event loop turns.
      await new Promise((r) => setImmediate(r));
      if (signal.aborted) {
        const error = formatRuntimeError(signal.reason, x.cells);
        return { status: "error", error, interrupted: true };
      }
      return runCell(x, compiled, code, label, signal);
    },
    complete(code, cursor) {
      const info = converter.call((c) => c.complete(x.prevDecl, code, cursor));
      return { matches: info.candidates, cursor_start: info.start, cursor_end: info.end };
    },
    inspect(code, cursor) {
      const info = converter.call((c) => c.inspect(x.prevDecl, code, cursor));
      if (!info) return undefined;
      return host.printQuickInfo(info) || undefined;
    },
    isComplete: (code) => isCompleteCode(host, code),
    warmUp() {
      // Building the program and checking one trivial cell initialises the type checker.
      converter.call((c) => c.convert("", "0"));
    },
    reset() {
      // A restarted kernel names its first cell splatbook-cell-1.js again (stack traces show it).
      Object.assign(x, {
        seq: 0,
        cells: new CellRegistry(),
        bindings: createCellBindings(),
        cellRequire: newRequire(),
        prevDecl: "",
      });
      installCellGlobal(x.bindings, x.cellRequire);
      converter.forgetModules();
    },
    close: () => converter.close(),
  };
}

/** Prepares and converts a cell; an outcome instead when it cannot run. */
function compileCell(x: ExecutorContext, code: string, label: string): CompiledCell | CellOutcome {
  const { ts } = x.host;
  const prepared = prepareCellSource(ts, code);
  if (!prepared.ok) return compileFailure(prepared.message, `${label}, line ${prepared.line}`);
  const { code: source, firstLineShift } = mergeEarlierDeclarations(ts, prepared.code, x.prevDecl);
  let converted;
  try {
    converted = x.converter.call((c) => c.convert(x.prevDecl, source));
  } catch (err) {
    return { status: "error", error: formatRuntimeError(err, x.cells), interrupted: false };
  }
  if (converted.sideOutputs?.length) x.converter.holdsModules();
  x.cellRequire.addLocalModules(converted.sideOutputs ?? []);
  if (converted.diagnostics.length > 0) {
    const diagnostics = shiftFirstLine(converted.diagnostics, firstLineShift);
    const error = formatCompileError(diagnostics, label, code);
    return { status: "error", error, interrupted: false };
  }
  const file = parseCell(ts, source);
  const declared = topLevelNames(ts, file);
  const nextDecl = carryOverDeclarations(ts, x.prevDecl, converted.declOutput ?? "", declared);
  const { code: js, maps } = splitSourceMaps(converted.output ?? "");
  return {
    js,
    maps,
    isAsync: converted.hasToplevelAwait === true || hasTopLevelAwait(ts, file),
    nextDecl,
    lastExpressionVar: converted.lastExpressionVar,
  };
}

/**
 * Diagnostics as positions in the user's cell: those on the first line move back by the width
 * of what was inserted in front of it (earlier declarations to merge with), to at least 0.
 */
function shiftFirstLine(diagnostics: TslabDiagnostic[], shift: number): TslabDiagnostic[] {
  if (shift === 0) return diagnostics;
  const back = (p: TslabDiagnostic["start"]) =>
    p.line === 0 ? { ...p, character: Math.max(0, p.character - shift) } : p;
  return diagnostics.map((d) =>
    d.fileName ? d : { ...d, start: back(d.start), end: back(d.end) },
  );
}

/** Runs a converted cell; its declarations stay visible to later cells even if it throws. */
async function runCell(
  x: ExecutorContext,
  cell: CompiledCell,
  code: string,
  label: string,
  signal: AbortSignal,
): Promise<CellOutcome> {
  const filename = `splatbook-cell-${++x.seq}.js`;
  const script = parseCellScript(cell, filename);
  if (!(script instanceof vm.Script)) return compileFailure(script.message, label);
  x.cells.add({ filename, label, source: code, maps: cell.maps, wrapperLines: WRAPPER_LINES });
  x.prevDecl = cell.nextDecl;
  const last = cell.lastExpressionVar;
  try {
    const ran: unknown = script.runInThisContext({ breakOnSigint: true });
    if (cell.isAsync) await raceAbort(ran as Promise<unknown>, signal);
  } catch (err) {
    if (last) x.bindings.take(last);
    return runtimeFailure(err, x.cells);
  }
  const result = last ? x.bindings.take(last) : { found: false as const };
  if (!result.found) return { status: "ok", hasValue: false };
  return { status: "ok", hasValue: result.value !== undefined, value: result.value };
}

/**
 * Wraps the converted cell in its function and parses it. JavaScript that Node cannot parse
 * after the type checker accepted the cell is a kernel fault, not the user's: it is reported as
 * a one-line compile error (nothing ran, no name changed) rather than as Node's SyntaxError
 * about code the user never wrote.
 */
export function parseCellScript(
  cell: Pick<CompiledCell, "js" | "isAsync">,
  filename: string,
): vm.Script | { message: string } {
  const params = `exports, require, ${BINDINGS_PARAM}`;
  const opener = `(${cell.isAsync ? "async " : ""}function (${params}) { "use strict";\n`;
  const args = `${CELL_GLOBAL}.exports, ${CELL_GLOBAL}.require, ${CELL_GLOBAL}.bindings`;
  try {
    return new vm.Script(`${opener}${cell.js}\n})(${args});`, { filename });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return {
      message: `the kernel cannot run this cell: its converted JavaScript does not parse (${reason}); nothing ran`,
    };
  }
}

/** A `/** @module name *\/` cell: a module other cells import, compiled but not run. */
function addModuleCell(
  x: ExecutorContext,
  name: string,
  code: string,
  meta: unknown,
  label: string,
): CellOutcome {
  let diagnostics;
  try {
    x.converter.holdsModules();
    diagnostics = x.converter.call((c) => c.addModule(name, code, meta));
  } catch (err) {
    return { status: "error", error: formatRuntimeError(err, x.cells), interrupted: false };
  }
  if (diagnostics.length === 0) return { status: "ok", hasValue: false };
  const error = formatCompileError(diagnostics, label, code);
  return { status: "error", error, interrupted: false };
}

/** tslab's converter, built on first use and rebuilt after it failed. */
interface ConverterHandle {
  call<T>(fn: (c: TslabConverter) => T): T;
  /** Records that the converter now holds modules (module cells, compiled local imports). */
  holdsModules(): void;
  /** Drops the converter if it holds modules, so that the next call starts without them. */
  forgetModules(): void;
  close(): void;
}

function createConverterHandle(host: TsHost): ConverterHandle {
  let converter: TslabConverter | undefined;
  let modules = false;
  const drop = () => {
    try {
      converter?.close();
    } catch {
      // already broken
    }
    converter = undefined;
    modules = false;
  };
  return {
    /**
     * Runs a compiler call; if tslab's converter throws (its watch state is then unusable, e.g.
     * after an interrupt landed inside it), drops it so the next call builds a fresh one.
     */
    call<T>(fn: (c: TslabConverter) => T): T {
      converter ??= host.converterModule.createConverter({ isJS: false, isBrowser: false });
      try {
        return fn(converter);
      } catch (err) {
        drop();
        throw new Error(
          `TypeScript compiler failed and will be rebuilt: ${(err as Error).message}`,
          { cause: err },
        );
      }
    },
    holdsModules() {
      modules = true;
    },
    forgetModules() {
      if (modules) drop();
    },
    close() {
      converter?.close();
    },
  };
}

/** Points tslab's display functions at the kernel; returns tslab's public module for cells. */
function connectTslabDisplay(options: CellExecutorOptions): unknown {
  const tslabRequire = createRequire(join(options.packageRoot, "package.json"));
  const tslabJupyter = createRequire(tslabRequire.resolve("tslab/dist/converter.js"))(
    "./jupyter.js",
  ) as { lastWriteDisplayData: unknown };
  tslabJupyter.lastWriteDisplayData = options.onTslabDisplay;
  return tslabRequire("tslab");
}

function installCellGlobal(bindings: CellBindings, cellRequire: CellRequire): void {
  (globalThis as Record<string, unknown>)[CELL_GLOBAL] = {
    exports: bindings.scope,
    require: cellRequire.require,
    bindings,
  };
}

function runtimeFailure(err: unknown, cells: CellRegistry): CellOutcome {
  const interrupted =
    err instanceof InterruptedError ||
    (err as NodeJS.ErrnoException)?.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED";
  const shown =
    interrupted && !(err instanceof InterruptedError) ? new InterruptedError("SIGINT") : err;
  return { status: "error", error: formatRuntimeError(shown, cells), interrupted };
}

function compileFailure(message: string, where: string): CellOutcome {
  return {
    status: "error",
    error: {
      ename: "CompileError",
      evalue: message,
      traceback: [`CompileError: ${message} (${where})`],
    },
    interrupted: false,
  };
}

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolvePromise, reject) => {
    if (signal.aborted) {
      promise.catch(() => {});
      reject(signal.reason);
      return;
    }
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolvePromise(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
