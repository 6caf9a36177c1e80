import { hasTag, newCellId, sourceText, type Notebook, type NotebookCell } from "./notebook.js";
import { parameterCellFor, type Parameters } from "./parameters.js";
import { SplatbookError } from "../util/errors.js";

/** Where the injected cell went. */
export interface InjectionResult {
  /** Index of the injected-parameters cell. */
  index: number;
  /** How it was placed. */
  placement: "replaced" | "after-parameters" | "first";
  /** Set when the notebook has no `parameters` cell (papermill warns the same way). */
  warning?: string;
}

/**
 * Inserts a cell tagged `injected-parameters` with typed declarations for `params`: it replaces
 * an injected cell from an earlier run, else goes right after the cell tagged `parameters`,
 * else first. The code is TypeScript or Python by kernel language.
 */
export function injectParameters(
  nb: Notebook,
  params: Parameters,
  language: string,
  notebookPath: string,
): InjectionResult {
  const paramsIndex = nb.cells.findIndex((c) => hasTag(c, "parameters"));
  const paramsSource = paramsIndex >= 0 ? sourceText(nb.cells[paramsIndex]!) : "";
  const code = parameterCellFor(language, params, paramsSource);
  if (code === undefined) {
    throw new SplatbookError(
      `${notebookPath}: cannot write parameters for kernel language "${language || "unknown"}" (TypeScript and Python are supported)`,
      { file: notebookPath },
    );
  }
  const cell: NotebookCell = {
    id: newCellId(),
    cell_type: "code",
    source: code,
    metadata: { tags: ["injected-parameters"] },
    outputs: [],
    execution_count: null,
  };
  const injectedIndex = nb.cells.findIndex((c) => hasTag(c, "injected-parameters"));
  if (injectedIndex >= 0) {
    nb.cells[injectedIndex] = cell;
    return { index: injectedIndex, placement: "replaced" };
  }
  if (paramsIndex >= 0) {
    nb.cells.splice(paramsIndex + 1, 0, cell);
    return { index: paramsIndex + 1, placement: "after-parameters" };
  }
  nb.cells.unshift(cell);
  return {
    index: 0,
    placement: "first",
    warning: `${notebookPath}: no cell tagged "parameters"; injected parameters as the first cell`,
  };
}
