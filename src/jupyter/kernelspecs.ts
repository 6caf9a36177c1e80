/**
 * Installed kernelspecs, the way jupyter_client finds them: the Jupyter data directories, each
 * `<data dir>/kernels/<name>/kernel.json`, and the command line a kernelspec launches.
 */
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { SplatbookError } from "../util/errors.js";
import { jupyterDataPaths } from "./paths.js";

/** A kernelspec read from `<data dir>/kernels/<name>/kernel.json`. */
export interface KernelSpec {
  name: string;
  /** The folder holding kernel.json (`{resource_dir}` in argv). */
  resourceDir: string;
  argv: string[];
  displayName: string;
  language: string;
  /** "signal" (SIGINT to the kernel process) or "message" (interrupt_request on control). */
  interruptMode: "signal" | "message";
  env: Record<string, string>;
}

/** Reads one kernelspec folder; errors name the kernel.json and the cause. */
export async function readKernelSpec(name: string, resourceDir: string): Promise<KernelSpec> {
  const file = join(resourceDir, "kernel.json");
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  } catch (err) {
    throw new SplatbookError(`${file}: cannot read kernelspec (${(err as Error).message})`, {
      file,
    });
  }
  const argv = raw.argv;
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => typeof a === "string")) {
    throw new SplatbookError(`${file}: kernelspec has no argv list`, { file });
  }
  return {
    name,
    resourceDir,
    argv: argv as string[],
    displayName: typeof raw.display_name === "string" ? raw.display_name : name,
    language: typeof raw.language === "string" ? raw.language : "",
    interruptMode: raw.interrupt_mode === "message" ? "message" : "signal",
    env: (raw.env ?? {}) as Record<string, string>,
  };
}

/** Lists kernelspec names → folders across the data paths (first one found wins). */
export async function listKernelSpecs(
  dataPaths: string[] = jupyterDataPaths(),
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const dir of dataPaths) {
    let names: string[];
    try {
      names = await readdir(join(dir, "kernels"));
    } catch {
      continue;
    }
    for (const n of names.sort()) {
      const folder = join(dir, "kernels", n);
      if (!found.has(n.toLowerCase()) && existsSync(join(folder, "kernel.json"))) {
        found.set(n.toLowerCase(), folder);
      }
    }
  }
  return found;
}

/** Finds a kernelspec by name (case-insensitive, like jupyter_client). */
export async function findKernelSpec(
  name: string,
  dataPaths: string[] = jupyterDataPaths(),
): Promise<KernelSpec> {
  const specs = await listKernelSpecs(dataPaths);
  const folder = specs.get(name.toLowerCase());
  if (!folder) {
    const known = [...specs.keys()].join(", ") || "none";
    throw new SplatbookError(
      `no kernelspec named "${name}" (installed: ${known}; searched ${dataPaths.join(", ")})`,
    );
  }
  return readKernelSpec(name, folder);
}

/**
 * The command line for a kernel: placeholders filled in, and a bare `python`/`python3` resolved
 * to the interpreter of the prefix the kernelspec lives in (a venv's kernel must run the venv's
 * Python even when that venv is not activated).
 */
export function kernelCommand(spec: KernelSpec, connectionFile: string): string[] {
  const argv = spec.argv.map((a) =>
    a
      .replaceAll("{connection_file}", connectionFile)
      .replaceAll("{resource_dir}", spec.resourceDir),
  );
  if (argv[0] === "python" || argv[0] === "python3") {
    // <prefix>/share/jupyter/kernels/<name> → <prefix>/bin/python
    const prefix = resolve(spec.resourceDir, "..", "..", "..", "..");
    for (const exe of [argv[0], "python3", "python"]) {
      const candidate = join(prefix, "bin", exe);
      if (existsSync(candidate)) {
        argv[0] = candidate;
        break;
      }
    }
  }
  return argv;
}
