/**
 * Measurements for `npm run bench:train`: the brute-force splat-pixel peak of the adapter and
 * the trainer's forward+backward throughput, steps/s, per-phase times and peak memory.
 */
import { allocateParams, shCoeffCount } from "../../contracts/gaussians.js";
import { createBuffer, destroyBuffer, gpuMemory, uploadBuffer } from "../../gpu/buffers.js";
import type { GpuContext } from "../../gpu/device.js";
import { dispatch } from "../../gpu/shaders.js";
import { type Camera, type ImageRGB } from "../types.js";
import { createGpuTrainingBackend } from "./backend.js";
import { SPLAT_SHADERS } from "./splatShaders.js";

/** WGSL kernels this module launches (plus the training backend's). */
const KERNELS = { bruteForce: "bench/brute_force_eval" } as const;

/** Result of {@link measureBruteForcePeak}. */
export interface PeakResult {
  splats: number;
  width: number;
  height: number;
  ms: number;
  evalsPerSecond: number;
}

/** Every pixel × every splat, timed over `reps` dispatches after a warm-up. */
export async function measureBruteForcePeak(
  gpu: GpuContext,
  splats = 2048,
  width = 160,
  height = 120,
  reps = 3,
): Promise<PeakResult> {
  const { device } = gpu;
  const data = new Float32Array(splats * 12);
  for (let i = 0; i < splats; i++) {
    const s = 2 + Math.random() * 6;
    data.set([Math.random() * width, Math.random() * height, 0.2 + 0.5 * Math.random(), 0], i * 12);
    data.set([1 / (s * s), 0, 1 / (s * s), 0], i * 12 + 4);
    data.set([Math.random(), Math.random(), Math.random(), 0], i * 12 + 8);
  }
  const sBuf = uploadBuffer(device, data);
  const img = createBuffer(device, width * height * 12);
  const u = uploadBuffer(device, new Uint32Array([width, height, splats, 0]), 0x40 | 0x8);
  const pipe = SPLAT_SHADERS.pipeline(device, KERNELS.bruteForce);
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
  return { splats, width, height, ms, evalsPerSecond: (splats * width * height) / (ms / 1000) };
}

/** A random scene of `count` splats in front of an identity camera, and a random target. */
export function benchmarkScene(count: number, width: number, height: number, maxShDegree = 3) {
  const K = shCoeffCount(maxShDegree);
  const p = allocateParams(count, maxShDegree);
  for (let i = 0; i < count; i++) {
    const z = 2 + Math.random() * 4;
    p.means.set([(Math.random() - 0.5) * 1.6 * z, (Math.random() - 0.5) * 1.2 * z, z], i * 3);
    for (let k = 0; k < 3; k++) p.logScales[i * 3 + k] = Math.log(0.005 + Math.random() * 0.03);
    p.quats.set([1, Math.random() - 0.5, Math.random() - 0.5, Math.random() - 0.5], i * 4);
    p.opacityLogits[i] = Math.random() * 2 - 1;
    for (let k = 0; k < 3; k++) p.sh[i * K * 3 + k] = Math.random() - 0.5;
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
  const data = new Float32Array(width * height * 3).map(() => Math.random());
  const target: ImageRGB = { width, height, data };
  return { params: p, camera, target };
}

/** Result of {@link measureTraining}. */
export interface TrainingBenchResult {
  splats: number;
  width: number;
  height: number;
  steps: number;
  stepsPerSecond: number;
  /** Splat-pixel pairs tested per step, forward and backward. */
  evalsPerStep: [number, number];
  evalsPerSecond: number;
  instancesPerStep: number;
  /** Mean milliseconds per phase. */
  phaseMs: Record<string, number>;
  timing: string;
  gpuPeakBytes: number;
  rssBytes: number;
}

/** Runs `steps` training steps on a random scene and measures them. */
export async function measureTraining(
  gpu: GpuContext,
  splats = 30_000,
  width = 160,
  height = 120,
  steps = 10,
): Promise<TrainingBenchResult> {
  const { params, camera, target } = benchmarkScene(splats, width, height);
  const lr = {
    means: 1e-4,
    logScales: 5e-3,
    quats: 1e-3,
    opacityLogits: 5e-2,
    shDC: 2.5e-3,
    shRest: 1e-4,
  };
  let rss = process.memoryUsage().rss;
  const run = async (timing: boolean, n: number) => {
    const backend = await createGpuTrainingBackend({ gpu, timing });
    await backend.setParams(params);
    await backend.setTargets([target]);
    const phases: Record<string, number> = {};
    let evals: [number, number] = [0, 0];
    await backend.step({ camera, targetIndex: 0, lr, shDegree: 3 }); // warm-up (pipelines)
    const t0 = performance.now();
    for (let s = 0; s < n; s++) {
      const st = await backend.step({ camera, targetIndex: 0, lr, shDegree: 3 });
      for (const [k, v] of Object.entries(st.phaseMs ?? {})) phases[k] = (phases[k] ?? 0) + v / n;
    }
    const seconds = (performance.now() - t0) / 1000;
    if (timing) evals = await backend.lastEvaluations();
    const instances = backend.renderer.instanceCount;
    rss = Math.max(rss, process.memoryUsage().rss);
    backend.destroy();
    return { seconds, phases, evals, instances };
  };
  const plain = await run(false, steps);
  const timed = await run(true, Math.max(2, Math.ceil(steps / 2)));
  const stepsPerSecond = steps / plain.seconds;
  const perStep = timed.evals[0] + timed.evals[1];
  return {
    splats,
    width,
    height,
    steps,
    stepsPerSecond,
    evalsPerStep: timed.evals,
    evalsPerSecond: perStep * stepsPerSecond,
    instancesPerStep: timed.instances,
    phaseMs: timed.phases,
    timing: gpu.hasTimestamps ? "timestamp queries" : "wall clock (onSubmittedWorkDone)",
    gpuPeakBytes: gpuMemory.peak,
    rssBytes: rss,
  };
}
