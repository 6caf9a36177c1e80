/**
 * papermill's notebook metadata, written the way papermill writes it so its readers (and
 * `papermill --prepare-only` users) find what they expect: `metadata.papermill` for the run and
 * `cells[].metadata.papermill` for each cell.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Notebook } from "./notebook.js";
import type { Parameters } from "./parameters.js";

/** The run-level `metadata.papermill` object (mutated as the run proceeds). */
export type RunMetadata = Record<string, unknown>;

const VERSION = (() => {
  try {
    const pkg = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "package.json");
    return (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
})();

/** ISO timestamp, papermill's format for start_time/end_time. */
export const now = (): string => new Date().toISOString();

/** Seconds between two ISO timestamps. */
export const seconds = (fromIso: string, toIso: string): number =>
  (Date.parse(toIso) - Date.parse(fromIso)) / 1000;

/** Puts the run's `metadata.papermill` on the notebook and returns it. */
export function addRunMetadata(
  nb: Notebook,
  run: { parameters: Parameters; inputPath: string; outputPath: string },
): RunMetadata {
  const pm: RunMetadata = {
    default_parameters: {},
    parameters: run.parameters,
    environment_variables: {},
    version: VERSION,
    input_path: run.inputPath,
    output_path: run.outputPath,
  };
  nb.metadata.papermill = pm;
  return pm;
}

/**
 * papermill's notebook_start: the run's start time, code cells' outputs and counts cleared,
 * every cell pending. Returns the start time.
 */
export function markRunStart(nb: Notebook, pm: RunMetadata): string {
  const startTime = now();
  Object.assign(pm, { start_time: startTime, end_time: null, duration: null, exception: null });
  for (const cell of nb.cells) {
    if (cell.cell_type === "code") {
      cell.execution_count = null;
      cell.outputs = [];
    }
    cell.metadata.papermill = {
      exception: null,
      start_time: null,
      end_time: null,
      duration: null,
      status: "pending",
    };
  }
  return startTime;
}

/** papermill's notebook_finished: end time and duration. */
export function markRunEnd(pm: RunMetadata, startTime: string): void {
  pm.end_time = now();
  pm.duration = seconds(startTime, pm.end_time as string);
}
