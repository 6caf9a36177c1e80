/**
 * `splatbook run`: a notebook executed headless, papermill-style, in named steps: read the
 * notebook and find its kernel, inject parameters and papermill's metadata, start the kernel,
 * run the cells (runCells.ts), mark a failure the way papermill does, save.
 */
import { statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { startKernel, type RunningKernel } from "../jupyter/kernelProcess.js";
import { findKernelSpec, type KernelSpec } from "../jupyter/kernelspecs.js";
import { jupyterDataPaths } from "../jupyter/paths.js";
import { SplatbookError } from "../util/errors.js";
import { injectParameters } from "./injection.js";
import {
  insertErrorMarkers,
  readNotebook,
  removeErrorMarkers,
  upgradeToCellIds,
  writeNotebook,
  type Notebook,
} from "./notebook.js";
import { createNotebookSaver } from "./notebookSaver.js";
import { addRunMetadata, markRunEnd, markRunStart, type RunMetadata } from "./papermillMetadata.js";
import type { Parameters } from "./parameters.js";
import { runCells, type RunFailure } from "./runCells.js";
import { createNotebookProgress, type NotebookProgress } from "./notebookProgress.js";

export type { RunFailure } from "./runCells.js";

/** Options for {@link runNotebook} (the `splatbook run` flags). */
export interface RunNotebookOptions {
  input: string;
  /** Output notebook; default `<input stem>.out.ipynb` beside the input. */
  output?: string;
  parameters?: Parameters;
  /** Working directory of the kernel (default: this process's cwd, as papermill does). */
  cwd?: string;
  /** Kernelspec name; overrides the notebook's metadata.kernelspec.name. */
  kernelName?: string;
  /** Per-cell limit in seconds: the kernel is interrupted and the cell fails. */
  executionTimeoutS?: number;
  /** Seconds to wait for the kernel to answer kernel_info (default 60). */
  startTimeoutS?: number;
  /** Copy cell output to stderr as it arrives. */
  logOutput?: boolean;
  /** Inject parameters and write the output notebook without executing. */
  prepareOnly?: boolean;
  /** Progress display on stderr (default "auto": a bar on a TTY, lines otherwise). */
  progress?: "auto" | "bar" | "lines" | "none";
  /** Aborting interrupts the running cell and stops the run (the CLI wires SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Jupyter data dirs to search for kernelspecs (default: {@link jupyterDataPaths}). */
  dataPaths?: string[];
  /** Seconds between saves of the output notebook while one cell keeps producing output. */
  autosaveEveryS?: number;
}

/** What {@link runNotebook} did. */
export interface RunNotebookResult {
  outputPath: string;
  notebook: Notebook;
  status: "completed" | "failed" | "prepared";
  failure?: RunFailure;
  /** Seconds from launch to kernel_info_reply (0 with prepareOnly). */
  kernelStartS: number;
  /** Seconds for the whole run, kernel start and shutdown included. */
  durationS: number;
  /** Seconds per executed cell, by cell index (before error markers were inserted). */
  cellDurationsS: number[];
}

/** The default output path: `<stem>.out.ipynb` next to the input. */
export function defaultOutputPath(input: string): string {
  const ext = extname(input);
  return join(dirname(input), `${basename(input, ext)}.out${ext || ".ipynb"}`);
}

/** One-line description of a failure, naming the cell (what the CLI prints). */
export function describeFailure(result: RunNotebookResult): string {
  const f = result.failure;
  if (!f) return "";
  const where = `In [${f.executionCount ?? " "}] (cell ${f.executedIndex + 1})`;
  return (
    `${where} failed: ${f.ename}${f.evalue ? `: ${f.evalue}` : ""}`
      .replace(/\s+/g, " ")
      .slice(0, 400) + ` — see ${result.outputPath}`
  );
}

/**
 * Runs a notebook headless, papermill-style: injects parameters, executes every code cell in
 * order on the kernelspec's kernel, and writes the output notebook (atomically) at the start,
 * around every cell and at the end, with papermill's metadata. A failing cell stops the run and
 * is marked like papermill marks it; the result says so (it is not thrown). Setup problems
 * (unreadable notebook, unknown kernel, kernel start timeout) throw SplatbookError.
 */
export async function runNotebook(options: RunNotebookOptions): Promise<RunNotebookResult> {
  const t0 = Date.now();
  const progress = createNotebookProgress(options.progress ?? "auto");
  const run = await prepareRun(options, progress);
  const { nb, outputPath } = run;
  if (options.prepareOnly) {
    await writeNotebook(outputPath, nb);
    const durationS = (Date.now() - t0) / 1000;
    return {
      outputPath,
      notebook: nb,
      status: "prepared",
      kernelStartS: 0,
      durationS,
      cellDurationsS: [],
    };
  }
  const startTime = markRunStart(nb, run.pm);
  const saver = createNotebookSaver(outputPath, nb);
  await saver.save();
  const kernelLaunch = Date.now();
  const kernel = await startRunKernel(options, run.spec, progress);
  const kernelStartS = (Date.now() - kernelLaunch) / 1000;
  recordKernel(nb, kernel, run.language);
  let loop;
  try {
    loop = await runCells(nb, kernel, { ...options, pm: run.pm, saver, progress });
  } finally {
    await kernel.shutdown();
  }
  markRunEnd(run.pm, startTime);
  const { failure, cellDurationsS } = loop;
  if (failure) {
    insertErrorMarkers(nb, failure.cellIndex);
    // Indexes shift by the top marker and the anchor before the failing cell.
    failure.cellIndex += 2;
  }
  await saver.save();
  const status = failure ? "failed" : "completed";
  const durationS = (Date.now() - t0) / 1000;
  return { outputPath, notebook: nb, status, failure, kernelStartS, durationS, cellDurationsS };
}

/** A notebook read and made ready to run: its kernelspec found and parameters injected. */
interface PreparedRun {
  nb: Notebook;
  outputPath: string;
  spec: KernelSpec;
  language: string;
  pm: RunMetadata;
}

async function prepareRun(
  options: RunNotebookOptions,
  progress: NotebookProgress,
): Promise<PreparedRun> {
  const input = resolve(options.input);
  const outputPath = resolve(options.output ?? defaultOutputPath(input));
  const nb = await readNotebook(input);
  removeErrorMarkers(nb);
  upgradeToCellIds(nb);
  const kernelName = options.kernelName ?? nb.metadata.kernelspec?.name;
  if (!kernelName) {
    throw new SplatbookError(`${input}: no metadata.kernelspec.name; pass --kernel NAME`, {
      file: input,
    });
  }
  const spec = await findKernelSpec(kernelName, options.dataPaths ?? jupyterDataPaths());
  const language =
    spec.language || nb.metadata.kernelspec?.language || nb.metadata.language_info?.name || "";
  const parameters = options.parameters ?? {};
  if (Object.keys(parameters).length > 0) {
    const injected = injectParameters(nb, parameters, language, input);
    if (injected.warning) progress.log(`warning: ${injected.warning}`);
  }
  const pm = addRunMetadata(nb, { parameters, inputPath: input, outputPath });
  return { nb, outputPath, spec, language, pm };
}

async function startRunKernel(
  options: RunNotebookOptions,
  spec: KernelSpec,
  progress: NotebookProgress,
): Promise<RunningKernel> {
  const cwd = resolve(options.cwd ?? process.cwd());
  if (!statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) {
    throw new SplatbookError(`--cwd ${cwd}: not a directory`, { file: cwd });
  }
  return startKernel({
    spec,
    cwd,
    startTimeoutS: options.startTimeoutS,
    onKernelLog: options.logOutput ? (t) => progress.log(t.trimEnd()) : undefined,
  });
}

/** Like nbclient: the notebook records the kernel it actually ran on. */
function recordKernel(nb: Notebook, kernel: RunningKernel, language: string): void {
  const languageInfo = kernel.info.language_info;
  if (languageInfo && typeof languageInfo === "object") {
    nb.metadata.language_info = languageInfo as { name?: string };
  }
  if (nb.metadata.kernelspec?.name !== kernel.spec.name) {
    nb.metadata.kernelspec = {
      name: kernel.spec.name,
      display_name: kernel.spec.displayName,
      language,
    };
  }
}
