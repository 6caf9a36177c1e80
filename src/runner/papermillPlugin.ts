import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SplatbookError } from "../util/errors.js";
import { runTool } from "../util/exec.js";

/** The folder of the `splatbook-papermill` Python package (kernel/python in the package root). */
export function papermillPluginDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "kernel", "python");
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
  if (result.code !== 0) {
    const tail = (result.stderr || result.stdout).trim().split("\n").slice(-3).join(" | ");
    throw new SplatbookError(`pip install ${dir} with ${venvPython} failed: ${tail}`);
  }
}
