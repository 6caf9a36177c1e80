/**
 * `TrainingBackend` on WebGPU: parameters, gradients and Adam moments live in flat GPU arrays
 * (layout.ts); one step records projection, sorting, rasterization, loss, backward and Adam with
 * a single mid-step readback (the instance total, to size the tile lists exactly). The loss is
 * read back only when asked.
 */
import { shCoeffCount, type GaussianParams } from "../../contracts/gaussians.js";
import type { Logger } from "../../contracts/logger.js";
import {
  createBuffer,
  destroyBuffer,
  readF32,
  readU32,
  uploadBuffer,
  writeBuffer,
} from "../../gpu/buffers.js";
import { acquireGpu, type AdapterKind, type GpuContext } from "../../gpu/device.js";
import { dispatch } from "../../gpu/shaders.js";
import { SplatbookError } from "../../util/errors.js";
import { densify, resetOpacity } from "../densify.js";
import { REFERENCE_CONVENTIONS } from "../reference/conventions.js";
import {
  type AdamState,
  type Camera,
  type DensifyStats,
  type ImageRGB,
  type LearningRates,
  type StepStats,
  type TrainingBackend,
} from "../types.js";
import { groups2d } from "../../gpu/dispatchSize.js";
import { flatLength, packFlat, unpackFlat } from "./layout.js";
import { SplatRenderer } from "./renderer.js";
import type { PhaseRecorder, TimingMode } from "../../gpu/phaseRecorder.js";
import { SPLAT_SHADERS } from "./splatShaders.js";

/** WGSL kernels this module launches (plus the renderer's). */
const KERNELS = { adam: "optim/adam" } as const;

/** Options of {@link createGpuTrainingBackend}. */
export interface GpuBackendOptions {
  log?: Logger;
  /** Reuse an existing device (tests, benchmark); otherwise one is acquired (and destroyed). */
  gpu?: GpuContext;
  adapter?: AdapterKind;
  /** Measure per-phase times in every step (timestamps where available, else wall clock). */
  timing?: boolean;
}

/** The GPU backend plus extras for tests and the benchmark. */
export interface GpuTrainingBackend extends TrainingBackend {
  readonly gpu: GpuContext;
  readonly renderer: SplatRenderer;
  /** Splat-pixel evaluations of the last step: [forward, backward]. */
  lastEvaluations(): Promise<[number, number]>;
  /** Gradients (flat layout unpacked) and dL/d(u,v) of the last step. */
  lastGradients(): Promise<{ grads: GaussianParams; mean2dGrad: Float32Array }>;
}

/** Creates the WebGPU training backend. */
export async function createGpuTrainingBackend(
  opts: GpuBackendOptions = {},
): Promise<GpuTrainingBackend> {
  const gpu = opts.gpu ?? (await acquireGpu({ adapter: opts.adapter, log: opts.log }));
  const ownsGpu = !opts.gpu;
  const device = gpu.device;
  const mode: TimingMode = !opts.timing ? "off" : gpu.hasTimestamps ? "timestamps" : "wall";
  const renderer = new SplatRenderer(gpu, mode);
  const lossStaging = createBuffer(device, 16, 0x1 | 0x8, "loss-staging");
  let count = 0;
  let maxShDegree = 0;
  let shDegree = 0;
  let adamStep = 0;
  let bufs: {
    params: GPUBuffer;
    grads: GPUBuffer;
    m: GPUBuffer;
    v: GPUBuffer;
    stats: GPUBuffer;
  } | null = null;
  let targets: { buffer: GPUBuffer; width: number; height: number }[] = [];

  const need = () => {
    if (!bufs) throw new SplatbookError("GPU backend: setParams must be called before training");
    return bufs;
  };
  const scene = () => ({ params: need().params, count, maxShDegree });
  const flatLen = () => flatLength(count, maxShDegree);

  const freeParams = () => {
    if (!bufs) return;
    for (const b of Object.values(bufs)) destroyBuffer(b);
    bufs = null;
  };

  async function recordAdam(rec: PhaseRecorder, lr: LearningRates): Promise<void> {
    const { adamBeta1: b1, adamBeta2: b2, adamEps: eps } = REFERENCE_CONVENTIONS;
    adamStep += 1;
    const u = new Uint32Array(16);
    const f = new Float32Array(u.buffer);
    u[0] = flatLen();
    u[1] = count;
    u[2] = shCoeffCount(maxShDegree) * 3;
    f.set([lr.means, lr.logScales, lr.quats, lr.opacityLogits, lr.shDC, lr.shRest, b1, b2], 4);
    f.set([1 - b1 ** adamStep, 1 - b2 ** adamStep, eps], 12);
    const slot = renderer.uniforms.alloc(u);
    const b = need();
    const [gx, gy] = groups2d(Math.ceil(flatLen() / 256));
    await rec.phase("adam", (pass) => {
      dispatch(
        pass,
        device,
        SPLAT_SHADERS.pipeline(device, KERNELS.adam),
        [slot, b.params, b.grads, b.m, b.v],
        gx,
        gy,
      );
    });
  }

  const backend: GpuTrainingBackend = {
    gpu,
    renderer,
    adapterDescription: gpu.description,
    get count() {
      return count;
    },
    async setParams(p, adam) {
      freeParams();
      count = p.count;
      maxShDegree = p.maxShDegree;
      shDegree = p.shDegree;
      const n = flatLen();
      const limit = device.limits.maxStorageBufferBindingSize;
      if (n * 4 > limit) {
        throw new SplatbookError(
          `${count} splats need a ${n * 4}-byte parameter buffer, over this adapter's ${limit}-byte binding limit; lower --max-splats`,
        );
      }
      bufs = {
        params: uploadBuffer(device, packFlat(p, count, maxShDegree), undefined, "params"),
        grads: createBuffer(device, n * 4, undefined, "grads"),
        m: adam
          ? uploadBuffer(device, packFlat(adam.m, count, maxShDegree))
          : createBuffer(device, n * 4, undefined, "adam-m"),
        v: adam
          ? uploadBuffer(device, packFlat(adam.v, count, maxShDegree))
          : createBuffer(device, n * 4, undefined, "adam-v"),
        stats: createBuffer(device, count * 12, undefined, "densify-stats"),
      };
      adamStep = adam ? adam.step : 0;
      gpu.checkHealthy();
    },
    async getParams() {
      const flat = await readF32(device, need().params, flatLen());
      gpu.checkHealthy();
      return { count, shDegree, maxShDegree, ...unpackFlat(flat, count, maxShDegree) };
    },
    async getAdamState(): Promise<AdamState> {
      const m = await readF32(device, need().m, flatLen());
      const v = await readF32(device, need().v, flatLen());
      return {
        step: adamStep,
        m: unpackFlat(m, count, maxShDegree),
        v: unpackFlat(v, count, maxShDegree),
      };
    },
    async setTargets(images: ImageRGB[]) {
      for (const t of targets) destroyBuffer(t.buffer);
      targets = images.map((img) => ({
        buffer: uploadBuffer(device, Float32Array.from(img.data), undefined, "target"),
        width: img.width,
        height: img.height,
      }));
    },
    async step({ camera, targetIndex, lr, shDegree: degree, readLoss }): Promise<StepStats> {
      const target = targets[targetIndex];
      if (!target) throw new SplatbookError(`GPU backend: no target image ${targetIndex}`);
      if (target.width !== camera.width || target.height !== camera.height) {
        throw new SplatbookError(
          `GPU backend: target ${targetIndex} is ${target.width}×${target.height}, camera is ${camera.width}×${camera.height}`,
        );
      }
      shDegree = degree;
      const b = need();
      const rec = renderer.begin();
      await renderer.forward(rec, scene(), camera, degree);
      await renderer.loss(rec, target.buffer);
      await renderer.backward(rec, scene(), renderer.cur("dImage"), b.grads, b.stats);
      await recordAdam(rec, lr);
      if (readLoss) rec.encoder.copyBufferToBuffer(renderer.cur("lossOut"), 0, lossStaging, 0, 4);
      rec.resolveTimestamps();
      await rec.submit();
      const stats: StepStats = {};
      if (readLoss) {
        await lossStaging.mapAsync(0x1);
        stats.loss = new Float32Array(lossStaging.getMappedRange().slice(0))[0]!;
        lossStaging.unmap();
      }
      if (mode !== "off") stats.phaseMs = await rec.phaseMs();
      gpu.checkHealthy();
      return stats;
    },
    async render(camera: Camera, degree: number): Promise<ImageRGB> {
      const rec = renderer.begin();
      await renderer.forward(rec, scene(), camera, degree);
      await rec.submit();
      const data = await readF32(device, renderer.cur("image"), camera.width * camera.height * 3);
      gpu.checkHealthy();
      return { width: camera.width, height: camera.height, data };
    },
    async densifyStats(): Promise<DensifyStats> {
      const s = await readF32(device, need().stats, count * 3);
      return {
        gradNormSum: s.slice(0, count),
        visibleCount: s.slice(count, 2 * count),
        maxRadius: s.slice(2 * count, 3 * count),
      };
    },
    async resetDensifyStats() {
      const enc = device.createCommandEncoder();
      enc.clearBuffer(need().stats);
      device.queue.submit([enc.finish()]);
    },
    async setDensifyStats(s: DensifyStats) {
      const flat = new Float32Array(count * 3);
      flat.set(s.gradNormSum.subarray(0, count), 0);
      flat.set(s.visibleCount.subarray(0, count), count);
      flat.set(s.maxRadius.subarray(0, count), 2 * count);
      writeBuffer(device, need().stats, flat);
    },
    async densify(cfg, noiseSeed) {
      const r = densify(
        await backend.getParams(),
        await backend.getAdamState(),
        await backend.densifyStats(),
        cfg,
        noiseSeed,
      );
      await backend.setParams(r.params, r.adam);
      return { cloned: r.cloned, split: r.split, pruned: r.pruned, count: r.count };
    },
    async resetOpacity(ceiling) {
      const p = await backend.getParams();
      const adam = await backend.getAdamState();
      resetOpacity(p, adam, ceiling);
      const stats = await backend.densifyStats();
      await backend.setParams(p, adam);
      await backend.setDensifyStats(stats);
    },
    async lastEvaluations() {
      const c = await readU32(device, renderer.counters, 2);
      return [c[0]!, c[1]!];
    },
    async lastGradients() {
      const g = await readF32(device, need().grads, flatLen());
      const m2 = await readF32(device, renderer.cur("mean2dGrad"), count * 2);
      return {
        grads: { count, shDegree, maxShDegree, ...unpackFlat(g, count, maxShDegree) },
        mean2dGrad: m2,
      };
    },
    destroy() {
      freeParams();
      for (const t of targets) destroyBuffer(t.buffer);
      targets = [];
      destroyBuffer(lossStaging);
      renderer.destroy();
      if (ownsGpu) gpu.destroy();
    },
  };
  return backend;
}
