/**
 * Loads tslab's TypeScript and converter with two adjustments, made by interposing on the
 * compiler module's exports object before tslab reads it (its exports are getters, so they cannot
 * be patched in place):
 *  - source maps: the watch program emits inline source maps and the ES→CommonJS step keeps both
 *    maps in a trailing comment, so runtime errors map back to cell lines (see traceback.ts);
 *  - cell transforms: every emit of the converter's program gets cellTransforms.ts's `after`
 *    transform, and the CommonJS step its prologue transform (sharing names across cells);
 *  - the `splatbook` package: `<cwd>/node_modules/splatbook` is made to appear as this package,
 *    so cells type-check `import { Job } from "splatbook"` without a local install.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join, sep } from "node:path";
import type * as TS from "typescript";
import type { TsModule } from "./cellSource.js";
import type { CellFiles } from "./cellFiles.js";
import { cellModuleTransform, dropExportsPrologue } from "./cellTransforms.js";
import { hideMemberNamesFromConverter } from "./earlierCellNames.js";
import { nestedVarDeclarations } from "./nestedVars.js";

/** The trailing comment the CommonJS step appends: `//# splatbook-maps <json>`. */
export const MAPS_MARKER = "//# splatbook-maps ";

/** The two source maps of one converted cell, as JSON text. */
export interface CellSourceMaps {
  /** __tslab__.js (ES module) → __tslab__.ts (cell source after a one-line prefix). */
  esm?: string;
  /** CommonJS output → the ES module output. */
  cjs?: string;
}

/** tslab's converter module (dist/converter.js), typed to what the kernel uses. */
export interface TslabConverterModule {
  createConverter(options?: { isJS?: boolean; isBrowser?: boolean }): TslabConverter;
}

export interface TslabDiagnostic {
  start: { offset: number; line: number; character: number };
  end: { offset: number; line: number; character: number };
  messageText: string;
  category: number;
  code: number;
  fileName?: string;
}

export interface TslabConvertResult {
  output?: string;
  declOutput?: string;
  diagnostics: TslabDiagnostic[];
  lastExpressionVar?: string;
  hasToplevelAwait?: boolean;
  sideOutputs?: { path: string; data: string }[];
}

export interface TslabConverter {
  convert(prevDecl: string, src: string): TslabConvertResult;
  inspect(prevDecl: string, src: string, position: number): any;
  complete(
    prevDecl: string,
    src: string,
    position: number,
  ): { start: number; end: number; candidates: string[] };
  addModule(name: string, content: string, meta?: unknown): TslabDiagnostic[];
  close(): void;
}

/** The loaded compiler pieces. */
export interface TsHost {
  /** tslab's TypeScript module (its own version, typed with the project's declarations). */
  ts: TsModule;
  converterModule: TslabConverterModule;
  /** tslab's quick-info printer (dist/inspect.js). */
  printQuickInfo(info: unknown): string;
  /** tslab's metadata parser (dist/metadata.js): `/** @module x *\/` cells etc. */
  getCodeMetadata(src: string): { module?: string; mode?: string; jsx?: boolean };
  /**
   * The compiler options cells are type-checked and emitted with (tslab's, with this module's
   * adjustments), once a converter has been created; undefined before.
   */
  cellCompilerOptions(): TS.CompilerOptions | undefined;
}

const INLINE_MAP = /\n?\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;

let loaded: TsHost | undefined;

/**
 * Loads (once) tslab's compiler with the adjustments above. `packageRoot` is this package's
 * folder; `cwd` the kernel's working directory.
 */
export function loadTsHost(packageRoot: string, cwd: string): TsHost {
  if (loaded) return loaded;
  const tslabRequire = createRequire(join(packageRoot, "package.json"));
  const converterPath = tslabRequire.resolve("tslab/dist/converter.js");
  const fromTslab = createRequire(converterPath);
  const tsPath = fromTslab.resolve("@tslab/typescript-for-tslab");
  const real = fromTslab(tsPath);

  const patched: Record<string, unknown> = {};
  for (const key of Object.keys(real)) {
    Object.defineProperty(patched, key, {
      enumerable: true,
      configurable: true,
      get: () => real[key],
    });
  }
  const override = (key: string, value: unknown) =>
    Object.defineProperty(patched, key, { enumerable: true, value });
  let cellOptions: TS.CompilerOptions | undefined;
  override("createWatchCompilerHost", (files: string[], options: object, ...rest: unknown[]) => {
    // Only @types/node is global in cells: a project's other @types (test libraries, …) would
    // only slow start-up; packages a cell imports still bring their own types.
    cellOptions = { ...options, inlineSourceMap: true, types: ["node"] };
    const host = real.createWatchCompilerHost(files, cellOptions, ...rest);
    addCellTransforms(real, host);
    return host;
  });
  override("transpileModule", (input: string, options: TS.TranspileOptions) => {
    const m = INLINE_MAP.exec(input);
    const esm = m ? Buffer.from(m[1]!, "base64").toString("utf8") : undefined;
    const source = m ? input.slice(0, m.index) : input;
    const result = real.transpileModule(source, {
      ...options,
      compilerOptions: { ...options.compilerOptions, sourceMap: true, inlineSourceMap: false },
      transformers: { after: [dropExportsPrologue(real)] },
    });
    const maps: CellSourceMaps = { esm, cjs: result.sourceMapText };
    const text = String(result.outputText).replace(/\n?\/\/# sourceMappingURL=\S*\s*$/, "");
    return { ...result, outputText: `${text}\n${MAPS_MARKER}${JSON.stringify(maps)}\n` };
  });
  const cached = fromTslab.cache[tsPath];
  if (!cached) throw new Error(`cannot interpose on ${tsPath}`);
  cached.exports = patched;

  mapSplatbookPackage(real.sys, cwd, packageRoot);

  loaded = {
    ts: real,
    converterModule: fromTslab(converterPath) as TslabConverterModule,
    printQuickInfo: fromTslab("./inspect.js").printQuickInfo,
    getCodeMetadata: fromTslab("./metadata.js").getCodeMetadata,
    cellCompilerOptions: () => cellOptions && { ...cellOptions },
  };
  return loaded;
}

/** tslab's file names: the cell (`__tslab__.ts`) and earlier cells' declarations. */
const CELL_FILES: CellFiles = {
  isCell: (fileName) => fileName.endsWith("/__tslab__.ts"),
  isEarlierCells: (fileName) => fileName.endsWith("/__prev__.d.ts"),
};

/**
 * Wraps `emit` of every program the watch host creates (tslab keeps the latest one as its
 * `builder`), adding the cell transform after tslab's own `after` transforms (those pick the
 * last expression, which must come before the statements ours appends), and the member-name
 * transform (earlierCellNames.ts) before them, where it keeps tslab's rewrite of earlier cells'
 * names off property names.
 */
function addCellTransforms(ts: TsModule, host: { afterProgramCreate?: unknown }): void {
  type Builder = TS.EmitAndSemanticDiagnosticsBuilderProgram;
  let callback: ((b: Builder) => void) | undefined;
  Object.defineProperty(host, "afterProgramCreate", {
    configurable: true,
    enumerable: true,
    get: () => callback && ((b: Builder) => callback!(withCellTransforms(ts, b))),
    set: (fn: (b: Builder) => void) => {
      callback = fn;
    },
  });
}

function withCellTransforms<B extends TS.BuilderProgram>(ts: TsModule, builder: B): B {
  const emit = builder.emit.bind(builder);
  builder.emit = (file, write, token, dtsOnly, transformers) => {
    const checker = builder.getProgram().getTypeChecker();
    const cell = cellModuleTransform(ts, checker, CELL_FILES);
    const hide = hideMemberNamesFromConverter(ts, checker, CELL_FILES);
    const after = [hide, ...(transformers?.after ?? []), cell];
    const afterDeclarations = [
      ...(transformers?.afterDeclarations ?? []),
      nestedVarDeclarations(ts, checker, CELL_FILES.isCell),
    ];
    return emit(file, write, token, dtsOnly, { ...transformers, after, afterDeclarations });
  };
  return builder;
}

/**
 * Makes `<cwd>/node_modules/splatbook` resolve to `packageRoot` for the compiler (only when no
 * real one is there). realpath maps to the real files, so their own imports (zod, …) resolve from
 * this package's node_modules.
 */
function mapSplatbookPackage(sys: any, cwd: string, packageRoot: string): void {
  const virtualRoot = join(cwd, "node_modules", "splatbook");
  if (existsSync(virtualRoot)) return;
  const norm = (p: string) => p.split(sep).join("/");
  const prefix = norm(virtualRoot);
  const target = norm(packageRoot);
  const forward = (path: string): string => {
    const p = norm(path);
    if (p === prefix) return target;
    if (p.startsWith(prefix + "/")) return target + p.slice(prefix.length);
    return path;
  };
  const original = {
    fileExists: sys.fileExists,
    readFile: sys.readFile,
    directoryExists: sys.directoryExists,
    realpath: sys.realpath,
    getDirectories: sys.getDirectories,
  };
  sys.fileExists = (p: string) => original.fileExists.call(sys, forward(p));
  sys.readFile = (p: string, enc?: string) => original.readFile.call(sys, forward(p), enc);
  sys.directoryExists = (p: string) => original.directoryExists.call(sys, forward(p));
  sys.getDirectories = (p: string) => original.getDirectories.call(sys, forward(p));
  sys.realpath = (p: string) => {
    const f = forward(p);
    return original.realpath ? original.realpath.call(sys, f) : f;
  };
}

/** Splits converted output into runnable code and its source maps. */
export function splitSourceMaps(output: string): { code: string; maps: CellSourceMaps } {
  const at = output.lastIndexOf(MAPS_MARKER);
  if (at < 0) return { code: output, maps: {} };
  const end = output.indexOf("\n", at);
  const json = output.slice(at + MAPS_MARKER.length, end < 0 ? undefined : end);
  let maps: CellSourceMaps = {};
  try {
    maps = JSON.parse(json) as CellSourceMaps;
  } catch {
    // A cell whose text happens to contain the marker: run it as is, unmapped.
  }
  return { code: output.slice(0, at), maps };
}
