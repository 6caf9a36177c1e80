// The output collector (message signing is covered by test/kernel/units.test.ts).
import { describe, expect, it } from "vitest";
import { createOutputCollector, type NotebookOutput } from "../../src/runner/outputs.js";
import type { JupyterMessage } from "../../src/jupyter/wire.js";

// Synthetic iopub messages (no kernel): the collector is a pure function of the message stream.
function iopub(type: string, content: Record<string, unknown>): JupyterMessage {
  return {
    header: {
      msg_id: "m",
      msg_type: type,
      session: "s",
      username: "u",
      date: "",
      version: "5.3",
    },
    parent_header: {},
    metadata: {},
    content,
    buffers: [],
  };
}

describe("output collection like nbclient", () => {
  it("merges consecutive streams of the same name only", () => {
    const c = createOutputCollector();
    const out: NotebookOutput[] = [];
    c.beginCell(0, out);
    c.handle(iopub("stream", { name: "stdout", text: "a\n" }));
    c.handle(iopub("stream", { name: "stdout", text: "b\n" }));
    c.handle(iopub("stream", { name: "stderr", text: "e\n" }));
    c.handle(iopub("stream", { name: "stdout", text: "c\n" }));
    expect(out).toEqual([
      { output_type: "stream", name: "stdout", text: "a\nb\n" },
      { output_type: "stream", name: "stderr", text: "e\n" },
      { output_type: "stream", name: "stdout", text: "c\n" },
    ]);
  });

  it("clear_output(wait) clears at the next output; update_display_data rewrites earlier cells", () => {
    const c = createOutputCollector();
    const first: NotebookOutput[] = [];
    c.beginCell(0, first);
    c.handle(
      iopub("display_data", {
        data: { "text/plain": "0%" },
        metadata: {},
        transient: { display_id: "bar" },
      }),
    );
    const second: NotebookOutput[] = [];
    c.beginCell(1, second);
    c.handle(iopub("stream", { name: "stdout", text: "x" }));
    c.handle(iopub("clear_output", { wait: true }));
    expect(second).toHaveLength(1);
    c.handle(iopub("execute_result", { execution_count: 2, data: { "text/plain": "1" } }));
    expect(second).toEqual([
      {
        output_type: "execute_result",
        execution_count: 2,
        data: { "text/plain": "1" },
        metadata: {},
      },
    ]);
    const changed = c.handle(
      iopub("update_display_data", {
        data: { "text/plain": "100%" },
        metadata: { done: true },
        transient: { display_id: "bar" },
      }),
    );
    expect(changed).toEqual([0]);
    expect(first).toEqual([
      { output_type: "display_data", data: { "text/plain": "100%" }, metadata: { done: true } },
    ]);
    expect(
      c.handle(iopub("update_display_data", { data: {}, transient: { display_id: "nope" } })),
    ).toEqual([]);
    c.handle(iopub("error", { ename: "Error", evalue: "bad", traceback: ["t1", "t2"] }));
    expect(second[1]).toEqual({
      output_type: "error",
      ename: "Error",
      evalue: "bad",
      traceback: ["t1", "t2"],
    });
  });
});
