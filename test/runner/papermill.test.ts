// The real papermill (PyPI, in the project's venv) with our plugin: the translator it registers
// and the injected TypeScript cell for `-k splatbook`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Notebook } from "../../src/runner/notebook.js";
import { installPythonPackage, uninstallPythonPackage } from "../../src/cli/pythonPackage.js";
import { code, ensurePythonPackage, ROOT, splatbookNotebook, VENV } from "./helpers.js";

const python = join(VENV, "bin", "python");

beforeAll(async () => {
  await ensurePythonPackage(python);
}, 120_000);

function py(script: string): string {
  const r = spawnSync(python, ["-c", script], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

/** A TypeScript notebook for the splatbook kernel with a parameters cell. */
function tsNotebook(): string {
  const dir = mkdtempSync(join(tmpdir(), "runner-pm-"));
  const nb = splatbookNotebook([
    {
      ...code('let steps: number = 3000; // training steps\nlet input = "captures/a";', [
        "parameters",
      ]),
      id: "p1",
    },
    { ...code("console.log(steps);"), id: "c1" },
  ]);
  const path = join(dir, "in.ipynb");
  writeFileSync(path, JSON.stringify(nb));
  return path;
}

describe("papermill TypeScript translator plugin", () => {
  it("is found by kernel name and by language, and writes TypeScript literals", () => {
    const out = py(`
import papermill.engines  # loads the plugin through its papermill.engine entry point
from papermill.translators import papermill_translators as t
assert t.find_translator("splatbook", "whatever") is t.find_translator("other", "typescript")
print(t.find_translator("splatbook", None).codify({
  "steps": 100, "lr": 1.5e-3, "name": 'a "q"\\n\\u00e9', "none": None, "flag": False,
  "sizes": [1, 2.5], "cfg": {"a": {"b": True}}, "inf": float("inf")}), end="")
`);
    expect(out).toBe(
      [
        "// Parameters",
        "let steps = 100;",
        "let lr = 0.0015;",
        'let name = "a \\"q\\"\\né";',
        "let none = null;",
        "let flag = false;",
        "let sizes = [1, 2.5];",
        'let cfg = {"a": {"b": true}};',
        "let inf = Infinity;",
        "",
      ].join("\n"),
    );
  });

  it("papermill -k splatbook -p steps 100 injects a TypeScript cell and infers parameters", () => {
    const input = tsNotebook();
    const output = input.replace(/in\.ipynb$/, "out.ipynb");
    const papermill = join(VENV, "bin", "papermill");
    const r = spawnSync(
      papermill,
      [input, output, "-k", "splatbook", "-p", "steps", "100", "--prepare-only"],
      {
        encoding: "utf8",
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const nb = JSON.parse(readFileSync(output, "utf8")) as Notebook;
    const injected = nb.cells[1]!;
    expect(injected.metadata.tags).toEqual(["injected-parameters"]);
    expect([injected.source].flat().join("")).toBe("// Parameters\nlet steps = 100;\n");
    expect(nb.metadata.papermill!.parameters).toEqual({ steps: 100 });

    const help = spawnSync(papermill, ["--help-notebook", input, "-k", "splatbook"], {
      encoding: "utf8",
    });
    expect(help.stdout).toMatch(/steps: number \(default 3000\)\s+training steps/);
    expect(help.stdout).toMatch(/input: Unknown type \(default "captures\/a"\)/);
  });

  it("installs editable into a fresh venv with its entry points, and uninstalls", async () => {
    // A separate venv, so removing the package cannot disturb tests using the project's venv. It
    // has no build backend, so pip fetches hatchling into an isolated build environment.
    const venv = join(mkdtempSync(join(tmpdir(), "runner-venv-")), "v");
    const made = spawnSync(python, ["-m", "venv", venv], { encoding: "utf8" });
    expect(made.status, made.stderr).toBe(0);
    const vpy = join(venv, "bin", "python");
    await installPythonPackage(vpy);
    const eps = spawnSync(
      vpy,
      [
        "-c",
        "from importlib.metadata import entry_points as e\nfor g in ('papermill.engine','papermill.translators'):\n  print(g, sorted((x.name, x.value) for x in e(group=g)))\nimport importlib.util as u\nprint(u.find_spec('splatbook_jupyter').origin)",
      ],
      { encoding: "utf8" },
    );
    expect(eps.stdout).toBe(
      "papermill.engine [('splatbook', 'splatbook_jupyter.papermill_plugin:SplatbookEngine')]\n" +
        "papermill.translators [('splatbook', 'splatbook_jupyter.papermill_plugin:TypeScriptTranslator'), ('typescript', 'splatbook_jupyter.papermill_plugin:TypeScriptTranslator')]\n" +
        `${join(ROOT, "kernel", "python", "splatbook_jupyter", "__init__.py")}\n`,
    );
    // Editable: no shared data (kernelspec, lab extension, server config) in the environment.
    expect(existsSync(join(venv, "share", "jupyter"))).toBe(false);
    expect(existsSync(join(venv, "etc", "jupyter"))).toBe(false);
    await installPythonPackage(vpy); // idempotent
    expect(await uninstallPythonPackage(vpy)).toEqual(["splatbook-jupyter"]);
    expect(await uninstallPythonPackage(vpy)).toEqual([]);
    const gone = spawnSync(vpy, ["-c", "import splatbook_jupyter"], { encoding: "utf8" });
    expect(gone.status).not.toBe(0);
  }, 300_000);
});
