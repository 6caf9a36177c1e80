/**
 * `npm run bench:train`: splat-pixel peak of the current adapter vs the trainer's
 * forward+backward throughput, steps/s, per-phase times and peak memory. Sizes can be changed
 * with BENCH_SPLATS, BENCH_WIDTH, BENCH_HEIGHT, BENCH_STEPS.
 */
import { acquireGpu } from "../gpu/device.js";
import { measureBruteForcePeak, measureTraining } from "../train/gpu/benchmark.js";

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);

async function main(): Promise<void> {
  const gpu = await acquireGpu({ log: { info: console.log, warn: console.warn, debug: () => {} } });
  const width = env("BENCH_WIDTH", 160);
  const height = env("BENCH_HEIGHT", 120);
  // The peak is measured before and after the training run and the higher figure is used, so a
  // busy moment on a shared machine cannot inflate the ratio.
  const before = await measureBruteForcePeak(gpu, 2048, width, height);
  const t = await measureTraining(
    gpu,
    env("BENCH_SPLATS", 30_000),
    width,
    height,
    env("BENCH_STEPS", 10),
  );
  const after = await measureBruteForcePeak(gpu, 2048, width, height);
  const peak = before.evalsPerSecond >= after.evalsPerSecond ? before : after;
  console.log(
    `brute-force peak: ${(peak.evalsPerSecond / 1e9).toFixed(3)} G splat-pixel evals/s ` +
      `(${peak.splats} splats × ${width}×${height} px in ${peak.ms.toFixed(1)} ms; ` +
      `before/after the run: ${(before.evalsPerSecond / 1e9).toFixed(3)}/${(after.evalsPerSecond / 1e9).toFixed(3)})`,
  );
  const g = (x: number) => (x / 1e9).toFixed(3);
  console.log(
    `training: ${t.splats} splats at ${t.width}×${t.height}, ${t.instancesPerStep} tile instances/step`,
  );
  console.log(
    `  evals/step forward ${t.evalsPerStep[0]}, backward ${t.evalsPerStep[1]}; ` +
      `${g(t.evalsPerSecond)} G evals/s = ${(t.evalsPerSecond / peak.evalsPerSecond).toFixed(2)} × peak`,
  );
  console.log(`  steps/s: ${t.stepsPerSecond.toFixed(2)}`);
  const phases = Object.entries(t.phaseMs).map(([k, v]) => `${k} ${v.toFixed(2)}`);
  console.log(`  ms per phase (${t.timing}): ${phases.join(", ")}; densify: CPU, in the trainer`);
  console.log(
    `  peak memory: GPU buffers ${(t.gpuPeakBytes / 2 ** 20).toFixed(1)} MiB, RSS ${(t.rssBytes / 2 ** 20).toFixed(0)} MiB`,
  );
  gpu.destroy();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
