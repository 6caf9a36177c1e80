import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";
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

/**
 * One kernel for the calling describe block: built and started before its tests, in a fresh
 * folder with no node_modules (`splatbook` and `tslab` must resolve without a local install),
 * shut down and removed after them. Returns an accessor for the running kernel.
 */
export function kernelForSuite(): () => RunningKernel {
  let kernel: RunningKernel | undefined;
  let cwd: string | undefined;
  beforeAll(async () => {
    ensureKernelBuilt();
    cwd = mkdtempSync(join(tmpdir(), "splatbook-notebook-"));
    kernel = await launchTestKernel(cwd);
  });
  afterAll(async () => {
    await kernel?.shutdown();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });
  return () => {
    if (!kernel) throw new Error("the suite's kernel did not start");
    return kernel;
  };
}
