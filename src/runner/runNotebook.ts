import { readFileSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SplatbookError } from "../util/errors.js";
import { startKernel, type ExecuteOutcome, type KernelClient } from "./client.js";
import { injectParameters } from "./injection.js";
import { findKernelSpec, jupyterDataPaths } from "./kernelspec.js";
import {
  insertErrorMarkers,
  readNotebook,
  removeErrorMarkers,
  sourceText,
  upgradeToCellIds,
  writeNotebook,
  type Notebook,
  type NotebookCell,
} from "./notebook.js";
import { createOutputCollector, type NotebookOutput } from "./outputs.js";
import type { Parameters } from "./parameters.js";
import { createRunProgress, type RunProgress } from "./progress.js";

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

/** The failing cell of a run. */
export interface RunFailure {
  /** Index in the output notebook's cells (error marker cells included). */
  cellIndex: number;
  /** Index among the executed cells (injected cell included, error markers not). */
  executedIndex: number;
  executionCount: number | null;
  ename: string;
  evalue: string;
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

const VERSION = (() => {
  try {
    const pkg = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "package.json");
    return (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
})();

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

const now = () => new Date().toISOString();
const seconds = (fromIso: string, toIso: string) =>
  (Date.parse(toIso) - Date.parse(fromIso)) / 1000;

/**
 * Runs a notebook headless, papermill-style: injects parameters, executes every code cell in
 * order on the kernelspec's kernel, and writes the output notebook (atomically) at the start,
 * around every cell and at the end, with papermill's metadata. A failing cell stops the run and
 * is marked like papermill marks it; the result says so (it is not thrown). Setup problems
 * (unreadable notebook, unknown kernel, kernel start timeout) throw SplatbookError.
 */
export async function runNotebook(options: RunNotebookOptions): Promise<RunNotebookResult> {
  const t0 = Date.now();
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
  const progress = createRunProgress(options.progress ?? "auto");

  const params = options.parameters ?? {};
  if (Object.keys(params).length > 0) {
    const injected = injectParameters(nb, params, language, input);
    if (injected.warning) progress.log(`warning: ${injected.warning}`);
  }
  const pm: Record<string, unknown> = {
    default_parameters: {},
    parameters: params,
    environment_variables: {},
    version: VERSION,
    input_path: input,
    output_path: outputPath,
  };
  nb.metadata.papermill = pm;
  if (options.prepareOnly) {
    await writeNotebook(outputPath, nb);
    return {
      outputPath,
      notebook: nb,
      status: "prepared",
      kernelStartS: 0,
      durationS: (Date.now() - t0) / 1000,
      cellDurationsS: [],
    };
  }

  // papermill's notebook_start: clear outputs and counts, every cell pending.
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
  const saver = createSaver(outputPath, nb);
  await saver.save();

  const cwd = resolve(options.cwd ?? process.cwd());
  if (!statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) {
    throw new SplatbookError(`--cwd ${cwd}: not a directory`, { file: cwd });
  }
  const kernelLaunch = Date.now();
  const kernel = await startKernel({
    spec,
    cwd,
    startTimeoutS: options.startTimeoutS,
    onKernelLog: options.logOutput ? (t) => progress.log(t.trimEnd()) : undefined,
  });
  const kernelStartS = (Date.now() - kernelLaunch) / 1000;
  // Like nbclient: the notebook records the kernel it actually ran on.
  const languageInfo = kernel.info.language_info;
  if (languageInfo && typeof languageInfo === "object") {
    nb.metadata.language_info = languageInfo as { name?: string };
  }
  if (nb.metadata.kernelspec?.name !== spec.name) {
    nb.metadata.kernelspec = {
      name: spec.name,
      display_name: spec.displayName,
      language: language,
    };
  }
  const cellDurationsS: number[] = [];
  let failure: RunFailure | undefined;
  const onAbort = () => void kernel.interrupt();
  options.signal?.addEventListener("abort", onAbort);
  try {
    progress.start(nb.cells.length);
    const collector = createOutputCollector();
    for (const [index, cell] of nb.cells.entries()) {
      const meta = cell.metadata.papermill!;
      meta.start_time = now();
      meta.status = "running";
      meta.exception = false;
      progress.cellStarted(index, firstLine(cell));
      await saver.save();

      let outcome: ExecuteOutcome | undefined;
      if (cell.cell_type === "code" && sourceText(cell).trim() !== "") {
        if (options.signal?.aborted) {
          outcome = { reply: undefined, timedOut: false, kernelDied: false, timing: {} };
        } else {
          outcome = await executeCell(kernel, cell, index, collector, options, saver, progress);
        }
      }
      meta.end_time = now();
      meta.duration = seconds(meta.start_time, meta.end_time);
      cellDurationsS[index] = meta.duration;
      const error = outcome && cellError(cell, outcome, options);
      if (error) {
        meta.status = "failed";
        meta.exception = true;
        pm.exception = true;
        failure = {
          cellIndex: index,
          executedIndex: index,
          executionCount: cell.execution_count ?? null,
          ...error,
        };
      } else {
        meta.status = "completed";
      }
      progress.cellDone(index, meta.status === "failed" ? "failed" : "completed", meta.duration);
      await saver.save();
      if (failure) break;
    }
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    progress.stop();
    await kernel.shutdown();
  }

  pm.end_time = now();
  pm.duration = seconds(startTime, pm.end_time as string);
  if (failure) {
    insertErrorMarkers(nb, failure.cellIndex);
    // Indexes shift by the top marker and the anchor before the failing cell.
    failure.cellIndex += 2;
  }
  await saver.save();
  return {
    outputPath,
    notebook: nb,
    status: failure ? "failed" : "completed",
    failure,
    kernelStartS,
    durationS: (Date.now() - t0) / 1000,
    cellDurationsS,
  };
}

function firstLine(cell: NotebookCell): string {
  return sourceText(cell).trim().split("\n")[0]!.slice(0, 40);
}

/** Executes one code cell, collecting outputs and nbclient timings into it. */
async function executeCell(
  kernel: KernelClient,
  cell: NotebookCell,
  index: number,
  collector: ReturnType<typeof createOutputCollector>,
  options: RunNotebookOptions,
  saver: Saver,
  progress: RunProgress,
): Promise<ExecuteOutcome> {
  const outputs: NotebookOutput[] = [];
  cell.outputs = outputs;
  collector.beginCell(index, outputs);
  const outcome = await kernel.execute(
    sourceText(cell),
    (msg) => {
      if (collector.handle(msg).length > 0) saver.saveSoon(options.autosaveEveryS ?? 10);
      if (options.logOutput) logOutput(msg.header.msg_type, msg.content, progress);
    },
    { timeoutS: options.executionTimeoutS },
  );
  const count = outcome.reply?.execution_count;
  cell.execution_count = typeof count === "number" ? count : null;
  cell.metadata.execution = outcome.timing;
  return outcome;
}

/** The cell's error, if it failed (kernel error, timeout, interrupt, or kernel death). */
function cellError(
  cell: NotebookCell,
  outcome: ExecuteOutcome,
  options: RunNotebookOptions,
): { ename: string; evalue: string } | undefined {
  const errorOutput = cell.outputs?.find((o) => o.output_type === "error");
  const add = (ename: string, evalue: string) => {
    // Only when the kernel sent no error itself: papermill's readers look for an error output.
    if (!errorOutput) cell.outputs!.push({ output_type: "error", ename, evalue, traceback: [] });
    return { ename, evalue };
  };
  if (outcome.timedOut) {
    return add(
      "CellTimeoutError",
      `A cell timed out while it was being executed, after ${options.executionTimeoutS} seconds.`,
    );
  }
  if (outcome.kernelDied) return add("DeadKernelError", "Kernel died while executing the cell");
  if (options.signal?.aborted) return add("KeyboardInterrupt", "run interrupted");
  const status = outcome.reply?.status;
  if (status === "ok") return undefined;
  if (status === "error") {
    const c = outcome.reply!;
    return add(String(c.ename ?? "Error"), String(c.evalue ?? ""));
  }
  return add("CellExecutionError", `execute_reply status ${String(status ?? "missing")}`);
}

function logOutput(type: string, c: Record<string, unknown>, progress: RunProgress): void {
  if (type === "stream") progress.log(String(c.text ?? "").trimEnd());
  else if (type === "error") {
    progress.log(
      (Array.isArray(c.traceback) ? c.traceback.join("\n") : String(c.evalue)).trimEnd(),
    );
  } else if (
    type === "display_data" ||
    type === "execute_result" ||
    type === "update_display_data"
  ) {
    const text = (c.data as Record<string, unknown> | undefined)?.["text/plain"];
    if (text !== undefined) progress.log(String(Array.isArray(text) ? text.join("") : text));
  }
}

interface Saver {
  /** Writes now (serialised with any write in flight). */
  save(): Promise<void>;
  /** Writes within `everyS` seconds of the last write (during long cells). */
  saveSoon(everyS: number): void;
}

/** Serialises writes of the output notebook, so two atomic renames never race. */
function createSaver(path: string, nb: Notebook): Saver {
  let chain: Promise<void> = Promise.resolve();
  let lastSave = 0;
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    clearTimeout(timer);
    timer = undefined;
    chain = chain.then(async () => {
      lastSave = Date.now();
      await writeNotebook(path, nb);
    });
    return chain;
  };
  return {
    save,
    saveSoon(everyS) {
      if (timer) return;
      const wait = Math.max(0, lastSave + everyS * 1000 - Date.now());
      timer = setTimeout(() => void save().catch(() => undefined), wait);
    },
  };
}
