/**
 * Turns errors thrown by cell code into Jupyter error content (ename, evalue, traceback) whose
 * frames point at cell lines ("Cell In[3], line 5") rather than at the generated JavaScript.
 */
import { SourceMap } from "node:module";
import { isExpectedError } from "../util/errors.js";
import type { CellSourceMaps, TslabDiagnostic } from "./tsHost.js";

/** Jupyter `error` content. */
export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** One executed cell, kept so later stack traces through its functions still map. */
export interface CellRecord {
  /** The script filename given to vm (unique per execution). */
  filename: string;
  /** "Cell In[3]" */
  label: string;
  source: string;
  maps: CellSourceMaps;
  /** Lines of wrapper code before the converted output. */
  wrapperLines: number;
}

/** Remembers executed cells by script filename. */
export class CellRegistry {
  private readonly cells = new Map<string, CellRecord & { parsed?: ParsedMaps }>();
  add(record: CellRecord): void {
    this.cells.set(record.filename, record);
  }
  get(filename: string): (CellRecord & { parsed?: ParsedMaps }) | undefined {
    return this.cells.get(filename);
  }
}

interface ParsedMaps {
  esm?: SourceMap;
  cjs?: SourceMap;
}

function parseMap(json: string | undefined): SourceMap | undefined {
  if (!json) return undefined;
  try {
    return new SourceMap(JSON.parse(json));
  } catch {
    return undefined;
  }
}

/** 1-based cell line for a 1-based line/column in the cell's generated script, if mappable. */
export function mapToCellLine(
  record: CellRecord & { parsed?: ParsedMaps },
  line: number,
  column: number,
): number | undefined {
  record.parsed ??= { esm: parseMap(record.maps.esm), cjs: parseMap(record.maps.cjs) };
  const { esm, cjs } = record.parsed;
  if (!esm || !cjs) return undefined;
  const inCjs = cjs.findEntry(line - 1 - record.wrapperLines, Math.max(0, column - 1)) as {
    originalLine?: number;
    originalColumn?: number;
  };
  if (inCjs.originalLine === undefined) return undefined;
  const inEsm = esm.findEntry(inCjs.originalLine, inCjs.originalColumn ?? 0) as {
    originalLine?: number;
  };
  if (inEsm.originalLine === undefined) return undefined;
  // __tslab__.ts is the cell after a one-line prefix, so its 0-based line is the 1-based cell line.
  return Math.max(1, inEsm.originalLine);
}

/** A few numbered source lines around `line`, the line itself marked with an arrow. */
export function sourceExcerpt(source: string, line: number, context = 2): string[] {
  const lines = source.split("\n");
  const from = Math.max(1, line - context);
  const to = Math.min(lines.length, line + context);
  const width = String(to).length;
  const out: string[] = [];
  for (let n = from; n <= to; n++) {
    const mark = n === line ? "---> " : "     ";
    out.push(`${mark}${String(n).padStart(width)} | ${lines[n - 1] ?? ""}`);
  }
  return out;
}

const FRAME = /^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/;
/** Frames from the kernel machinery itself say nothing about the user's code. */
const INTERNAL = /(\(node:|at node:|\/lib\/kernel\/|\/src\/kernel\/|node_modules\/tslab\/)/;

/**
 * The ename and evalue a thrown value is shown with: an Error's name and message, an object's
 * constructor name and JSON, anything else as a string.
 */
export function errorNameAndMessage(err: unknown): { ename: string; evalue: string } {
  if (err instanceof Error) return { ename: err.name || "Error", evalue: err.message };
  if (err && typeof err === "object") {
    const ctor = (err as { constructor?: { name?: string } }).constructor?.name;
    let text: string;
    try {
      text = JSON.stringify(err);
    } catch {
      text = String(err);
    }
    return { ename: ctor || "Error", evalue: text };
  }
  return { ename: "Error", evalue: String(err) };
}

/**
 * A TypeError's message as the user wrote the code: V8 quotes the failing expression (`cfg.run
 * is not a function`), and converted cells read earlier cells' names as `exports.<name>` and
 * call earlier cells' functions as `(0 , exports.<name>)(…)`.
 */
function withoutSharedScope(err: unknown, evalue: string): string {
  if (!(err instanceof TypeError)) return evalue;
  return evalue
    .replace(/\(0 , (exports\.[\p{ID_Start}_$][\p{ID_Continue}$]*)\)/gu, "$1")
    .replace(/(?<![\w$.\]])exports\.(?=[\p{ID_Start}_$])/gu, "");
}

/** Error content for a value thrown (or rejected) by cell code. */
export function formatRuntimeError(err: unknown, cells: CellRegistry): ErrorContent {
  const named = errorNameAndMessage(err);
  const ename = named.ename;
  const evalue = withoutSharedScope(err, named.evalue);
  const head = evalue ? `${ename}: ${evalue}` : ename;
  if (isExpectedError(err) || !(err instanceof Error) || !err.stack) {
    return { ename, evalue, traceback: [head] };
  }
  const traceback = [head];
  let excerpts = 0;
  let lastWhere = "";
  for (const raw of err.stack.split("\n")) {
    if (!/^\s*at /.test(raw)) continue;
    const m = FRAME.exec(raw);
    const cell = m ? cells.get(m[2]!) : undefined;
    if (m && cell) {
      const line = mapToCellLine(cell, Number(m[3]), Number(m[4]));
      const where = line === undefined ? cell.label : `${cell.label}, line ${line}`;
      const name = m[1]?.replace(/^(async )?(Proxy|Object)\./, "$1");
      const fn = name && !/^(eval|<anonymous>)$/.test(name) ? `, in ${name}` : "";
      // The wrapper's own call maps onto the same cell line again: skip the repeat.
      if (where === lastWhere && !fn) continue;
      lastWhere = where;
      traceback.push(`${where}${fn}`);
      if (line !== undefined && excerpts++ < 3) traceback.push(...sourceExcerpt(cell.source, line));
      continue;
    }
    if (INTERNAL.test(raw)) continue;
    traceback.push(`    ${raw.trim()}`);
  }
  return { ename, evalue, traceback };
}

/** Error content for TypeScript diagnostics that stopped a cell from compiling. */
export function formatCompileError(
  diagnostics: readonly TslabDiagnostic[],
  label: string,
  source: string,
): ErrorContent {
  const first = diagnostics[0];
  const traceback: string[] = [];
  for (const d of diagnostics) {
    const line = d.start.line + 1;
    const where = d.fileName ? `${d.fileName}, line ${line}` : `${label}, line ${line}`;
    traceback.push(
      `${where}, column ${d.start.character + 1}: error TS${d.code}: ${d.messageText}`,
    );
    if (!d.fileName) {
      const text = source.split("\n")[d.start.line] ?? "";
      traceback.push(`    ${text}`, `    ${" ".repeat(d.start.character)}^`);
    }
  }
  return {
    ename: "CompileError",
    evalue: first ? `TS${first.code}: ${first.messageText} (line ${first.start.line + 1})` : "",
    traceback: [`CompileError: ${diagnostics.length} TypeScript error(s)`, ...traceback],
  };
}
