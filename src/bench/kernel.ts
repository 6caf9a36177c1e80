/**
 * `npm run bench:kernel`: kernel cold start (spawn → kernel_info_reply, → first cell, splatbook
 * import), the cost of a loop over a variable shared across cells, then the example notebook run
 * twice through the headless runner — a fresh kernel each time, as after a restart — and the
 * cached rerun's time including kernel start.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startKernel } from "../jupyter/kernelProcess.js";
import { measureKernelColdStart } from "../kernel/coldStart.js";
import { splatbookKernelSpec } from "../kernel/kernelspecInstall.js";
import { runNotebook } from "../runner/index.js";

const runs = Number(process.env.BENCH_RUNS ?? 3);
const result = await measureKernelColdStart({ runs });
console.log(`kernel cold start (median of ${result.runs} runs):`);
console.log(`  spawn -> kernel_info_reply   ${result.kernelInfoMs} ms`);
console.log(`  spawn -> first cell reply    ${result.firstCellMs} ms`);
console.log(`  import from "splatbook" cell ${result.splatbookImportMs} ms`);

/**
 * Nanoseconds per iteration of `total += i` over a variable an earlier cell declared, and over a
 * variable local to the cell, in one kernel: shared names go through the kernel's shared scope.
 */
async function sharedVariableLoop(iterations: number) {
  const k = await startKernel({ spec: await splatbookKernelSpec() });
  try {
    await k.execute("let total = 0;");
    const code = `const t0 = performance.now();
for (let i = 0; i < ${iterations}; i++) total += i;
const t1 = performance.now();
{ let local = 0; for (let i = 0; i < ${iterations}; i++) local += i; total += local - local; }
[(t1 - t0) * 1e6 / ${iterations}, (performance.now() - t1) * 1e6 / ${iterations}]`;
    const r = await k.execute(code);
    const text = r.outputs.find((m) => m.header.msg_type === "execute_result")?.content.data;
    const [shared, local] = JSON.parse(String(text?.["text/plain"]).replace(/\s/g, "")) as number[];
    return { shared: shared!, local: local! };
  } finally {
    await k.shutdown();
  }
}

const loopIterations = Number(process.env.BENCH_LOOP ?? 1e6);
const loop = await sharedVariableLoop(loopIterations);
console.log(`loop over a variable of an earlier cell (${loopIterations} iterations):`);
console.log(`  shared variable              ${loop.shared.toFixed(1)} ns/iteration`);
console.log(`  cell-local variable          ${loop.local.toFixed(1)} ns/iteration`);
console.log(`  ratio shared / local         ${(loop.shared / loop.local).toFixed(1)}`);

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
