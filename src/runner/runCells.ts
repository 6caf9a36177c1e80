/**
 * The cell loop of a headless run: each code cell executed in order on the kernel, its outputs
 * collected into the notebook as they arrive, papermill's per-cell metadata kept current and
 * the output notebook saved around every cell; the first failing cell stops the loop.
 */
import type { ExecuteResult } from "../jupyter/client.js";
import type { RunningKernel } from "../jupyter/kernelProcess.js";
import type { JupyterMessage } from "../jupyter/wire.js";
import { sourceText, type Notebook, type NotebookCell } from "./notebook.js";
import type { NotebookSaver } from "./notebookSaver.js";
import { createOutputCollector, type NotebookOutput, type OutputCollector } from "./outputs.js";
import { now, seconds, type RunMetadata } from "./papermillMetadata.js";
import type { NotebookProgress } from "./notebookProgress.js";

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

/** What the loop needs besides the notebook and the kernel. */
export interface CellLoopContext {
  pm: RunMetadata;
  saver: NotebookSaver;
  progress: NotebookProgress;
  /** Per-cell limit in seconds (the kernel is interrupted when it expires). */
  executionTimeoutS?: number;
  /** Copy cell output to the progress log as it arrives. */
  logOutput?: boolean;
  /** Seconds between saves while one cell keeps producing output (default 10). */
  autosaveEveryS?: number;
  /** Aborted: the running cell is interrupted and the rest are not run. */
  signal?: AbortSignal;
}

/** Runs every cell; returns the first failure (if any) and each cell's duration in seconds. */
export async function runCells(
  nb: Notebook,
  kernel: RunningKernel,
  ctx: CellLoopContext,
): Promise<{ failure?: RunFailure; cellDurationsS: number[] }> {
  const cellDurationsS: number[] = [];
  const collector = createOutputCollector();
  const onAbort = () => void kernel.interrupt();
  ctx.signal?.addEventListener("abort", onAbort);
  try {
    ctx.progress.start(nb.cells.length);
    for (const [index, cell] of nb.cells.entries()) {
      const meta = cell.metadata.papermill!;
      meta.start_time = now();
      meta.status = "running";
      meta.exception = false;
      ctx.progress.cellStarted(index, firstLine(cell));
      await ctx.saver.save();
      const error = await runCell(cell, index, kernel, collector, ctx);
      meta.end_time = now();
      meta.duration = seconds(meta.start_time, meta.end_time);
      cellDurationsS[index] = meta.duration;
      meta.status = error ? "failed" : "completed";
      meta.exception = error !== undefined;
      ctx.progress.cellDone(index, meta.status, meta.duration);
      await ctx.saver.save();
      if (error) {
        ctx.pm.exception = true;
        const executionCount = cell.execution_count ?? null;
        return {
          failure: { cellIndex: index, executedIndex: index, executionCount, ...error },
          cellDurationsS,
        };
      }
    }
    return { cellDurationsS };
  } finally {
    ctx.signal?.removeEventListener("abort", onAbort);
    ctx.progress.stop();
  }
}

/** Runs one cell if it has code; returns its error, if it failed. */
async function runCell(
  cell: NotebookCell,
  index: number,
  kernel: RunningKernel,
  collector: OutputCollector,
  ctx: CellLoopContext,
): Promise<{ ename: string; evalue: string } | undefined> {
  if (cell.cell_type !== "code" || sourceText(cell).trim() === "") return undefined;
  if (ctx.signal?.aborted) return addError(cell, "KeyboardInterrupt", "run interrupted");
  const outputs: NotebookOutput[] = [];
  cell.outputs = outputs;
  collector.beginCell(index, outputs);
  const result = await kernel.execute(sourceText(cell), {
    content: { allow_stdin: false },
    timeoutS: ctx.executionTimeoutS,
    onOutput(msg) {
      if (collector.handle(msg).length > 0) ctx.saver.saveSoon(ctx.autosaveEveryS ?? 10);
      if (ctx.logOutput) logOutput(msg, ctx.progress);
    },
  });
  const count = result.reply?.content.execution_count;
  cell.execution_count = typeof count === "number" ? count : null;
  cell.metadata.execution = result.timing;
  return cellError(cell, result, ctx);
}

/** The cell's error, if it failed (kernel error, timeout, interrupt, or kernel death). */
function cellError(
  cell: NotebookCell,
  result: ExecuteResult,
  ctx: CellLoopContext,
): { ename: string; evalue: string } | undefined {
  if (result.timedOut) {
    return addError(
      cell,
      "CellTimeoutError",
      `A cell timed out while it was being executed, after ${ctx.executionTimeoutS} seconds.`,
    );
  }
  if (result.kernelDied)
    return addError(cell, "DeadKernelError", "Kernel died while executing the cell");
  if (ctx.signal?.aborted) return addError(cell, "KeyboardInterrupt", "run interrupted");
  const reply = result.reply?.content;
  if (reply?.status === "ok") return undefined;
  if (reply?.status === "error") {
    return addError(cell, String(reply.ename ?? "Error"), String(reply.evalue ?? ""));
  }
  return addError(
    cell,
    "CellExecutionError",
    `execute_reply status ${String(reply?.status ?? "missing")}`,
  );
}

/** Records an error; an error output is added only when the kernel sent none itself. */
function addError(cell: NotebookCell, ename: string, evalue: string) {
  // papermill's readers look for an error output in the failing cell.
  cell.outputs ??= [];
  if (!cell.outputs.some((o) => o.output_type === "error")) {
    cell.outputs.push({ output_type: "error", ename, evalue, traceback: [] });
  }
  return { ename, evalue };
}

function firstLine(cell: NotebookCell): string {
  return sourceText(cell).trim().split("\n")[0]!.slice(0, 40);
}

function logOutput(msg: JupyterMessage, progress: NotebookProgress): void {
  const c = msg.content;
  switch (msg.header.msg_type) {
    case "stream":
      progress.log(String(c.text ?? "").trimEnd());
      return;
    case "error":
      progress.log(
        (Array.isArray(c.traceback) ? c.traceback.join("\n") : String(c.evalue)).trimEnd(),
      );
      return;
    case "display_data":
    case "execute_result":
    case "update_display_data": {
      const text = (c.data as Record<string, unknown> | undefined)?.["text/plain"];
      if (text !== undefined) progress.log(String(Array.isArray(text) ? text.join("") : text));
    }
  }
}
