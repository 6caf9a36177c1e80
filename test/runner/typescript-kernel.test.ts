// The TypeScript parameter convention end to end on tslab's own kernel from node_modules: its
// converter is the one the splatbook kernel compiles cells with, so cross-cell redeclaration
// behaves the same (splatbook-kernel.test.ts runs the same convention on our kernel).
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runNotebook } from "../../src/runner/runNotebook.js";
import { code, ROOT, writeTestNotebook } from "./helpers.js";

/** A temp data dir with a kernelspec for tslab's kernel. */
async function typescriptKernel(): Promise<{ dataPaths: string[]; name: string }> {
  const data = mkdtempSync(join(tmpdir(), "runner-tslab-"));
  mkdirSync(join(data, "kernels", "tslab"), { recursive: true });
  writeFileSync(
    join(data, "kernels", "tslab", "kernel.json"),
    JSON.stringify({
      argv: [
        process.execPath,
        join(ROOT, "node_modules", "tslab", "bin", "tslab"),
        "kernel",
        "--config-path",
        "{connection_file}",
      ],
      display_name: "tslab",
      language: "typescript",
    }),
  );
  return { dataPaths: [data], name: "tslab" };
}

describe("TypeScript parameters on a TypeScript kernel", () => {
  it("let declarations override the parameters cell, keep its types and widen literals", async () => {
    const kernel = await typescriptKernel();
    const input = writeTestNotebook(
      [
        code(
          'let steps: number = 3000;\nconst mode = "fast";\nlet input: string | null = null;\nconst cfg = { a: 1 };',
          ["parameters"],
        ),
        // Compiles only if `mode` is a string, not the literal "fast" of the parameters cell.
        code(
          'if (mode === "slow") console.log("slow mode");\nconsole.log(JSON.stringify({ steps: steps, mode: mode, input: input, cfg: cfg }));',
        ),
        code("console.log(typeof steps, steps * 2);"),
      ],
      kernel.name,
      "typescript",
    );
    const r = await runNotebook({
      input,
      dataPaths: kernel.dataPaths,
      progress: "none",
      parameters: { steps: 100, mode: "slow", input: 'a "b"\nc', cfg: { a: 2, b: [1, null] } },
    });
    expect(r.failure, JSON.stringify(r.notebook.cells.map((c) => c.outputs))).toBeUndefined();
    const cells = r.notebook.cells;
    expect(cells[1]!.source).toBe(
      '// Parameters\nlet steps: number = 100;\nlet mode = "slow";\nlet input: string | null = "a \\"b\\"\\nc";\nlet cfg = {"a":2,"b":[1,null]};\n',
    );
    const text = (i: number) =>
      cells[i]!.outputs!.map((o) => (o.output_type === "stream" ? o.text : "")).join("");
    expect(text(2)).toBe(
      'slow mode\n{"steps":100,"mode":"slow","input":"a \\"b\\"\\nc","cfg":{"a":2,"b":[1,null]}}\n',
    );
    expect(text(3)).toBe("number 200\n");
  });

  it("a failing TypeScript cell fails the run", async () => {
    const kernel = await typescriptKernel();
    const input = writeTestNotebook(
      [
        code("const a = 1;"),
        code("const b = 2;"),
        code('throw new Error("third cell")'),
        code("console.log(a)"),
      ],
      kernel.name,
      "typescript",
    );
    const r = await runNotebook({ input, dataPaths: kernel.dataPaths, progress: "none" });
    expect(r.status).toBe("failed");
    expect(r.failure!.executedIndex).toBe(2);
    expect(r.notebook.cells[5]!.metadata.papermill!.status).toBe("pending");
  });
});
