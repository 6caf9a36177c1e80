/**
 * The JupyterLab parts of `splatbook install`: the prebuilt lab extension (copied into
 * `<data dir>/labextensions/`), the server extension's enabling config (in
 * `<config dir>/jupyter_server_config.d/`), and a CommonJS marker for a Jupyter environment that
 * lives inside an ES-module package (the project's own `.venv`).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cp, mkdir, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { defaultPackageRoot } from "../kernel/kernelspecInstall.js";
import { PYTHON_MODULE } from "./pythonPackage.js";
import {
  findJupyter,
  jupyterDataDir,
  searchedDataDirs,
  type InstallScope,
} from "../jupyter/paths.js";

/** The lab extension's npm name: its folder under `labextensions/`. */
export const LAB_EXTENSION_NAME = "splatbook-labextension";
/** The Python module of the server extension (kernel/python/splatbook_jupyter). */
export const SERVER_EXTENSION_MODULE = PYTHON_MODULE;
/** The enabling config, named as the wheel names it (kernel/python/jupyter-config). */
const SERVER_CONFIG_FILE = `${PYTHON_MODULE}.json`;
/** The config file of the module's name before the Python parts became one package. */
const LEGACY_SERVER_CONFIG_FILE = "splatbook_server.json";
const MARKER = "splatbook: Jupyter's Node scripts here are CommonJS";

/** The built extension (`npm run build:labextension`, run by .ci/setup). */
export function builtLabExtension(packageRoot = defaultPackageRoot()): string {
  return join(packageRoot, "labextension", "splatbook_labextension");
}

function jupyterOutput(args: string[]): string | undefined {
  const jupyter = findJupyter();
  if (!jupyter) return undefined;
  const r = spawnSync(jupyter, args, { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The Jupyter config folder of a scope (`etc/jupyter` beside a prefix's `share/jupyter`). */
export function jupyterConfigDir(scope: InstallScope): string {
  if (scope.kind === "user") {
    return (
      jupyterOutput(["--config-dir"]) ??
      process.env.JUPYTER_CONFIG_DIR ??
      join(homedir(), ".jupyter")
    );
  }
  return resolve(jupyterDataDir(scope), "..", "..", "etc", "jupyter");
}

/** Copies the prebuilt extension and install.json; returns the line for the user. */
export async function installLabExtension(scope: InstallScope): Promise<string> {
  const source = builtLabExtension();
  if (!existsSync(join(source, "package.json"))) {
    return `lab extension skipped: ${source} is not built (run npm run build:labextension)`;
  }
  const dest = join(jupyterDataDir(scope), "labextensions", LAB_EXTENSION_NAME);
  await rm(dest, { recursive: true, force: true });
  await mkdir(dirname(dest), { recursive: true });
  await cp(source, dest, { recursive: true });
  // What `jupyter labextension list` shows as its origin and how to remove it (the wheel's own
  // install.json names the Python package instead).
  const origin = {
    packageManager: "npm",
    packageName: "splatbook",
    uninstallInstructions: `Developer install from ${defaultPackageRoot()}: run \`npx splatbook uninstall\` there`,
  };
  await writeFile(join(dest, "install.json"), JSON.stringify(origin, null, 2) + "\n");
  return `lab extension ${LAB_EXTENSION_NAME} installed in ${dest}`;
}

/** Removes the extension from the scope's data dir, or from every data dir Jupyter searches. */
export async function uninstallLabExtension(scope: InstallScope | undefined): Promise<string[]> {
  const dirs = scope ? [jupyterDataDir(scope)] : searchedDataDirs();
  const removed: string[] = [];
  for (const data of dirs) {
    const dest = join(data, "labextensions", LAB_EXTENSION_NAME);
    if (!existsSync(join(dest, "package.json"))) continue;
    await rm(dest, { recursive: true, force: true });
    removed.push(`lab extension removed from ${dest}`);
  }
  return removed;
}

/** Enables the server extension in the scope's config dir. */
export async function enableServerExtension(scope: InstallScope): Promise<string> {
  const dir = join(jupyterConfigDir(scope), "jupyter_server_config.d");
  await mkdir(dir, { recursive: true });
  const config = { ServerApp: { jpserver_extensions: { [SERVER_EXTENSION_MODULE]: true } } };
  await writeFile(join(dir, SERVER_CONFIG_FILE), JSON.stringify(config, null, 2) + "\n");
  await rm(join(dir, LEGACY_SERVER_CONFIG_FILE), { force: true });
  const note =
    scope.kind === "prefix"
      ? ` (its Python module must be importable there: pip install --editable ${defaultPackageRoot()})`
      : "";
  return `server extension ${SERVER_EXTENSION_MODULE} enabled in ${dir}${note}`;
}

/** Removes the enabling config from the scope's, or every searched, config dir. */
export async function disableServerExtension(scope: InstallScope | undefined): Promise<string[]> {
  let dirs: string[];
  if (scope) dirs = [jupyterConfigDir(scope)];
  else {
    const paths = jupyterOutput(["--paths", "--json"]);
    dirs = paths ? (JSON.parse(paths) as { config: string[] }).config : [];
  }
  const removed: string[] = [];
  for (const dir of dirs) {
    for (const name of [SERVER_CONFIG_FILE, LEGACY_SERVER_CONFIG_FILE]) {
      const file = join(dir, "jupyter_server_config.d", name);
      if (!existsSync(file)) continue;
      await rm(file, { force: true });
      removed.push(`server extension disabled in ${dirname(file)} (${name} removed)`);
    }
  }
  return removed;
}

/** The nearest package.json above `dir` (inclusive) and whether it declares ES modules. */
function enclosingPackageType(dir: string): { file: string; esm: boolean } | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const file = join(d, "package.json");
    if (existsSync(file)) {
      try {
        return {
          file,
          esm: (JSON.parse(readFileSync(file, "utf8")) as { type?: string }).type === "module",
        };
      } catch {
        return { file, esm: false };
      }
    }
    if (dirname(d) === d) return undefined;
  }
}

/**
 * JupyterLab runs CommonJS Node scripts from its site-packages (node-version-check.js,
 * jupyter_builder's yarn.js). Inside a `"type": "module"` package, such as this project with its
 * `.venv`, Node loads them as ES modules and they crash. A `{"type": "commonjs"}` package.json at
 * the environment's root scopes them back; returns a line when one was written.
 */
export async function scopeJupyterNodeScripts(): Promise<string | undefined> {
  const jupyter = findJupyter();
  if (!jupyter) return undefined;
  const prefix = dirname(dirname(jupyter));
  const found = enclosingPackageType(prefix);
  if (!found?.esm) return undefined;
  const marker = join(prefix, "package.json");
  await writeFile(
    marker,
    JSON.stringify({ type: "commonjs", description: MARKER }, null, 2) + "\n",
  );
  return `${marker} written: JupyterLab's Node scripts there run as CommonJS`;
}
