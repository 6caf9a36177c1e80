import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startKernel, type RunningKernel } from "../../src/jupyter/kernelProcess.js";
import { splatbookKernelSpec } from "../../src/kernel/kernelspecInstall.js";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The compiled kernel entry the tests launch. */
export const KERNEL_MAIN = join(ROOT, "lib", "kernel", "main.js");

/** Builds lib/ once for all kernel test files (serialised with flock). */
export function ensureKernelBuilt(): void {
  const r = spawnSync(
    "flock",
    [
      "/tmp/splatbook-kernel-build.lock",
      process.execPath,
      join(ROOT, "test", "kernel", "build-kernel.mjs"),
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`kernel build failed:\n${r.stderr}`);
}

/**
 * Starts the compiled kernel (lib/kernel/main.js, built from the current sources) in `cwd`,
 * with the kernelspec `splatbook install` would write. Shut it down with `shutdown()`.
 */
export async function launchTestKernel(cwd?: string): Promise<RunningKernel> {
  const spec = await splatbookKernelSpec({ packageRoot: ROOT, kernelMain: KERNEL_MAIN });
  return startKernel({ spec, cwd });
}
