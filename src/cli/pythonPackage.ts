/**
 * The Python package splatbook-jupyter (pyproject.toml; sources in kernel/python/splatbook_jupyter)
 * in developer mode: `splatbook install` in a clone installs it editable into the Python that runs
 * Jupyter, which brings the server extension's module and papermill's TypeScript translator (an
 * entry point). An editable install carries no shared data: the kernelspec, the lab extension and
 * the server extension's config are the other install steps, written where the scope says.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { findJupyter } from "../jupyter/paths.js";
import { defaultPackageRoot } from "../kernel/kernelspecInstall.js";
import { SplatbookError } from "../util/errors.js";
import { runTool, type ToolResult } from "../util/exec.js";

/** The distribution name on PyPI and in pip. */
export const PYTHON_DIST = "splatbook-jupyter";
/** Its one import package: server extension, papermill plugin, kernel launcher. */
export const PYTHON_MODULE = "splatbook_jupyter";
/** The distribution the Python parts had before they were one package (removed when found). */
const LEGACY_DISTS = ["splatbook-papermill"];
/** The build backend pyproject.toml names, as modules. */
const BUILD_BACKEND = ["hatchling", "hatch_jupyter_builder", "hatch_nodejs_version"];

/**
 * Whether `root` is a clone (it holds the Python package's sources and pyproject.toml) rather
 * than the npm package, which ships neither: the Jupyter side of an npm install is the wheel.
 */
export function isClone(root = defaultPackageRoot()): boolean {
  return (
    existsSync(join(root, "pyproject.toml")) &&
    existsSync(join(root, "kernel", "python", PYTHON_MODULE, "__init__.py"))
  );
}

/** The Python next to the `jupyter` that `splatbook install` targets (the project's .venv first). */
export function jupyterPython(): string | undefined {
  const jupyter = findJupyter();
  const python = jupyter ? join(dirname(jupyter), "python") : undefined;
  return python && existsSync(python) ? python : undefined;
}

function pipFailure(what: string, python: string, out: ToolResult) {
  const tail = (out.stderr || out.stdout).trim().split("\n").slice(-3).join(" | ");
  return new SplatbookError(`${what} with ${python} failed: ${tail}`);
}

/**
 * Installs the clone's Python package editable into `python` (idempotent). With the build backend
 * already in that environment (the project's .venv has it) pip builds offline; otherwise pip
 * fetches the backend from the package index into an isolated build environment.
 */
export async function installPythonPackage(
  python: string,
  root = defaultPackageRoot(),
): Promise<void> {
  const offline = (await runTool(python, ["-c", `import ${BUILD_BACKEND.join(", ")}`])).code === 0;
  const result = await runTool(
    python,
    [
      ...["-m", "pip", "install", "--quiet", "--disable-pip-version-check"],
      ...["--no-deps", "--force-reinstall"],
      ...(offline ? ["--no-build-isolation", "--no-index"] : []),
      ...["--editable", root],
    ],
    // The lab extension is not part of an editable install: no npm build for it here.
    { env: { ...process.env, HATCH_JUPYTER_BUILDER_SKIP_NPM: "1" } },
  );
  if (result.code !== 0) throw pipFailure(`pip install --editable ${root}`, python, result);
}

/** Removes the package (and its legacy name) from `python`; returns the names removed. */
export async function uninstallPythonPackage(
  python: string,
  dists = [PYTHON_DIST, ...LEGACY_DISTS],
): Promise<string[]> {
  const removed: string[] = [];
  for (const dist of dists) {
    const shown = await runTool(python, ["-m", "pip", "show", "--quiet", dist]);
    if (shown.code !== 0) continue;
    const args = ["-m", "pip", "uninstall", "--yes", "--quiet", "--disable-pip-version-check"];
    const result = await runTool(python, [...args, dist]);
    if (result.code !== 0) throw pipFailure(`pip uninstall ${dist}`, python, result);
    removed.push(dist);
  }
  return removed;
}

/** The install step (shape of install.ts's InstallStep) for the Python that runs Jupyter. */
export const pythonPackageStep = {
  name: "Python package",
  async install(): Promise<string> {
    const python = jupyterPython();
    if (!python) return `${PYTHON_DIST} skipped: no Jupyter Python found (.venv or PATH)`;
    const legacy = await uninstallPythonPackage(python, LEGACY_DISTS);
    await installPythonPackage(python);
    const env = dirname(dirname(python));
    const note = legacy.length ? ` (replacing ${legacy.join(", ")})` : "";
    return `${PYTHON_DIST} (server extension, papermill translator) installed editable from ${defaultPackageRoot()} into ${env}${note}`;
  },
  async uninstall(): Promise<string[]> {
    const python = jupyterPython();
    if (!python) return [];
    const env = dirname(dirname(python));
    return (await uninstallPythonPackage(python)).map((d) => `${d} removed from ${env}`);
  },
};
