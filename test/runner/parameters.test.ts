import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseRunArgs } from "../../src/cli/commands/run.js";
import { injectParameters } from "../../src/runner/injection.js";
import type { Notebook, NotebookCell } from "../../src/runner/notebook.js";
import {
  declaredTypes,
  parseParameterValue,
  parseYamlParameters,
  pythonParameterCell,
  typescriptParameterCell,
} from "../../src/runner/parameters.js";
import { SplatbookError } from "../../src/util/errors.js";

const code = (source: string, tags?: string[]): NotebookCell => ({
  cell_type: "code",
  source,
  metadata: tags ? { tags } : {},
  outputs: [],
  execution_count: null,
});
const notebook = (cells: NotebookCell[]): Notebook => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells,
});

describe("parameter values (papermill -p typing)", () => {
  it("types ints, floats, booleans, null and strings like papermill", () => {
    expect(parseParameterValue("200")).toBe(200);
    expect(parseParameterValue("-3")).toBe(-3);
    expect(parseParameterValue("0.5")).toBe(0.5);
    expect(parseParameterValue("1e-3")).toBe(0.001);
    expect(parseParameterValue("True")).toBe(true);
    expect(parseParameterValue("false")).toBe(false);
    expect(parseParameterValue("None")).toBeNull();
    expect(parseParameterValue("null")).toBeNull();
    expect(parseParameterValue("inf")).toBe(Infinity);
    expect(parseParameterValue("captures/scene 1")).toBe("captures/scene 1");
    expect(parseParameterValue("12abc")).toBe("12abc");
    expect(parseParameterValue("")).toBe("");
  });

  it("writes TypeScript let declarations with JSON-escaped strings and JSON objects", () => {
    const cell = typescriptParameterCell({
      steps: 200,
      lr: 0.01,
      fresh: true,
      input: 'a "quoted"\npath\u2028',
      nothing: null,
      sizes: [1, 2.5],
      cfg: { a: { b: "c" } },
      big: -Infinity,
    });
    expect(cell).toBe(
      [
        "// Parameters",
        "let steps = 200;",
        "let lr = 0.01;",
        "let fresh = true;",
        'let input = "a \\"quoted\\"\\npath\u2028";',
        "let nothing = null;",
        "let sizes = [1,2.5];",
        'let cfg = {"a":{"b":"c"}};',
        "let big = -Infinity;",
        "",
      ].join("\n"),
    );
  });

  it("keeps the type annotation the parameters cell declared", () => {
    const source =
      'let input: string | null = null;\nconst steps: number = 3000;\nlet mode = "fast";';
    expect([...declaredTypes(source)]).toEqual([
      ["input", "string | null"],
      ["steps", "number"],
    ]);
    expect(typescriptParameterCell({ input: "x", mode: "slow" }, source)).toBe(
      '// Parameters\nlet input: string | null = "x";\nlet mode = "slow";\n',
    );
  });

  it("writes Python for Python kernels", () => {
    expect(pythonParameterCell({ a: 1, b: "x", c: null, d: false, e: { k: [1, true] } })).toBe(
      '# Parameters\na = 1\nb = "x"\nc = None\nd = False\ne = {"k": [1, True]}\n',
    );
  });

  it("rejects names that are not identifiers", () => {
    expect(() => typescriptParameterCell({ "not-valid": 1 })).toThrow(SplatbookError);
    expect(() => parseRunArgs(["in.ipynb", "-p", "2x", "1"])).toThrow(/not a valid identifier/);
  });
});

describe("-y YAML", () => {
  it("reads a YAML file or YAML text; later -p/-y override earlier ones", () => {
    const dir = mkdtempSync(join(tmpdir(), "runner-yaml-"));
    const file = join(dir, "params.yaml");
    writeFileSync(file, "steps: 100\ninput: captures/a\nscales: [1, 2]\nopts: {fast: true}\n");
    expect(parseYamlParameters(file)).toEqual({
      steps: 100,
      input: "captures/a",
      scales: [1, 2],
      opts: { fast: true },
    });
    expect(parseYamlParameters("{steps: 5, name: x}")).toEqual({ steps: 5, name: "x" });
    const opts = parseRunArgs(["in.ipynb", "out.ipynb", "-y", file, "-p", "steps", "300"]);
    expect(opts.parameters).toEqual({
      steps: 300,
      input: "captures/a",
      scales: [1, 2],
      opts: { fast: true },
    });
    expect(opts.output).toBe("out.ipynb");
    const raw = parseRunArgs(["in.ipynb", "-f", file, "-r", "steps", "300", "-r", "flag", "True"]);
    expect(raw.parameters).toMatchObject({ steps: "300", flag: "True", input: "captures/a" });
  });

  it("names the file when YAML is bad or not a mapping", () => {
    const dir = mkdtempSync(join(tmpdir(), "runner-yaml-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "steps: [1, 2\n");
    expect(() => parseYamlParameters(file)).toThrow(new RegExp(`${file}: not valid YAML`));
    expect(() => parseYamlParameters("- 1\n- 2")).toThrow(/must be a YAML mapping/);
    expect(() => parseRunArgs(["in.ipynb", "-f", join(dir, "missing.yaml")])).toThrow(
      /missing\.yaml: parameters file not found/,
    );
  });
});

describe("splatbook run arguments", () => {
  it("parses every flag, with -p taking two values", () => {
    const o = parseRunArgs([
      "-p",
      "steps",
      "200",
      "in.ipynb",
      "--kernel",
      "python3",
      "--cwd=/tmp",
      "--execution-timeout",
      "30",
      "--start-timeout",
      "5",
      "--log-output",
      "--prepare-only",
      "-p",
      "name",
      "out.ipynb",
      "out.ipynb",
    ]);
    expect(o).toMatchObject({
      input: "in.ipynb",
      output: "out.ipynb",
      kernelName: "python3",
      cwd: "/tmp",
      executionTimeoutS: 30,
      startTimeoutS: 5,
      logOutput: true,
      prepareOnly: true,
      parameters: { steps: 200, name: "out.ipynb" },
    });
  });

  it("rejects unknown flags, missing values and bad timeouts", () => {
    expect(() => parseRunArgs(["in.ipynb", "--bogus"])).toThrow(/unknown option --bogus/);
    expect(() => parseRunArgs(["in.ipynb", "-p", "steps"])).toThrow(/-p needs a value/);
    expect(() => parseRunArgs(["in.ipynb", "--execution-timeout", "0"])).toThrow(/positive/);
    expect(() => parseRunArgs([])).toThrow(/usage/);
  });
});

describe("injected-parameters cell placement", () => {
  it("goes right after the cell tagged parameters", () => {
    const nb = notebook([code("import x"), code("let steps = 10;", ["parameters"]), code("run()")]);
    const r = injectParameters(nb, { steps: 20 }, "typescript", "nb.ipynb");
    expect(r).toEqual({ index: 2, placement: "after-parameters" });
    expect(nb.cells.map((c) => c.source)).toEqual([
      "import x",
      "let steps = 10;",
      "// Parameters\nlet steps = 20;\n",
      "run()",
    ]);
    expect(nb.cells[2]!.metadata.tags).toEqual(["injected-parameters"]);
  });

  it("replaces the injected cell of an earlier run", () => {
    const nb = notebook([
      code("let steps = 10;", ["parameters"]),
      code("let steps = 20;", ["injected-parameters"]),
      code("run()"),
    ]);
    const r = injectParameters(nb, { steps: 30 }, "typescript", "nb.ipynb");
    expect(r.placement).toBe("replaced");
    expect(nb.cells).toHaveLength(3);
    expect(nb.cells[1]!.source).toBe("// Parameters\nlet steps = 30;\n");
  });

  it("goes first, with a warning, when no cell is tagged parameters", () => {
    const nb = notebook([code("run()")]);
    const r = injectParameters(nb, { steps: 30 }, "python", "nb.ipynb");
    expect(r.placement).toBe("first");
    expect(r.warning).toMatch(/nb\.ipynb: no cell tagged "parameters"/);
    expect(nb.cells[0]!.source).toBe("# Parameters\nsteps = 30\n");
  });

  it("refuses a language it cannot write", () => {
    expect(() => injectParameters(notebook([]), { a: 1 }, "julia", "nb.ipynb")).toThrow(
      /nb\.ipynb: cannot write parameters for kernel language "julia"/,
    );
  });
});
