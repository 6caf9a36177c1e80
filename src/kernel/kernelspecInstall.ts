/**
 * Installing the `splatbook` kernelspec: where it is written and how it is removed (finding
 * installed kernelspecs is src/jupyter/kernelspecs.ts). Locations follow `jupyter --paths`: the
 * user data dir, `sys.prefix/share/jupyter` of the Python that runs Jupyter, or an explicit
 * prefix.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SplatbookError } from "../util/errors.js";
import { findJupyter, jupyterDataPaths, type KernelSpec } from "../jupyter/kernelspecs.js";

/** The kernel name users select (`--kernel splatbook`, `-k splatbook`). */
export const KERNEL_NAME = "splatbook";

/** Where to install: like `jupyter kernelspec install --user | --sys-prefix | --prefix P`. */
export type InstallScope =
  { kind: "user" } | { kind: "sys-prefix" } | { kind: "prefix"; prefix: string };

export interface KernelSpecOptions {
  scope: InstallScope;
  /** Package folder holding kernel/ and lib/ (default: this package). */
  packageRoot?: string;
  /** Node binary for argv[0] (default: the running one). */
  node?: string;
  env?: NodeJS.ProcessEnv;
}

/** This package's folder (src/kernel or lib/kernel → ../..). */
export function defaultPackageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): string | undefined {
  const r = spawnSync(cmd, args, { encoding: "utf8", env });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The Jupyter data folder (`…/share/jupyter` or the user dir) for a scope. */
export function jupyterDataDir(
  scope: InstallScope,
  packageRoot = defaultPackageRoot(),
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (scope.kind === "prefix") return join(resolve(scope.prefix), "share", "jupyter");
  const jupyter = findJupyter(packageRoot, env);
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

/** kernel.json content for this package: absolute node and kernel entry paths. */
export async function kernelSpecJson(
  packageRoot: string,
  node: string,
  kernelMain = join(packageRoot, "lib", "kernel", "main.js"),
): Promise<Record<string, unknown>> {
  const templateFile = join(packageRoot, "kernel", "kernel.json");
  let template: string;
  try {
    template = await readFile(templateFile, "utf8");
  } catch (err) {
    throw new SplatbookError(
      `${templateFile}: kernelspec template missing (${(err as Error).message})`,
      {
        file: templateFile,
      },
    );
  }
  const spec = JSON.parse(template) as { argv: string[] } & Record<string, unknown>;
  spec.argv = spec.argv.map((a) =>
    a === "{node}" ? node : a === "{kernel_main}" ? kernelMain : a,
  );
  return spec;
}

/**
 * The splatbook kernelspec as an installed copy would read, without installing it: tests and the
 * start-up bench launch the kernel at `kernelMain` (default: this package's lib/kernel/main.js).
 */
export async function splatbookKernelSpec(
  options: { packageRoot?: string; kernelMain?: string } = {},
): Promise<KernelSpec> {
  const root = options.packageRoot ?? defaultPackageRoot();
  const json = await kernelSpecJson(root, process.execPath, options.kernelMain);
  return {
    name: KERNEL_NAME,
    resourceDir: join(root, "kernel"),
    argv: json.argv as string[],
    displayName: String(json.display_name ?? KERNEL_NAME),
    language: String(json.language ?? "typescript"),
    interruptMode: json.interrupt_mode === "message" ? "message" : "signal",
    env: (json.env ?? {}) as Record<string, string>,
  };
}

/** Writes `<data dir>/kernels/splatbook/{kernel.json,logo-*.png}`; returns that folder. */
export async function installKernelSpec(options: KernelSpecOptions): Promise<string> {
  const root = options.packageRoot ?? defaultPackageRoot();
  const kernelMain = join(root, "lib", "kernel", "main.js");
  if (!existsSync(kernelMain)) {
    throw new SplatbookError(`${kernelMain}: kernel not built (run npm run build first)`, {
      file: kernelMain,
    });
  }
  const dir = join(jupyterDataDir(options.scope, root, options.env), "kernels", KERNEL_NAME);
  await mkdir(dir, { recursive: true });
  const spec = await kernelSpecJson(root, options.node ?? process.execPath);
  await writeFile(join(dir, "kernel.json"), JSON.stringify(spec, null, 2) + "\n");
  for (const logo of ["logo-32x32.png", "logo-64x64.png"]) {
    await copyFile(join(root, "kernel", logo), join(dir, logo));
  }
  return dir;
}

/**
 * Removes the kernelspec from the scope's data dir, or (no scope) from every data dir Jupyter
 * searches where it is present. Returns the folders removed.
 */
export async function uninstallKernelSpec(
  options: { scope?: InstallScope; packageRoot?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string[]> {
  const root = options.packageRoot ?? defaultPackageRoot();
  const env = options.env ?? process.env;
  const dataDirs = options.scope
    ? [jupyterDataDir(options.scope, root, env)]
    : searchedDataDirs(root, env);
  const removed: string[] = [];
  for (const data of dataDirs) {
    const dir = join(data, "kernels", KERNEL_NAME);
    if (!existsSync(join(dir, "kernel.json"))) continue;
    await rm(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

/** The data dirs `jupyter --paths` lists (or the standard ones when Jupyter is absent). */
export function searchedDataDirs(packageRoot = defaultPackageRoot(), env = process.env): string[] {
  const jupyter = findJupyter(packageRoot, env);
  const json = jupyter ? run(jupyter, ["--paths", "--json"], env) : undefined;
  if (json) {
    try {
      return (JSON.parse(json) as { data: string[] }).data;
    } catch {
      // fall through to the standard list
    }
  }
  return [
    ...new Set([jupyterDataDir({ kind: "user" }, packageRoot, env), ...jupyterDataPaths(env)]),
  ];
}
