import type { JupyterMessage } from "../jupyter/wire.js";

/** An nbformat v4 output. */
export type NotebookOutput =
  | { output_type: "stream"; name: string; text: string }
  | {
      output_type: "display_data";
      data: Record<string, unknown>;
      metadata: Record<string, unknown>;
    }
  | {
      output_type: "execute_result";
      execution_count: number | null;
      data: Record<string, unknown>;
      metadata: Record<string, unknown>;
    }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

/**
 * Turns iopub messages into nbformat outputs the way nbclient does: consecutive stream messages
 * of the same name are merged, `clear_output` (with `wait`) empties the list, and
 * `update_display_data` rewrites every earlier output — in any cell — with the same display_id.
 */
export interface OutputCollector {
  /** Starts collecting into a cell's outputs array (the array is mutated in place). */
  beginCell(cellIndex: number, outputs: NotebookOutput[]): void;
  /** Applies one iopub message; returns the indexes of cells whose outputs changed. */
  handle(msg: JupyterMessage): number[];
}

interface DisplayRef {
  cellIndex: number;
  outputs: NotebookOutput[];
  output: NotebookOutput;
}

/** Creates a collector; one per notebook run, since display ids span cells. */
export function createOutputCollector(): OutputCollector {
  const displays = new Map<string, DisplayRef[]>();
  let cellIndex = -1;
  let outputs: NotebookOutput[] = [];
  let clearPending = false;

  const forgetDisplays = (list: NotebookOutput[]) => {
    for (const [id, refs] of displays) {
      const kept = refs.filter((r) => r.outputs !== list);
      if (kept.length) displays.set(id, kept);
      else displays.delete(id);
    }
  };
  const clearNow = () => {
    forgetDisplays(outputs);
    outputs.length = 0;
    clearPending = false;
  };
  const displayIdOf = (msg: JupyterMessage): string | undefined => {
    const transient = msg.content.transient as { display_id?: unknown } | undefined;
    return typeof transient?.display_id === "string" ? transient.display_id : undefined;
  };

  return {
    beginCell(index, list) {
      cellIndex = index;
      outputs = list;
      clearPending = false;
    },
    handle(msg) {
      const c = msg.content;
      const type = msg.header.msg_type;
      if (type === "clear_output") {
        if (c.wait) clearPending = true;
        else clearNow();
        return [cellIndex];
      }
      if (type === "update_display_data") {
        const id = displayIdOf(msg);
        const changed: number[] = [];
        for (const ref of (id && displays.get(id)) || []) {
          const out = ref.output as { data: unknown; metadata: unknown };
          out.data = c.data ?? {};
          out.metadata = c.metadata ?? {};
          changed.push(ref.cellIndex);
        }
        return changed;
      }
      if (type === "stream") {
        if (clearPending) clearNow();
        const name = String(c.name ?? "stdout");
        const last = outputs[outputs.length - 1];
        if (last?.output_type === "stream" && last.name === name) {
          last.text += String(c.text ?? "");
          return [cellIndex];
        }
      }
      const output = toOutput(msg);
      if (!output) return []; // comm messages and the like are not outputs
      if (clearPending) clearNow();
      outputs.push(output);
      const id = displayIdOf(msg);
      if (id) {
        const refs = displays.get(id) ?? [];
        refs.push({ cellIndex, outputs, output });
        displays.set(id, refs);
      }
      return [cellIndex];
    },
  };
}

/** The nbformat output for an output-carrying iopub message (stream, display, result, error). */
function toOutput(msg: JupyterMessage): NotebookOutput | undefined {
  const c = msg.content;
  switch (msg.header.msg_type) {
    case "stream":
      return {
        output_type: "stream",
        name: String(c.name ?? "stdout"),
        text: String(c.text ?? ""),
      };
    case "display_data":
      return {
        output_type: "display_data",
        data: (c.data ?? {}) as Record<string, unknown>,
        metadata: (c.metadata ?? {}) as Record<string, unknown>,
      };
    case "execute_result":
      return {
        output_type: "execute_result",
        execution_count: typeof c.execution_count === "number" ? c.execution_count : null,
        data: (c.data ?? {}) as Record<string, unknown>,
        metadata: (c.metadata ?? {}) as Record<string, unknown>,
      };
    case "error":
      return {
        output_type: "error",
        ename: String(c.ename ?? "Error"),
        evalue: String(c.evalue ?? ""),
        traceback: Array.isArray(c.traceback) ? c.traceback.map(String) : [],
      };
  }
  return undefined;
}
