import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { SplatbookError } from "../util/errors.js";
import { writeFileAtomically } from "../util/atomicFile.js";
import type { NotebookOutput } from "./outputs.js";

/** papermill's per-cell metadata. */
export interface CellPapermill {
  start_time: string | null;
  end_time: string | null;
  duration: number | null;
  status: "pending" | "running" | "completed" | "failed";
  exception: boolean | null;
}

/** An nbformat v4 cell (fields we touch; others are kept as read). */
export interface NotebookCell {
  id?: string;
  cell_type: "code" | "markdown" | "raw";
  source: string | string[];
  metadata: Record<string, unknown> & { tags?: string[]; papermill?: CellPapermill };
  outputs?: NotebookOutput[];
  execution_count?: number | null;
  [key: string]: unknown;
}

/** An nbformat v4 notebook. */
export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown> & {
    kernelspec?: { name?: string; display_name?: string; language?: string };
    language_info?: { name?: string };
    papermill?: Record<string, unknown>;
  };
  cells: NotebookCell[];
}

/** The tag papermill puts on the markdown cells it adds around an error. */
export const ERROR_MARKER_TAG = "papermill-error-cell-tag";
const ERROR_STYLE =
  'style="color:red; font-family:Helvetica Neue, Helvetica, Arial, sans-serif; font-size:2em;"';

/** Cell source as one string (nbformat allows a list of lines). */
export function sourceText(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

/** True when the cell carries the tag. */
export function hasTag(cell: NotebookCell, tag: string): boolean {
  return Array.isArray(cell.metadata?.tags) && cell.metadata.tags.includes(tag);
}

/** A random nbformat 4.5 cell id (8 hex digits, like nbformat), with an optional prefix. */
export function newCellId(prefix = ""): string {
  return prefix + randomBytes(4).toString("hex");
}

/** Reads and checks an .ipynb (nbformat 4); errors name the file and what is wrong. */
export async function readNotebook(path: string): Promise<Notebook> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SplatbookError(`${path}: cannot read notebook (${code ?? String(err)})`, {
      file: path,
    });
  }
  let nb: Notebook;
  try {
    nb = JSON.parse(text) as Notebook;
  } catch (err) {
    throw new SplatbookError(`${path}: not valid JSON (${(err as Error).message})`, { file: path });
  }
  if (typeof nb !== "object" || nb === null || nb.nbformat !== 4 || !Array.isArray(nb.cells)) {
    throw new SplatbookError(`${path}: not an nbformat 4 notebook`, { file: path });
  }
  nb.metadata ??= {};
  for (const [i, cell] of nb.cells.entries()) {
    if (!cell || !["code", "markdown", "raw"].includes(cell.cell_type)) {
      throw new SplatbookError(`${path}: cell ${i + 1} has no valid cell_type`, { file: path });
    }
    cell.metadata ??= {};
    cell.source ??= "";
  }
  return nb;
}

/** Upgrades to nbformat 4.5 the way papermill does: every cell gets an id. */
export function upgradeToCellIds(nb: Notebook): void {
  if (nb.nbformat_minor < 5) nb.nbformat_minor = 5;
  const seen = new Set<string>();
  for (const cell of nb.cells) {
    if (typeof cell.id !== "string" || seen.has(cell.id)) cell.id = newCellId();
    seen.add(cell.id);
  }
}

/** Drops the error marker cells an earlier failed run left behind. */
export function removeErrorMarkers(nb: Notebook): void {
  nb.cells = nb.cells.filter((c) => !hasTag(c, ERROR_MARKER_TAG));
}

/**
 * Marks a failure the way papermill does: a red "An Exception was encountered at 'In [N]'"
 * markdown cell at the top, and an anchor cell just before the failing cell.
 */
export function insertErrorMarkers(nb: Notebook, failedIndex: number): void {
  const count = nb.cells[failedIndex]?.execution_count ?? null;
  const marker = (source: string): NotebookCell => ({
    id: newCellId("papermill-error-cell-"),
    cell_type: "markdown",
    source,
    metadata: { tags: [ERROR_MARKER_TAG] },
  });
  const message = marker(
    `<span ${ERROR_STYLE}>An Exception was encountered at '<a href="#papermill-error-cell">In [${count === null ? "None" : count}]</a>'.</span>`,
  );
  const anchor = marker(
    `<span id="papermill-error-cell" ${ERROR_STYLE}>Execution using papermill encountered an exception here and stopped:</span>`,
  );
  nb.cells.splice(failedIndex, 0, anchor);
  nb.cells.unshift(message);
}

/** JSON with sorted keys and one-space indent, as nbformat writes notebooks. */
export function serializeNotebook(nb: Notebook): string {
  const sortKeys = (_key: string, value: unknown): unknown => {
    if (value && typeof value === "object" && !Array.isArray(value)) {
      return Object.fromEntries(
        Object.keys(value as object)
          .sort()
          .map((k) => [k, (value as Record<string, unknown>)[k]]),
      );
    }
    return value;
  };
  return JSON.stringify(nb, sortKeys, 1) + "\n";
}

/** Writes the notebook atomically: readers never see a half-written file. */
export async function writeNotebook(path: string, nb: Notebook): Promise<void> {
  await writeFileAtomically(path, serializeNotebook(nb));
}
