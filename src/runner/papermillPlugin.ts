import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { findJupyter } from "../jupyter/paths.js";
import { SplatbookError } from "../util/errors.js";
import { runTool } from "../util/exec.js";

/** The Python distribution name of the plugin (kernel/python/pyproject.toml). */
export const PAPERMILL_PLUGIN_DIST = "splatbook-papermill";

/** The folder of the `splatbook-papermill` Python package (kernel/python in the package root). */
export function papermillPluginDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "kernel", "python");
}

function pipFailure(what: string, python: string, out: { stdout: string; stderr: string }) {
  const tail = (out.stderr || out.stdout).trim().split("\n").slice(-3).join(" | ");
  return new SplatbookError(`${what} with ${python} failed: ${tail}`);
}

/**
 * Installs the papermill TypeScript translator into a Python environment with its pip, offline
 * (`--no-index`; the package builds with a stdlib-only in-tree backend). Idempotent: reinstalls
 * over an earlier version. Throws SplatbookError with pip's last lines when it fails.
 */
export async function installPapermillPlugin(venvPython: string): Promise<void> {
  const dir = papermillPluginDir();
  if (!existsSync(join(dir, "pyproject.toml"))) {
    throw new SplatbookError(`${dir}: papermill plugin sources are missing`, { file: dir });
  }
  const result = await runTool(venvPython, [
    "-m",
    "pip",
    "install",
    "--quiet",
    "--disable-pip-version-check",
    "--no-build-isolation",
    "--no-deps",
    "--no-index",
    "--force-reinstall",
    dir,
  ]);
  if (result.code !== 0) throw pipFailure(`pip install ${dir}`, venvPython, result);
}

/** Removes the plugin from a Python environment; false when it was not installed. */
export async function uninstallPapermillPlugin(venvPython: string): Promise<boolean> {
  const shown = await runTool(venvPython, ["-m", "pip", "show", "--quiet", PAPERMILL_PLUGIN_DIST]);
  if (shown.code !== 0) return false;
  const result = await runTool(venvPython, [
    "-m",
    "pip",
    "uninstall",
    "--yes",
    "--quiet",
    "--disable-pip-version-check",
    PAPERMILL_PLUGIN_DIST,
  ]);
  if (result.code !== 0)
    throw pipFailure(`pip uninstall ${PAPERMILL_PLUGIN_DIST}`, venvPython, result);
  return true;
}

/** The Python next to the `jupyter` that `splatbook install` targets (the project's .venv first). */
export function jupyterPython(): string | undefined {
  const jupyter = findJupyter();
  const python = jupyter ? join(dirname(jupyter), "python") : undefined;
  return python && existsSync(python) ? python : undefined;
}

/**
 * The papermill step for `splatbook install` / `uninstall` (shape of install.ts's InstallStep:
 * push it onto `installSteps`). The plugin goes into the Python environment that runs Jupyter,
 * whatever the kernelspec scope, since papermill loads it from there.
 */
export const papermillInstallStep = {
  name: "papermill plugin",
  async install(): Promise<string> {
    const python = jupyterPython();
    if (!python) return "papermill plugin skipped: no Jupyter Python found (.venv or PATH)";
    await installPapermillPlugin(python);
    return `papermill TypeScript translator installed into ${dirname(dirname(python))}`;
  },
  async uninstall(): Promise<string[]> {
    const python = jupyterPython();
    if (!python || !(await uninstallPapermillPlugin(python))) return [];
    return [`papermill TypeScript translator removed from ${dirname(dirname(python))}`];
  },
};
