import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Notebook, NotebookCell } from "../../src/runner/notebook.js";
import { runTsc } from "../engine/helpers.js";
import { installKernelSpec } from "../../src/kernel/kernelspecInstall.js";
import { ensureKernelBuilt } from "../kernel/helpers.js";
import { installPythonPackage } from "../../src/cli/pythonPackage.js";

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, "..", "..");
/** The project's venv (ipykernel, papermill, nbconvert). */
export const VENV = join(ROOT, ".venv");
/** Jupyter data dir holding the venv's python3 kernelspec. */
export const VENV_DATA = join(VENV, "share", "jupyter");

/** A code cell. */
export function code(source: string, tags?: string[]): NotebookCell {
  return {
    cell_type: "code",
    source,
    metadata: tags ? { tags } : {},
    outputs: [],
    execution_count: null,
  };
}

/** A markdown cell. */
export function markdown(source: string): NotebookCell {
  return { cell_type: "markdown", source, metadata: {} };
}

/** A notebook (nbformat 4.5) of `cells` for the splatbook kernel, named as kernel/kernel.json names it. */
export function splatbookNotebook(cells: NotebookCell[]): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: {
        name: "splatbook",
        display_name: "TypeScript (splatbook)",
        language: "typescript",
      },
      language_info: { name: "typescript" },
    },
    cells,
  };
}

/** Writes a notebook for `kernel` into a fresh temp dir; returns its path. */
export function writeTestNotebook(
  cells: NotebookCell[],
  kernel = "python3",
  language = "python",
): string {
  const dir = mkdtempSync(join(tmpdir(), "runner-nb-"));
  const nb: Notebook = {
    nbformat: 4,
    nbformat_minor: 4,
    metadata: { kernelspec: { name: kernel, display_name: kernel, language } },
    cells,
  };
  const path = join(dir, "in.ipynb");
  writeFileSync(path, JSON.stringify(nb, null, 1));
  return path;
}

/** Where {@link buildRunnerCli} puts the compiled test CLI. */
export const CLI_OUT = join(ROOT, "node_modules", ".cache", "splatbook-runner-test");

/** Compiles `entry` (and what it imports) with tsc into `outDir`, as an ES module package. */
function compile(entry: string, outDir: string): void {
  const r = runTsc(entry, outDir, '{"type":"module","version":"0.0.0-test"}\n');
  if (r.status !== 0) throw new Error(`tsc failed: ${r.stdout}${r.stderr}`);
}

/**
 * Compiles test/runner/fixtures/cli.ts (the `run` command on a bare commander program) with tsc,
 * so tests can spawn and kill a real runner process. Returns the entry script.
 */
export function buildRunnerCli(): string {
  compile(join(ROOT, "test", "runner", "fixtures", "cli.ts"), CLI_OUT);
  const entry = join(CLI_OUT, "test", "runner", "fixtures", "cli.js");
  if (!existsSync(entry)) throw new Error(`no ${entry}`);
  return entry;
}

/** Validates notebooks with the real nbformat (the venv's); throws with its message if invalid. */
export function assertValidNotebook(...paths: string[]): void {
  const r = spawnSync(
    join(VENV, "bin", "python"),
    [
      "-c",
      "import nbformat,sys\nfor p in sys.argv[1:]: nbformat.validate(nbformat.read(p, as_version=4))",
      ...paths,
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0)
    throw new Error(
      `nbformat rejects ${paths.join(", ")}: ${r.stderr.trim().split("\n").slice(-5).join("\n")}`,
    );
}

/**
 * A fresh Jupyter data dir holding the `splatbook` kernelspec, installed the way
 * `splatbook install --prefix` does, for the kernel built from the current sources (lib/ is
 * built first). Throws when either step fails, so a suite using it fails rather than skips.
 */
export async function splatbookKernelDataDir(): Promise<string> {
  ensureKernelBuilt();
  const prefix = mkdtempSync(join(tmpdir(), "runner-splatbook-ks-"));
  await installKernelSpec({ scope: { kind: "prefix", prefix }, packageRoot: ROOT });
  return join(prefix, "share", "jupyter");
}

/**
 * The clone's Python package (splatbook-jupyter: papermill translator, server extension) in
 * `python`'s environment: .ci/setup installs it editable; installed here only when missing, so a
 * test never reinstalls it under another test that is using it.
 */
export async function ensurePythonPackage(python: string): Promise<void> {
  const probe = spawnSync(python, ["-c", "import splatbook_jupyter.papermill_plugin"]);
  if (probe.status !== 0) await installPythonPackage(python);
}
