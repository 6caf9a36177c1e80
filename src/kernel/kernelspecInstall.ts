/**
 * Installing the `splatbook` kernelspec: where it is written and how it is removed (finding
 * installed kernelspecs is src/jupyter/kernelspecs.ts). Locations follow `jupyter --paths`: the
 * user data dir, `sys.prefix/share/jupyter` of the Python that runs Jupyter, or an explicit
 * prefix.
 */
import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SplatbookError } from "../util/errors.js";
import type { KernelSpec } from "../jupyter/kernelspecs.js";
import { jupyterDataDir, searchedDataDirs, type InstallScope } from "../jupyter/paths.js";

/** The kernel name users select (`--kernel splatbook`, `-k splatbook`). */
export const KERNEL_NAME = "splatbook";

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

/**
 * kernel.json for a kernel run from this package's folder: kernel/kernel.json (the Python
 * package's kernelspec, whose argv starts its launcher) with argv replaced by `node
 * <kernelMain> {connection_file}`, so a clone's kernelspec needs no Python package and no
 * `splatbook` on PATH.
 */
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
  const spec = JSON.parse(template) as Record<string, unknown>;
  spec.argv = [node, kernelMain, "{connection_file}"];
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
