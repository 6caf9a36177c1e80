// The runner against the real ipykernel from the project's venv (the kernel the Jupyter project
// ships); the splatbook kernel gets its own test file.
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runNotebook } from "../../src/runner/runNotebook.js";
import type { Notebook } from "../../src/runner/notebook.js";
import { assertValidNotebook, code, markdown, VENV_DATA, writeTestNotebook } from "./helpers.js";

const base = { dataPaths: [VENV_DATA], progress: "none" as const };
const readOut = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Notebook;

describe("splatbook run on ipykernel", () => {
  it("injects typed parameters, executes in order and writes papermill metadata", async () => {
    const input = writeTestNotebook([
      markdown("# title"),
      code("steps = 10\nname = 'x'", ["parameters"]),
      code(
        "print(steps * 2, name)\nprint('more')\nimport sys; print('warn', file=sys.stderr)\ntype(steps).__name__",
      ),
      code("from IPython.display import display\nh = display('a', display_id=True)\nh.update('b')"),
      code("import os; os.getcwd()"),
    ]);
    const cwd = mkdtempSync(join(tmpdir(), "runner-cwd-"));
    const output = join(mkdtempSync(join(tmpdir(), "runner-out-")), "out.ipynb");
    const r = await runNotebook({
      ...base,
      input,
      output,
      cwd,
      parameters: { steps: 200, name: 'a "b"', ratio: 0.5, flag: true, none: null },
    });
    expect(r.status).toBe("completed");
    expect(r.kernelStartS).toBeGreaterThan(0);
    const nb = readOut(output);
    expect(nb).toEqual(JSON.parse(JSON.stringify(r.notebook)));
    expect(nb.nbformat_minor).toBe(5);
    const injected = nb.cells[2]!;
    expect(injected.metadata.tags).toEqual(["injected-parameters"]);
    expect(injected.source).toBe(
      '# Parameters\nsteps = 200\nname = "a \\"b\\""\nratio = 0.5\nflag = True\nnone = None\n',
    );
    expect(nb.cells[3]!.outputs).toEqual([
      { output_type: "stream", name: "stdout", text: '400 a "b"\nmore\n' },
      { output_type: "stream", name: "stderr", text: "warn\n" },
      {
        output_type: "execute_result",
        execution_count: 3,
        data: { "text/plain": "'int'" },
        metadata: {},
      },
    ]);
    // update_display_data replaced the display in place, nothing appended.
    expect(nb.cells[4]!.outputs).toEqual([
      { output_type: "display_data", data: { "text/plain": "'b'" }, metadata: {} },
    ]);
    expect(nb.cells[5]!.outputs![0]).toMatchObject({ data: { "text/plain": `'${cwd}'` } });
    expect(nb.cells.map((c) => c.execution_count)).toEqual([undefined, 1, 2, 3, 4, 5]);
    for (const cell of nb.cells) {
      const pm = cell.metadata.papermill!;
      expect(pm.status).toBe("completed");
      expect(pm.exception).toBe(false);
      expect(Date.parse(pm.end_time!)).toBeGreaterThanOrEqual(Date.parse(pm.start_time!));
      expect(pm.duration).toBeGreaterThanOrEqual(0);
      if (cell.cell_type === "code") {
        expect(Object.keys(cell.metadata.execution as object)).toEqual(
          expect.arrayContaining([
            "iopub.status.busy",
            "iopub.execute_input",
            "shell.execute_reply",
            "iopub.status.idle",
          ]),
        );
      }
    }
    const pm = nb.metadata.papermill!;
    expect(pm).toMatchObject({
      parameters: { steps: 200, name: 'a "b"', ratio: 0.5, flag: true, none: null },
      environment_variables: {},
      input_path: input,
      output_path: output,
      exception: null,
    });
    expect(pm.duration as number).toBeGreaterThan(0);
    expect(typeof pm.version).toBe("string");
    assertValidNotebook(output);
  });

  it("a throwing 3rd cell stops the run, is marked like papermill, and later cells stay pending", async () => {
    const input = writeTestNotebook([
      code("a = 1"),
      code("print('second')"),
      code("raise ValueError('boom in cell 3')"),
      code("print('never')"),
      markdown("after"),
    ]);
    const output = join(mkdtempSync(join(tmpdir(), "runner-out-")), "out.ipynb");
    const r = await runNotebook({ ...base, input, output });
    expect(r.status).toBe("failed");
    expect(r.failure).toMatchObject({
      executedIndex: 2,
      cellIndex: 4,
      executionCount: 3,
      ename: "ValueError",
      evalue: "boom in cell 3",
    });
    const nb = readOut(output);
    expect(nb.metadata.papermill!.exception).toBe(true);
    const top = nb.cells[0]!;
    expect(top.metadata.tags).toEqual(["papermill-error-cell-tag"]);
    expect(top.source).toContain(
      "An Exception was encountered at '<a href=\"#papermill-error-cell\">In [3]</a>'.",
    );
    const anchor = nb.cells[3]!;
    expect(anchor.metadata.tags).toEqual(["papermill-error-cell-tag"]);
    expect(anchor.source).toContain('id="papermill-error-cell"');
    const failed = nb.cells[4]!;
    expect(failed.metadata.papermill).toMatchObject({ status: "failed", exception: true });
    expect(failed.outputs![0]).toMatchObject({ output_type: "error", ename: "ValueError" });
    expect(nb.cells[5]!.metadata.papermill!.status).toBe("pending");
    expect(nb.cells[5]!.outputs).toEqual([]);
    expect(nb.cells[5]!.execution_count).toBeNull();
    expect(nb.cells[6]!.metadata.papermill!.status).toBe("pending");

    assertValidNotebook(output);
    // Rerunning the output drops the old markers instead of stacking them.
    const again = await runNotebook({ ...base, input: output, output: output + ".2.ipynb" });
    expect(
      again.notebook.cells.filter((c) => c.metadata.tags?.includes("papermill-error-cell-tag")),
    ).toHaveLength(2);
  });

  it("--execution-timeout interrupts the kernel and fails the cell", async () => {
    const input = writeTestNotebook([
      code("print('start')"),
      code("import time\ntime.sleep(60)"),
      code("print('never')"),
    ]);
    const output = join(mkdtempSync(join(tmpdir(), "runner-out-")), "out.ipynb");
    const r = await runNotebook({ ...base, input, output, executionTimeoutS: 1 });
    expect(r.failure).toMatchObject({ ename: "CellTimeoutError", executionCount: 2 });
    expect(r.failure!.evalue).toMatch(/timed out .* after 1 seconds/);
    const nb = readOut(output);
    // [error message, cell 1, anchor, failing cell, cell 3]
    const cell = nb.cells[3]!;
    expect(cell.metadata.papermill!.status).toBe("failed");
    // ipykernel answers SIGINT with a KeyboardInterrupt error output.
    expect(
      cell.outputs!.some((o) => o.output_type === "error" && o.ename === "KeyboardInterrupt"),
    ).toBe(true);
    expect(nb.cells[4]!.metadata.papermill!.status).toBe("pending");
  });

  it("--prepare-only injects parameters without starting a kernel", async () => {
    const input = writeTestNotebook([code("x = 1", ["parameters"]), code("print(x)")]);
    const output = join(mkdtempSync(join(tmpdir(), "runner-out-")), "out.ipynb");
    const r = await runNotebook({
      ...base,
      input,
      output,
      prepareOnly: true,
      parameters: { x: 2 },
    });
    expect(r.status).toBe("prepared");
    const nb = readOut(output);
    expect(nb.cells.map((c) => c.source)).toEqual(["x = 1", "# Parameters\nx = 2\n", "print(x)"]);
    expect(nb.cells[2]!.outputs).toEqual([]);
    expect(nb.metadata.papermill!.parameters).toEqual({ x: 2 });
  });

  it("names the problem when the kernel is unknown or dies at start-up", async () => {
    const input = writeTestNotebook([code("1")], "no-such-kernel");
    await expect(runNotebook({ ...base, input })).rejects.toThrow(
      /no kernelspec named "no-such-kernel" \(installed: .*python3/,
    );

    const data = mkdtempSync(join(tmpdir(), "runner-ks-"));
    mkdirSync(join(data, "kernels", "broken"), { recursive: true });
    writeFileSync(
      join(data, "kernels", "broken", "kernel.json"),
      JSON.stringify({
        argv: ["sh", "-c", "echo cannot start >&2; exit 3", "{connection_file}"],
        display_name: "b",
        language: "python",
      }),
    );
    mkdirSync(join(data, "kernels", "missing-exe"), { recursive: true });
    writeFileSync(
      join(data, "kernels", "missing-exe", "kernel.json"),
      JSON.stringify({
        argv: ["/nonexistent/kernel-exe", "{connection_file}"],
        language: "python",
      }),
    );
    const missing = writeTestNotebook([code("1")], "missing-exe");
    await expect(runNotebook({ ...base, dataPaths: [data], input: missing })).rejects.toThrow(
      /kernel "missing-exe": cannot launch \/nonexistent\/kernel-exe \(ENOENT\)/,
    );
    await expect(
      runNotebook({ ...base, input: writeTestNotebook([code("1")]), cwd: "/nonexistent-dir" }),
    ).rejects.toThrow(/--cwd \/nonexistent-dir: not a directory/);
    const broken = writeTestNotebook([code("1")], "broken");
    await expect(
      runNotebook({ ...base, dataPaths: [data], input: broken, startTimeoutS: 10 }),
    ).rejects.toThrow(/kernel "broken" exited during start-up \(exit code 3\): cannot start/);
  });

  it("saves output of a long-running cell while it runs", async () => {
    const input = writeTestNotebook([
      code("import time\nprint('started', flush=True)\ntime.sleep(3)\nprint('done')"),
    ]);
    const output = join(mkdtempSync(join(tmpdir(), "runner-out-")), "out.ipynb");
    const run = runNotebook({ ...base, input, output, autosaveEveryS: 0.2 });
    let seen: unknown;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      try {
        const cell = readOut(output).cells[0]!;
        if (cell.metadata.papermill?.status === "running" && cell.outputs!.length > 0) {
          seen = cell.outputs;
          break;
        }
      } catch {
        // not written yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(seen).toEqual([{ output_type: "stream", name: "stdout", text: "started\n" }]);
    expect((await run).status).toBe("completed");
    expect(readOut(output).cells[0]!.outputs).toEqual([
      { output_type: "stream", name: "stdout", text: "started\ndone\n" },
    ]);
  });

  it("a kernel that dies mid-cell fails that cell with DeadKernelError", async () => {
    const input = writeTestNotebook([
      code("print('alive')"),
      code("import os\nos._exit(3)"),
      code("print('never')"),
    ]);
    const output = join(mkdtempSync(join(tmpdir(), "runner-out-")), "out.ipynb");
    const r = await runNotebook({ ...base, input, output });
    expect(r.failure).toMatchObject({ executedIndex: 1, ename: "DeadKernelError" });
    const nb = readOut(output);
    expect(nb.cells[3]!.outputs).toEqual([
      {
        output_type: "error",
        ename: "DeadKernelError",
        evalue: "Kernel died while executing the cell",
        traceback: [],
      },
    ]);
    expect(nb.cells[4]!.metadata.papermill!.status).toBe("pending");
  });
});
