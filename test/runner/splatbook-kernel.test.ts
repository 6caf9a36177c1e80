// The runner, papermill and nbconvert against the real splatbook kernel, built from the current
// sources and installed into a temporary Jupyter data dir (splatbookKernelDataDir). A failure to
// build or install it fails the suite.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Notebook } from "../../src/runner/notebook.js";
import { runNotebook } from "../../src/runner/runNotebook.js";
import { ensurePythonPackage } from "./helpers.js";
import {
  assertValidNotebook,
  code,
  splatbookKernelDataDir,
  VENV,
  writeTestNotebook,
} from "./helpers.js";

const dataDir = await splatbookKernelDataDir();
const dataPaths = [dataDir];
// jupyter_client must see the same kernelspec: pass its data dir explicitly.
const env = {
  ...process.env,
  JUPYTER_PATH: dataDir,
  PATH: `${join(VENV, "bin")}:${process.env.PATH}`,
};

function stepsNotebook(): string {
  return writeTestNotebook(
    [
      code('let steps: number = 3000;\nlet mode = "fast";', ["parameters"]),
      // `let` keeps `mode` a string: with `const`, this comparison would not compile.
      code('if (mode === "slow") console.log("slow");\nconsole.log(`steps=${steps}`);'),
      code("steps * 2"),
    ],
    "splatbook",
    "typescript",
  );
}

const streamText = (nb: Notebook, i: number) =>
  nb.cells[i]!.outputs!.map((o) => (o.output_type === "stream" ? o.text : "")).join("");

describe("splatbook kernel", () => {
  it("splatbook run -p steps 100: injected TypeScript cell, outputs, execute_result", async () => {
    const r = await runNotebook({
      input: stepsNotebook(),
      parameters: { steps: 100, mode: "slow" },
      progress: "none",
      dataPaths,
    });
    expect(r.status).toBe("completed");
    const nb = JSON.parse(readFileSync(r.outputPath, "utf8")) as Notebook;
    expect(nb.cells[1]!.source).toBe(
      '// Parameters\nlet steps: number = 100;\nlet mode = "slow";\n',
    );
    expect(streamText(nb, 2)).toBe("slow\nsteps=100\n");
    expect(nb.cells[3]!.outputs![0]).toMatchObject({
      output_type: "execute_result",
      data: { "text/plain": "200" },
    });
    assertValidNotebook(r.outputPath);
  });

  it("a throwing 3rd cell: error output with ename/evalue, papermill marking, later cells pending", async () => {
    const input = writeTestNotebook(
      [
        code("const a = 1;"),
        code("const b = 2;"),
        code('throw new RangeError("third cell")'),
        code("a + b"),
      ],
      "splatbook",
      "typescript",
    );
    const r = await runNotebook({ input, progress: "none", dataPaths });
    expect(r.failure).toMatchObject({
      executedIndex: 2,
      ename: "RangeError",
      evalue: "third cell",
    });
    expect(r.notebook.cells[5]!.metadata.papermill!.status).toBe("pending");
  });

  it("--execution-timeout interrupts a long cell", async () => {
    const input = writeTestNotebook(
      [code("await new Promise((r) => setTimeout(r, 60_000));"), code("1")],
      "splatbook",
      "typescript",
    );
    const r = await runNotebook({ input, progress: "none", dataPaths, executionTimeoutS: 1 });
    expect(r.failure?.ename).toBe("CellTimeoutError");
  });

  it("papermill -k splatbook -p steps 100 executes with a TypeScript injected cell", async () => {
    await ensurePythonPackage(join(VENV, "bin", "python"));
    const input = stepsNotebook();
    const output = input.replace(/in\.ipynb$/, "pm.ipynb");
    const r = spawnSync(
      join(VENV, "bin", "papermill"),
      [input, output, "-k", "splatbook", "-p", "steps", "100"],
      {
        env,
        encoding: "utf8",
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const nb = JSON.parse(readFileSync(output, "utf8")) as Notebook;
    expect([nb.cells[1]!.source].flat().join("")).toBe("// Parameters\nlet steps = 100;\n");
    expect(streamText(nb, 2)).toBe("steps=100\n");
  });

  it("jupyter nbconvert --to notebook --execute runs it", () => {
    const input = stepsNotebook();
    const r = spawnSync(
      join(VENV, "bin", "jupyter"),
      ["nbconvert", "--to", "notebook", "--execute", "--output", "nbconvert.ipynb", input],
      { env, encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(0);
    const nb = JSON.parse(
      readFileSync(join(dirname(input), "nbconvert.ipynb"), "utf8"),
    ) as Notebook;
    expect(streamText(nb, 1)).toBe("steps=3000\n");
  });
});
