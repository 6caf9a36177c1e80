/** Kernel start-up measurements for `npm run bench:kernel`. */
import { join } from "node:path";
import { startKernel } from "../jupyter/kernelProcess.js";
import { defaultPackageRoot, splatbookKernelSpec } from "./kernelspecInstall.js";

/** Median timings over several fresh kernel processes, in milliseconds. */
export interface KernelColdStart {
  runs: number;
  /** Process spawn → kernel_info_reply (what a frontend waits for before it shows "idle"). */
  kernelInfoMs: number;
  /** Process spawn → reply of the first trivial cell (`1 + 1`): includes building the compiler. */
  firstCellMs: number;
  /** The next cell, `import { SplatbookError } from "splatbook"`: loading splatbook's types. */
  splatbookImportMs: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/**
 * Starts the compiled kernel (lib/kernel/main.js) `runs` times in `cwd` and measures how long
 * each phase takes; every kernel is shut down afterwards.
 */
export async function measureKernelColdStart(
  options: { runs?: number; cwd?: string; packageRoot?: string } = {},
): Promise<KernelColdStart> {
  const runs = options.runs ?? 3;
  const packageRoot = options.packageRoot ?? defaultPackageRoot();
  const kernelMain = join(packageRoot, "lib", "kernel", "main.js");
  const spec = await splatbookKernelSpec({ packageRoot, kernelMain });
  const info: number[] = [];
  const first: number[] = [];
  const imports: number[] = [];
  for (let i = 0; i < runs; i++) {
    const spawned = performance.now();
    const k = await startKernel({ spec, cwd: options.cwd });
    try {
      info.push(k.kernelInfoMs);
      const a = await k.execute("1 + 1");
      if (a.reply?.content.status !== "ok") throw new Error("first cell failed");
      first.push(performance.now() - spawned);
      const t = performance.now();
      const b = await k.execute('import { SplatbookError } from "splatbook";\nSplatbookError.name');
      if (b.reply?.content.status !== "ok") {
        throw new Error(`importing splatbook failed: ${JSON.stringify(b.reply?.content)}`);
      }
      imports.push(performance.now() - t);
    } finally {
      await k.shutdown();
    }
  }
  return {
    runs,
    kernelInfoMs: Math.round(median(info)),
    firstCellMs: Math.round(median(first)),
    splatbookImportMs: Math.round(median(imports)),
  };
}
