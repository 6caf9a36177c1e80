/**
 * Measurements for `npm run bench:train`: the brute-force splat-pixel peak of the adapter and
 * the trainer's forward+backward throughput, steps/s, per-phase times and peak memory, on a
 * synthetic scene or on real views and a trained model.
 */
import { allocateParams, shCoeffCount, type GaussianParams } from "../../contracts/gaussians.js";
import { createBuffer, destroyBuffer, gpuMemory, uploadBuffer } from "../../gpu/buffers.js";
import type { GpuContext } from "../../gpu/device.js";
import { dispatch } from "../../gpu/shaders.js";
import { createRng } from "../rng.js";
import type { Camera, ImageRGB, LearningRates } from "../types.js";
import { createGpuTrainingBackend } from "./backend.js";
import { chooseRasterKernel, type RasterKernel } from "./rasterLayout.js";
import { SPLAT_SHADERS } from "./splatShaders.js";
import { median } from "../../util/median.js";

/** WGSL kernels this module launches (plus the training backend's). */
const KERNELS = {
  tile: "bench/brute_force_eval",
  subgroup: "bench/brute_force_eval_subgroup",
} as const;

/** Result of {@link measureBruteForcePeak}. */
export interface PeakResult {
  layout: RasterKernel;
  splats: number;
  width: number;
  height: number;
  ms: number;
  evalsPerSecond: number;
}

/**
 * Every pixel × every splat in one rasterizer layout, timed over `reps` dispatches after a
 * warm-up: the adapter's practical splat-pixel rate for the per-pair arithmetic.
 */
export async function measureBruteForcePeak(
  gpu: GpuContext,
  layout: RasterKernel,
  opts: { splats?: number; width?: number; height?: number; reps?: number; seed?: number } = {},
): Promise<PeakResult> {
  const { splats = 2048, width = 160, height = 120, reps = 3 } = opts;
  const { device } = gpu;
  const rng = createRng(opts.seed ?? 1);
  const data = new Float32Array(splats * 12);
  for (let i = 0; i < splats; i++) {
    const s = 2 + rng.next() * 6;
    data.set([rng.next() * width, rng.next() * height, 0.2 + 0.5 * rng.next(), 0], i * 12);
    data.set([1 / (s * s), 0, 1 / (s * s), 0], i * 12 + 4);
    data.set([rng.next(), rng.next(), rng.next(), 0], i * 12 + 8);
  }
  const sBuf = uploadBuffer(device, data);
  const img = createBuffer(device, width * height * 12);
  const u = uploadBuffer(device, new Uint32Array([width, height, splats, 0]), 0x40 | 0x8);
  const sg = gpu.subgroupMinSize;
  const pipe =
    layout === "subgroup"
      ? SPLAT_SHADERS.pipeline(device, KERNELS.subgroup, "main", { SG: sg, PPL: 256 / sg })
      : SPLAT_SHADERS.pipeline(device, KERNELS.tile);
  const run = async () => {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    dispatch(pass, device, pipe, [u, sBuf, img], Math.ceil(width / 16), Math.ceil(height / 16));
    pass.end();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
  };
  await run();
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) await run();
  const ms = (performance.now() - t0) / reps;
  gpu.checkHealthy();
  destroyBuffer(sBuf);
  destroyBuffer(img);
  destroyBuffer(u);
  const evalsPerSecond = (splats * width * height) / (ms / 1000);
  return { layout, splats, width, height, ms, evalsPerSecond };
}

/** The best brute-force rate over the layouts this adapter can run. */
export async function measurePeak(gpu: GpuContext, width: number, height: number) {
  const layouts: RasterKernel[] =
    chooseRasterKernel(gpu) === "subgroup" ? ["tile", "subgroup"] : ["tile"];
  const results: PeakResult[] = [];
  for (const layout of layouts)
    results.push(await measureBruteForcePeak(gpu, layout, { width, height }));
  return results.reduce((a, b) => (b.evalsPerSecond > a.evalsPerSecond ? b : a));
}

/** What a training benchmark runs on: splats and the views it steps through. */
export interface BenchWorkload {
  label: string;
  params: GaussianParams;
  views: { camera: Camera; image: ImageRGB }[];
}

/** A random scene of `count` splats in front of an identity camera, and a random target. */
export function syntheticWorkload(
  count: number,
  width: number,
  height: number,
  seed = 1,
  maxShDegree = 3,
): BenchWorkload {
  const rng = createRng(seed);
  const K = shCoeffCount(maxShDegree);
  const p = allocateParams(count, maxShDegree);
  for (let i = 0; i < count; i++) {
    const z = 2 + rng.next() * 4;
    p.means.set([(rng.next() - 0.5) * 1.6 * z, (rng.next() - 0.5) * 1.2 * z, z], i * 3);
    for (let k = 0; k < 3; k++) p.logScales[i * 3 + k] = Math.log(0.005 + rng.next() * 0.03);
    p.quats.set([1, rng.next() - 0.5, rng.next() - 0.5, rng.next() - 0.5], i * 4);
    p.opacityLogits[i] = rng.next() * 2 - 1;
    for (let k = 0; k < 3; k++) p.sh[i * K * 3 + k] = rng.next() - 0.5;
  }
  const f = width * 0.8;
  const camera: Camera = {
    width,
    height,
    fx: f,
    fy: f,
    cx: width / 2,
    cy: height / 2,
    viewmat: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1],
  };
  const data = new Float32Array(width * height * 3).map(() => rng.next());
  return {
    label: `synthetic, ${count} splats`,
    params: p,
    views: [{ camera, image: { width, height, data } }],
  };
}

/** Result of {@link measureTraining}: medians over the measurement rounds. */
export interface TrainingBenchResult {
  splats: number;
  width: number;
  height: number;
  rounds: number;
  stepsPerRound: number;
  stepsPerSecond: number;
  /** Splat-pixel pairs tested per step, forward and backward (mean over the views). */
  evalsPerStep: [number, number];
  evalsPerSecond: number;
  /** Brute-force peak of each round (the higher of the values before and after it). */
  peakEvalsPerSecond: number;
  /** Median over rounds of the round's fwd+bwd evaluations/s over its peak. */
  ratioToPeak: number;
  /** Median over rounds of backward ms per backward evaluation over forward ms per forward one. */
  backwardPerForward: number;
  instancesPerStep: number;
  /** Median milliseconds per phase. */
  phaseMs: Record<string, number>;
  timing: string;
  rasterKernel: RasterKernel;
  gpuPeakBytes: number;
  rssBytes: number;
}

/** Small fixed learning rates: the splats move like in training but stay comparable. */
const BENCH_LR: LearningRates = {
  means: 1e-5,
  logScales: 1e-3,
  quats: 1e-3,
  opacityLogits: 1e-2,
  shDC: 1e-3,
  shRest: 1e-4,
};

/** A backend stepping through the workload's views, with or without per-phase timing. */
async function workloadBackend(gpu: GpuContext, work: BenchWorkload, timing: boolean) {
  const backend = await createGpuTrainingBackend({ gpu, timing });
  await backend.setParams(work.params);
  await backend.setTargets(work.views.map((v) => v.image));
  let s = 0;
  const step = async () => {
    const i = s++ % work.views.length;
    const camera = work.views[i]!.camera;
    return backend.step({
      camera,
      targetIndex: i,
      lr: BENCH_LR,
      shDegree: work.params.maxShDegree,
    });
  };
  await step(); // warm-up (pipelines)
  return { backend, step };
}

/**
 * Rounds of: the brute-force peak, `steps` untimed steps (one submit each, as in training; their
 * rate is the step rate), the peak again, then `steps` timed steps for the phase table and the
 * evaluation counts. Per-round figures make the ratios robust to a shared machine's load swings;
 * the medians are reported.
 */
export async function measureTraining(
  gpu: GpuContext,
  work: BenchWorkload,
  steps = 8,
  rounds = 5,
): Promise<TrainingBenchResult> {
  const { width, height } = work.views[0]!.camera;
  let rss = process.memoryUsage().rss;
  const plain = await workloadBackend(gpu, work, false);
  const timed = await workloadBackend(gpu, work, true);
  const phases: Record<string, number[]> = {};
  const rates: number[] = [];
  const peaks: number[] = [];
  const ratios: number[] = [];
  const perEval: number[] = [];
  const evals: [number, number] = [0, 0];
  let instances = 0;
  for (let r = 0; r < rounds; r++) {
    const before = (await measurePeak(gpu, width, height)).evalsPerSecond;
    const t0 = performance.now();
    for (let s = 0; s < steps; s++) await plain.step();
    const rate = steps / ((performance.now() - t0) / 1000);
    const peak = Math.max(before, (await measurePeak(gpu, width, height)).evalsPerSecond);
    const round = { fwd: 0, bwd: 0, raster: 0, backward: 0 };
    for (let s = 0; s < steps; s++) {
      const st = await timed.step();
      const [f, b] = await timed.backend.lastEvaluations();
      for (const [k, v] of Object.entries(st.phaseMs ?? {})) (phases[k] ??= []).push(v);
      Object.assign(round, {
        fwd: round.fwd + f,
        bwd: round.bwd + b,
        raster: round.raster + (st.phaseMs?.rasterize ?? 0),
        backward: round.backward + (st.phaseMs?.backward ?? 0),
      });
      instances += timed.backend.renderer.instanceCount / (steps * rounds);
    }
    evals[0] += round.fwd / (steps * rounds);
    evals[1] += round.bwd / (steps * rounds);
    rates.push(rate);
    peaks.push(peak);
    ratios.push((((round.fwd + round.bwd) / steps) * rate) / peak);
    perEval.push(round.backward / round.bwd / (round.raster / round.fwd));
    rss = Math.max(rss, process.memoryUsage().rss);
  }
  const kernel = timed.backend.renderer.rasterKernel;
  plain.backend.destroy();
  timed.backend.destroy();
  const stepsPerSecond = median(rates);
  return {
    splats: work.params.count,
    width,
    height,
    rounds,
    stepsPerRound: steps,
    stepsPerSecond,
    evalsPerStep: evals,
    evalsPerSecond: (evals[0] + evals[1]) * stepsPerSecond,
    peakEvalsPerSecond: median(peaks),
    ratioToPeak: median(ratios),
    backwardPerForward: median(perEval),
    instancesPerStep: Math.round(instances),
    phaseMs: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, median(v)])),
    timing: gpu.hasTimestamps ? "timestamp queries" : "wall clock (onSubmittedWorkDone)",
    rasterKernel: kernel,
    gpuPeakBytes: gpuMemory.peak,
    rssBytes: rss,
  };
}
