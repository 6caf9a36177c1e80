/**
 * Where Jupyter keeps things: the `jupyter` executable, the data directories it searches (in
 * `jupyter --paths` order) and the data directory of an install scope (`--user`,
 * `--sys-prefix`, `--prefix`). Shared by kernelspec lookup, the kernelspec install and the lab
 * extension install.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SplatbookError } from "../util/errors.js";

/** Where to install: like `jupyter kernelspec install --user | --sys-prefix | --prefix P`. */
export type InstallScope =
  { kind: "user" } | { kind: "sys-prefix" } | { kind: "prefix"; prefix: string };

/** The repository root (two levels above lib/jupyter or src/jupyter). */
function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
}

/** The `jupyter` executable: the project's .venv first, then PATH; undefined if none. */
export function findJupyter(root = packageRoot(), env = process.env): string | undefined {
  const candidates = [join(root, ".venv", "bin", "jupyter")];
  if (env.VIRTUAL_ENV) candidates.push(join(env.VIRTUAL_ENV, "bin", "jupyter"));
  for (const dir of (env.PATH ?? "").split(delimiter))
    if (dir) candidates.push(join(dir, "jupyter"));
  return candidates.find((c) => existsSync(c));
}

/**
 * Jupyter data directories in the order `jupyter --paths` lists them: JUPYTER_PATH, the user dir,
 * the active environment prefixes (VIRTUAL_ENV, CONDA_PREFIX, the project's .venv), then the
 * system dirs. Earlier entries win when two hold a kernel of the same name.
 */
export function jupyterDataPaths(env: NodeJS.ProcessEnv = process.env): string[] {
  const paths: string[] = [];
  for (const p of (env.JUPYTER_PATH ?? "").split(delimiter)) if (p) paths.push(p);
  paths.push(
    env.JUPYTER_DATA_DIR ??
      join(env.XDG_DATA_HOME ?? join(homedir(), ".local", "share"), "jupyter"),
  );
  for (const prefix of [env.VIRTUAL_ENV, env.CONDA_PREFIX, join(packageRoot(), ".venv")]) {
    if (prefix) paths.push(join(prefix, "share", "jupyter"));
  }
  paths.push("/usr/local/share/jupyter", "/usr/share/jupyter");
  return [...new Set(paths.map((p) => resolve(p)))];
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): string | undefined {
  const r = spawnSync(cmd, args, { encoding: "utf8", env });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The Jupyter data folder (`…/share/jupyter` or the user dir) for a scope. */
export function jupyterDataDir(
  scope: InstallScope,
  root = packageRoot(),
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (scope.kind === "prefix") return join(resolve(scope.prefix), "share", "jupyter");
  const jupyter = findJupyter(root, env);
  if (scope.kind === "user") {
    const reported = jupyter ? run(jupyter, ["--data-dir"], env) : undefined;
    return (
      reported ??
      env.JUPYTER_DATA_DIR ??
      join(env.XDG_DATA_HOME ?? join(homedir(), ".local", "share"), "jupyter")
    );
  }
  // sys.prefix of the Python next to the jupyter executable (a venv's bin/python).
  const python = jupyter ? join(dirname(jupyter), "python") : undefined;
  const prefix =
    (python && existsSync(python)
      ? run(python, ["-c", "import sys; print(sys.prefix)"], env)
      : undefined) ??
    env.VIRTUAL_ENV ??
    env.CONDA_PREFIX;
  if (!prefix) {
    throw new SplatbookError(
      "--sys-prefix: no Jupyter Python found (create .venv or activate an environment)",
    );
  }
  return join(prefix, "share", "jupyter");
}

/** The data dirs `jupyter --paths` lists (or the standard ones when Jupyter is absent). */
export function searchedDataDirs(root = packageRoot(), env = process.env): string[] {
  const jupyter = findJupyter(root, env);
  const json = jupyter ? run(jupyter, ["--paths", "--json"], env) : undefined;
  if (json) {
    try {
      return (JSON.parse(json) as { data: string[] }).data;
    } catch {
      // fall through to the standard list
    }
  }
  return [...new Set([jupyterDataDir({ kind: "user" }, root, env), ...jupyterDataPaths(env)])];
}
