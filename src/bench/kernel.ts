/**
 * `npm run bench:kernel`: kernel cold start (spawn → kernel_info_reply, → first cell, splatbook
 * import), then the example notebook run twice through the headless runner — a fresh kernel each
 * time, as after a restart — and the cached rerun's time including kernel start.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { measureKernelColdStart } from "../kernel/coldStart.js";
import { runNotebook } from "../runner/index.js";

const runs = Number(process.env.BENCH_RUNS ?? 3);
const result = await measureKernelColdStart({ runs });
console.log(`kernel cold start (median of ${result.runs} runs):`);
console.log(`  spawn -> kernel_info_reply   ${result.kernelInfoMs} ms`);
console.log(`  spawn -> first cell reply    ${result.firstCellMs} ms`);
console.log(`  import from "splatbook" cell ${result.splatbookImportMs} ms`);

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const notebook = process.env.BENCH_NOTEBOOK ?? join(repo, "notebooks", "video_to_splat.ipynb");
const steps = Number(process.env.BENCH_STEPS ?? 200);
const work = await mkdtemp(join(tmpdir(), "splatbook-bench-kernel-"));
try {
  const parameters = {
    input: join(work, "capture"),
    output: join(work, "output"),
    steps,
  };
  const first = await runNotebook({
    input: notebook,
    output: join(work, "first.ipynb"),
    parameters,
    cwd: work,
    progress: "none",
  });
  if (first.status !== "completed")
    throw new Error(`first run failed: ${JSON.stringify(first.failure)}`);
  const t0 = performance.now();
  const second = await runNotebook({
    input: notebook,
    output: join(work, "second.ipynb"),
    parameters,
    cwd: work,
    progress: "none",
  });
  const wall = (performance.now() - t0) / 1000;
  if (second.status !== "completed")
    throw new Error(`rerun failed: ${JSON.stringify(second.failure)}`);
  const text = JSON.stringify(second.notebook);
  const cachedMentions = (text.match(/cached — completed earlier/g) ?? []).length;
  console.log(`example notebook ${notebook} (steps ${steps}):`);
  console.log(`  first run                    ${first.durationS.toFixed(1)} s`);
  console.log(
    `  cached rerun, fresh kernel   ${wall.toFixed(2)} s wall (kernel start ${second.kernelStartS.toFixed(2)} s; goal ≤ 5 s)`,
  );
  console.log(`  stage calls reported cached  ${cachedMentions}`);
  console.log(`  ratio rerun / first run      ${(wall / first.durationS).toFixed(3)}`);
} finally {
  await rm(work, { recursive: true, force: true });
}
