/**
 * `npm run bench:train [-- options]`: the adapter's brute-force splat-pixel peak against the
 * trainer's forward+backward throughput, steps/s, per-phase times and peak memory.
 *
 *   --dataset PATH     COLMAP model (or transforms.json) to step through its training views
 *   --model PLY        trained splats for --dataset (default: initialised from its points)
 *   --resolution PX    long side the dataset is decoded at (default 160)
 *   --splats N         synthetic workloads instead (default: 20000 at 160×120 and 100000 at
 *   --width W          320×240, the second also the memory figure)
 *   --height H
 *   --steps N          steps per round (default 8)
 *   --rounds N         measurement rounds (default 5); the medians are reported
 *   --adapter KIND     hardware | lavapipe | swiftshader (default: the best available)
 *
 * Each figure comes from this run: every round measures the peak before and after its steps and
 * divides by the higher one, so a busy moment on a shared machine cannot inflate the ratio.
 */
import { parseArgs } from "node:util";
import { acquireGpu, type AdapterKind } from "../gpu/device.js";
import { readPly } from "../export/ply.js";
import { loadSceneModel } from "../sfm/load.js";
import { loadTrainingDataset } from "../train/train.js";
import { initFromPoints } from "../train/init.js";
import { createRng } from "../train/rng.js";
import {
  measureTraining,
  syntheticWorkload,
  type BenchWorkload,
  type TrainingBenchResult,
} from "../train/gpu/benchmark.js";

const { values: args } = parseArgs({
  options: {
    dataset: { type: "string" },
    model: { type: "string" },
    resolution: { type: "string", default: "160" },
    splats: { type: "string" },
    width: { type: "string", default: "160" },
    height: { type: "string", default: "120" },
    steps: { type: "string", default: "8" },
    rounds: { type: "string", default: "5" },
    adapter: { type: "string" },
  },
});

async function datasetWorkload(path: string, model?: string): Promise<BenchWorkload> {
  const maxResolution = Number(args.resolution);
  const d = await loadTrainingDataset(path, {
    io: { loadScene: loadSceneModel, writePly: async () => {} },
    maxResolution,
  });
  const params = model
    ? await readPly(model)
    : initFromPoints(d.points.xyz, d.points.rgb, d.points.count, 3, 1e9, createRng(1));
  params.shDegree = params.maxShDegree;
  return {
    label: `${path}${model ? ` with ${model}` : ""}, ${params.count} splats`,
    params,
    views: d.train.map((v) => ({ camera: v.camera, image: v.image })),
  };
}

function workloads(): (() => Promise<BenchWorkload>)[] {
  if (args.dataset) return [() => datasetWorkload(args.dataset!, args.model)];
  if (args.splats) {
    const [n, w, h] = [Number(args.splats), Number(args.width), Number(args.height)];
    return [async () => syntheticWorkload(n, w, h)];
  }
  return [
    async () => syntheticWorkload(20_000, 160, 120),
    async () => syntheticWorkload(100_000, 320, 240),
  ];
}

function report(label: string, t: TrainingBenchResult): void {
  const g = (x: number) => (x / 1e9).toFixed(3);
  const [fwd, bwd] = t.evalsPerStep;
  console.log(`\n${label}: ${t.width}×${t.height}, ${t.instancesPerStep} tile instances/step`);
  console.log(
    `  ${t.rounds} rounds of ${t.stepsPerRound} steps, each between two brute-force peaks; medians:`,
  );
  console.log(`  brute-force peak: ${g(t.peakEvalsPerSecond)} G splat-pixel evals/s`);
  console.log(
    `  evals/step forward ${Math.round(fwd)}, backward ${Math.round(bwd)}; ` +
      `${g(t.evalsPerSecond)} G evals/s = ${t.ratioToPeak.toFixed(2)} × peak`,
  );
  console.log(`  backward / forward rasterizer per evaluation: ${t.backwardPerForward.toFixed(2)}`);
  console.log(`  steps/s: ${t.stepsPerSecond.toFixed(2)} (${t.rasterKernel} rasterizer)`);
  const phases = Object.entries(t.phaseMs).map(([k, v]) => `${k} ${v.toFixed(2)}`);
  console.log(`  ms per phase (${t.timing}): ${phases.join(", ")}`);
  console.log(
    `  peak memory: GPU buffers ${(t.gpuPeakBytes / 2 ** 20).toFixed(1)} MiB, RSS ${(t.rssBytes / 2 ** 20).toFixed(0)} MiB`,
  );
}

async function main(): Promise<void> {
  const log = { info: console.log, warn: console.warn, debug: () => {} };
  const kinds: AdapterKind[] = ["hardware", "lavapipe", "swiftshader"];
  const adapter = args.adapter as AdapterKind | undefined;
  if (adapter !== undefined && !kinds.includes(adapter)) {
    throw new Error(`--adapter must be one of ${kinds.join(", ")}, got "${adapter}"`);
  }
  const gpu = await acquireGpu({ adapter, log });
  for (const load of workloads()) {
    const work = await load();
    report(work.label, await measureTraining(gpu, work, Number(args.steps), Number(args.rounds)));
  }
  gpu.destroy();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
