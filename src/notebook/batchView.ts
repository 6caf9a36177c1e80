import { display, type DisplayHandle, type MimeBundle } from "../jupyter/runtime.js";
import type { BatchEvent, Pipeline } from "../ledger/index.js";

/** A live batch display in a notebook cell. */
export interface BatchView {
  /** The bundle shown now (also what a saved notebook keeps). */
  bundle(): MimeBundle;
  /** Last update and stop listening. */
  close(): void;
}

interface WorkerState {
  label: string;
  pid: number;
  hostname: string;
  idx: number | null;
  scene: string;
  stage: string;
  fraction: number;
  completed: number;
  exited: string | null;
}

const UPDATE_EVERY_MS = 500;

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot" }[c]};`,
  );
}

/**
 * Shows a pipeline's batch as one live output: a row per worker (scene, stage, progress, indices
 * completed) and the totals, updated in place at most every 500 ms while `run` works. Outside a
 * kernel it only keeps the state (`bundle()`).
 */
export function showBatchProgress(pipeline: Pipeline): BatchView {
  const workers = new Map<string, WorkerState>();
  const failures: string[] = [];
  const total = () => pipeline.tasks().length;
  let done = pipeline.completedIndices.size;
  let handle: DisplayHandle | undefined;
  let timer: NodeJS.Timeout | undefined;

  const render = (): MimeBundle => {
    const rows = [...workers.values()];
    const text = [
      `batch: ${done}/${total()} completed, ${failures.length} failed`,
      ...rows.map(
        (w) =>
          `${w.label} pid ${w.pid}: ${w.exited ?? (w.idx === null ? "idle" : `${w.scene} ${w.stage} ${Math.round(w.fraction * 100)}%`)} (${w.completed} done)`,
      ),
      ...failures.map((f) => `failed: ${f}`),
    ].join("\n");
    const cells = rows
      .map(
        (w) =>
          `<tr><td>${w.label}</td><td>${w.pid}@${escapeHtml(w.hostname)}</td><td>${escapeHtml(w.exited ?? w.scene)}</td>` +
          `<td>${escapeHtml(w.stage)}</td><td><progress max="100" value="${Math.round(w.fraction * 100)}"></progress></td>` +
          `<td>${w.completed}</td></tr>`,
      )
      .join("");
    const html =
      `<div class="splatbook-batch"><b>batch</b>: ${done}/${total()} completed, ${failures.length} failed` +
      `<table><tr><th>worker</th><th>pid@host</th><th>scene</th><th>stage</th><th>stage progress</th><th>done</th></tr>${cells}</table>` +
      failures.map((f) => `<div style="color:#b00">failed: ${escapeHtml(f)}</div>`).join("") +
      `</div>`;
    return { "text/plain": text, "text/html": html };
  };
  const flush = () => {
    timer = undefined;
    if (handle) handle.update(render());
    else handle = display(render());
  };
  const schedule = () => {
    timer ??= setTimeout(flush, UPDATE_EVERY_MS);
  };
  const onEvent = (e: BatchEvent) => {
    if (e.type === "worker-start") {
      workers.set(e.workerId, {
        label: `w${workers.size + 1}`,
        ...{ pid: e.pid, hostname: e.hostname, idx: null, scene: "", stage: "idle", fraction: 0 },
        ...{ completed: 0, exited: null },
      });
    } else if (e.type === "index-done") {
      if (e.status === "completed") done++;
      else failures.push(`${e.idx} ${e.scene}: ${e.error}`);
    }
    const w = "workerId" in e && e.workerId ? workers.get(e.workerId) : undefined;
    if (w && e.type === "index-start")
      Object.assign(w, { idx: e.idx, scene: e.scene, stage: "starting", fraction: 0 });
    if (w && e.type === "index-progress")
      Object.assign(w, { stage: e.stage, fraction: e.fraction });
    if (w && e.type === "index-done") {
      Object.assign(w, { idx: null, stage: e.status, fraction: 1 });
      if (e.status === "completed") w.completed++;
    }
    if (w && e.type === "worker-exit") w.exited = e.signal ? `exited (${e.signal})` : "exited";
    if (e.type !== "log") schedule();
  };
  const unsubscribe = pipeline.subscribe(onEvent);
  flush();
  return {
    bundle: render,
    close() {
      unsubscribe();
      if (timer) clearTimeout(timer);
      flush();
    },
  };
}
