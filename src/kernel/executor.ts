/**
 * Runs cells: tslab's converter type-checks and transpiles each cell against the declarations of
 * earlier cells (cross-cell variables, top-level await, completion, inspection); this module runs
 * the result in the kernel's context, races it against the cell's abort signal and maps errors
 * back to cell lines.
 */
import Module, { createRequire } from "node:module";
import { dirname, extname, join, resolve } from "node:path";
import vm from "node:vm";
import { InterruptedError } from "../util/errors.js";
import {
  loadTsHost,
  splitSourceMaps,
  type TslabConverter,
  type TslabConvertResult,
  type TslabDiagnostic,
  type TsHost,
} from "./tsHost.js";
import {
  CellRegistry,
  formatCompileError,
  formatRuntimeError,
  type ErrorContent,
} from "./traceback.js";

/** What running one cell produced. */
export type ExecuteOutcome =
  | { status: "ok"; hasValue: boolean; value?: unknown }
  | { status: "error"; error: ErrorContent; interrupted: boolean };

/** is_complete_reply content. */
export interface IsCompleteResult {
  status: "complete" | "incomplete" | "invalid";
  indent?: string;
}

/** complete_reply fields. */
export interface CompletionResult {
  matches: string[];
  cursor_start: number;
  cursor_end: number;
}

export interface CellExecutor {
  /** Converts and runs `code`; `label` names it in tracebacks ("Cell In[3]"). */
  execute(code: string, label: string, signal: AbortSignal): Promise<ExecuteOutcome>;
  complete(code: string, cursor: number): CompletionResult;
  /** Plain-text quick info at the cursor, or undefined when there is nothing to show. */
  inspect(code: string, cursor: number): string | undefined;
  isComplete(code: string): IsCompleteResult;
  /** Builds the compiler program now (it takes about a second) rather than on first use. */
  warmUp(): void;
  close(): void;
}

export interface CellExecutorOptions {
  packageRoot: string;
  cwd: string;
  /** tslab's display API (`tslab.display.html`, `tslab.newDisplay()`) reports here. */
  onTslabDisplay(content: Record<string, unknown>, update: boolean): void;
}

/** The global the generated wrapper reads `exports` and `require` from. */
const CELL_GLOBAL = "__splatbook_cell__";
const WRAPPER_LINES = 1;

/** Creates the executor; loads tslab's compiler but builds the program lazily. */
export function createCellExecutor(options: CellExecutorOptions): CellExecutor {
  const host = loadTsHost(options.packageRoot, options.cwd);
  const tslabRequire = createRequire(join(options.packageRoot, "package.json"));
  const tslabJupyter = createRequire(tslabRequire.resolve("tslab/dist/converter.js"))(
    "./jupyter.js",
  ) as { lastWriteDisplayData: unknown };
  tslabJupyter.lastWriteDisplayData = options.onTslabDisplay;
  const tslabPublic: unknown = tslabRequire("tslab");

  let converter: TslabConverter | undefined;
  const getConverter = () =>
    (converter ??= host.converterModule.createConverter({ isJS: false, isBrowser: false }));
  const cells = new CellRegistry();
  const sideOutputs = new Map<string, string>();
  const sideModules = new Map<string, NodeJS.Module>();
  const values: Record<string, unknown> = {};
  const exportsProxy = new Proxy(values, {
    // TypeScript emits named imports as defineProperty getters; keep them rebindable values.
    defineProperty(target, prop, attrs) {
      if (prop === "__esModule") return true;
      (target as Record<string | symbol, unknown>)[prop] = attrs.get ? attrs.get() : attrs.value;
      return true;
    },
  });
  const cellRequire = makeRequire(options.cwd);
  (globalThis as Record<string, unknown>)[CELL_GLOBAL] = {
    exports: exportsProxy,
    require: cellRequire,
  };
  let prevDecl = "";
  let seq = 0;

  function makeRequire(dir: string): NodeJS.Require {
    const base = createRequire(join(dir, "__cell__.js"));
    const self = createRequire(join(options.packageRoot, "package.json"));
    const req = ((id: string) => {
      if (id === "tslab") return tslabPublic;
      if (id.startsWith("./") || id.startsWith("../")) {
        const side = requireSideOutput(dir, id);
        if (side !== undefined) return side;
      }
      if (id === "splatbook" || id.startsWith("splatbook/")) {
        // A locally installed splatbook wins, as Node would have it; else this package.
        try {
          return base(id);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw err;
          return self(id);
        }
      }
      return base(id);
    }) as NodeJS.Require;
    return Object.assign(req, { resolve: base.resolve, cache: base.cache, main: base.main });
  }

  function requireSideOutput(dir: string, id: string): unknown {
    let file = resolve(dir, id);
    if (extname(file) === "") file += ".js";
    const cached = sideModules.get(file);
    if (cached) return cached.exports;
    const code = sideOutputs.get(file);
    if (code === undefined) return undefined;
    const mod = new Module(file) as NodeJS.Module & {
      _compile(code: string, file: string): void;
      paths: string[];
    };
    mod.filename = file;
    mod.paths = (Module as unknown as { _nodeModulePaths(d: string): string[] })._nodeModulePaths(
      dirname(file),
    );
    mod.require = makeRequire(dirname(file));
    sideModules.set(file, mod);
    mod._compile(splitSourceMaps(code).code, file);
    return mod.exports;
  }

  async function execute(
    code: string,
    label: string,
    signal: AbortSignal,
  ): Promise<ExecuteOutcome> {
    const meta = host.getCodeMetadata(code);
    if (meta.mode === "browser") {
      return compileFailure("browser-mode cells (/** @browser */) are not supported", label);
    }
    if (meta.module) {
      let diagnostics: TslabDiagnostic[];
      try {
        diagnostics = guarded(() => getConverter().addModule(meta.module!, code, meta));
      } catch (err) {
        return { status: "error", error: formatRuntimeError(err, cells), interrupted: false };
      }
      if (diagnostics.length > 0) {
        return {
          status: "error",
          error: formatCompileError(diagnostics, label, code),
          interrupted: false,
        };
      }
      return { status: "ok", hasValue: false };
    }
    let converted: TslabConvertResult;
    try {
      converted = guarded(() => getConverter().convert(prevDecl, code));
    } catch (err) {
      return { status: "error", error: formatRuntimeError(err, cells), interrupted: false };
    }
    // A SIGINT that arrived while the compiler ran is only seen once the event loop turns.
    await new Promise((r) => setImmediate(r));
    if (signal.aborted) {
      return {
        status: "error",
        error: formatRuntimeError(signal.reason, cells),
        interrupted: true,
      };
    }
    for (const out of converted.sideOutputs ?? []) {
      sideModules.delete(out.path);
      sideOutputs.set(out.path, out.data);
    }
    if (converted.diagnostics.length > 0) {
      return {
        status: "error",
        error: formatCompileError(converted.diagnostics, label, code),
        interrupted: false,
      };
    }
    if (!converted.output) {
      prevDecl = converted.declOutput ?? "";
      return { status: "ok", hasValue: false };
    }
    const { code: js, maps } = splitSourceMaps(converted.output);
    const filename = `splatbook-cell-${++seq}.js`;
    cells.add({ filename, label, source: code, maps, wrapperLines: WRAPPER_LINES });
    const opener = converted.hasToplevelAwait
      ? "(async function (exports, require) {\n"
      : "(function (exports, require) {\n";
    const script = `${opener}${js}\n})(${CELL_GLOBAL}.exports, ${CELL_GLOBAL}.require);`;
    try {
      const ran: unknown = vm.runInThisContext(script, { filename, breakOnSigint: true });
      if (converted.hasToplevelAwait) await raceAbort(ran as Promise<unknown>, signal);
    } catch (err) {
      // Declarations that ran stay visible to later cells, as in other kernels.
      prevDecl = converted.declOutput ?? prevDecl;
      const interrupted =
        err instanceof InterruptedError ||
        (err as NodeJS.ErrnoException)?.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED";
      const shown =
        interrupted && !(err instanceof InterruptedError) ? new InterruptedError("SIGINT") : err;
      return { status: "error", error: formatRuntimeError(shown, cells), interrupted };
    }
    prevDecl = converted.declOutput ?? "";
    const lastVar = converted.lastExpressionVar;
    if (lastVar === undefined || !(lastVar in values)) return { status: "ok", hasValue: false };
    const value = values[lastVar];
    delete values[lastVar];
    return { status: "ok", hasValue: value !== undefined, value };
  }

  /**
   * Runs a compiler call; if tslab's converter throws (its watch state is then unusable, e.g.
   * after an interrupt landed inside it), drops it so the next call builds a fresh one.
   */
  function guarded<T>(call: () => T): T {
    try {
      return call();
    } catch (err) {
      try {
        converter?.close();
      } catch {
        // already broken
      }
      converter = undefined;
      throw new Error(`TypeScript compiler failed and will be rebuilt: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  function compileFailure(message: string, label: string): ExecuteOutcome {
    return {
      status: "error",
      error: {
        ename: "CompileError",
        evalue: message,
        traceback: [`CompileError: ${message} (${label})`],
      },
      interrupted: false,
    };
  }

  return {
    execute,
    complete(code, cursor) {
      const info = guarded(() => getConverter().complete(prevDecl, code, cursor));
      return { matches: info.candidates, cursor_start: info.start, cursor_end: info.end };
    },
    inspect(code, cursor) {
      const info = guarded(() => getConverter().inspect(prevDecl, code, cursor));
      if (!info) return undefined;
      const text = host.printQuickInfo(info);
      return text || undefined;
    },
    isComplete: (code) => isCompleteCode(host, code),
    warmUp() {
      // Building the program and checking one trivial cell initialises the type checker.
      guarded(() => getConverter().convert("", "0"));
    },
    close() {
      converter?.close();
    },
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

/**
 * Classifies code for is_complete: a parse error at the very end that expects more input means
 * "incomplete" (with a suggested indent), any other parse error "invalid". Two trailing blank
 * lines force "complete", so a console can always submit.
 */
export function isCompleteCode(host: TsHost, code: string): IsCompleteResult {
  if (/(^|\n)[ \t]*\n[ \t]*$/.test(code) && code.trim() !== "") return { status: "complete" };
  const ts = host.ts;
  const file = ts.createSourceFile(
    "cell.ts",
    code,
    ts.ScriptTarget.Latest,
    false,
    ts.ScriptKind.TS,
  );
  const diagnostics: { start: number; length: number; messageText: unknown }[] =
    file.parseDiagnostics ?? [];
  if (diagnostics.length === 0) return { status: "complete" };
  const atEnd = diagnostics.some(
    (d) =>
      d.start >= code.trimEnd().length &&
      typeof d.messageText === "string" &&
      /expected\.$/.test(d.messageText),
  );
  const unterminated = diagnostics.some(
    (d) =>
      typeof d.messageText === "string" && /^Unterminated template literal/.test(d.messageText),
  );
  if (atEnd || unterminated) return { status: "incomplete", indent: nextIndent(code) };
  return { status: "invalid" };
}

/** Indent for the next line: the current one's, plus two spaces after an opening bracket. */
function nextIndent(code: string): string {
  const line = /[^\n]*$/.exec(code)?.[0] ?? "";
  const current = /^\s*/.exec(line)?.[0] ?? "";
  return /[{([]\s*$/.test(line) ? current + "  " : current;
}
