/**
 * `TrainingBackend` on WebGPU: the splats live in GPU buffers (splatStore.ts); one step records
 * projection, sorting, rasterization, loss, backward and Adam with a single mid-step readback
 * (the instance total, to size the tile lists exactly). The loss is read back only when asked;
 * parameters only for snapshots and exports.
 */
import type { GaussianParams } from "../../contracts/gaussians.js";
import type { Logger } from "../../contracts/logger.js";
import {
  Usage,
  createBuffer,
  destroyBuffer,
  readF32,
  readU32,
  uploadBuffer,
} from "../../gpu/buffers.js";
import { acquireGpu, type AdapterKind, type GpuContext } from "../../gpu/device.js";
import type { TimingMode } from "../../gpu/phaseRecorder.js";
import { SplatbookError } from "../../util/errors.js";
import type {
  AdamState,
  AntiAliasing,
  AppearanceState,
  Camera,
  DensifyConfig,
  DensifyCounts,
  DensifyStats,
  ImageRGB,
  StepStats,
  TrainingBackend,
} from "../types.js";
import { recordAdam } from "./adam.js";
import { GpuAppearance } from "./appearance.js";
import { GpuDensifier } from "./densify.js";
import { unpackFlat } from "./layout.js";
import type { RasterKernel } from "./rasterLayout.js";
import { SplatRenderer } from "./renderer.js";
import { SplatStore } from "./splatStore.js";
import { SPLAT_SHADERS } from "./splatShaders.js";
import { groups2d } from "../../gpu/dispatchSize.js";
import { dispatch } from "../../gpu/shaders.js";

/** Options of {@link createGpuTrainingBackend}. */
export interface GpuBackendOptions {
  log?: Logger;
  /** Reuse an existing device (tests, benchmark); otherwise one is acquired (and destroyed). */
  gpu?: GpuContext;
  adapter?: AdapterKind;
  /** Measure per-phase times in every step (timestamps where available, else wall clock). */
  timing?: boolean;
  /** Rasterizer layout (default: chosen for the adapter). */
  rasterKernel?: RasterKernel;
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
  const mode: TimingMode = !opts.timing ? "off" : gpu.hasTimestamps ? "timestamps" : "wall";
  return new WebGpuTrainingBackend(gpu, !opts.gpu, mode, opts.rasterKernel);
}

interface Target {
  buffer: GPUBuffer;
  width: number;
  height: number;
}

class WebGpuTrainingBackend implements GpuTrainingBackend {
  readonly renderer: SplatRenderer;
  readonly adapterDescription: string;
  readonly hardware: boolean;
  private readonly device: GPUDevice;
  private readonly store: SplatStore;
  private readonly lossStaging: GPUBuffer;
  private targets: Target[] = [];
  private densifier: GpuDensifier | null = null;
  private readonly appearance: GpuAppearance;
  /** Anti-aliasing flags of the camera uniform (bit 0: 3D filter, bit 1: compensation). */
  private flags = 0;
  private noiseUniform: GPUBuffer | null = null;

  constructor(
    readonly gpu: GpuContext,
    private readonly ownsGpu: boolean,
    private readonly mode: TimingMode,
    rasterKernel?: RasterKernel,
  ) {
    this.device = gpu.device;
    this.adapterDescription = gpu.description;
    this.hardware = gpu.kind === "hardware";
    this.renderer = new SplatRenderer(gpu, mode, rasterKernel);
    this.store = new SplatStore(this.device);
    this.lossStaging = createBuffer(this.device, 16, Usage.MAP_READ | Usage.COPY_DST, "loss");
    this.appearance = new GpuAppearance(this.device);
  }

  get count(): number {
    return this.store.count;
  }

  private scene() {
    const s = this.store;
    const { params, filter3d } = s.buffers;
    return { params, filter3d, count: s.count, maxShDegree: s.maxShDegree, flags: this.flags };
  }

  async setParams(p: GaussianParams, adam?: AdamState): Promise<void> {
    this.store.upload(p, adam);
    this.flags &= ~1;
    this.gpu.checkHealthy();
  }

  async setAntiAliasing(a: AntiAliasing): Promise<void> {
    if (a.filter3d) this.store.uploadFilter(a.filter3d);
    this.flags = (a.filter3d ? 1 : 0) | (a.antialiased ? 2 : 0);
  }

  async addMeanNoise(args: { seed: number; step: number; scale: number }): Promise<void> {
    const n = this.store.count;
    if (n === 0) return;
    const u = new Uint32Array(8);
    u.set([n, args.seed >>> 0, args.step >>> 0, 0]);
    new Float32Array(u.buffer).set([args.scale], 4);
    this.noiseUniform ??= createBuffer(this.device, 32, Usage.UNIFORM | Usage.COPY_DST, "noise");
    const uniform = this.noiseUniform;
    this.device.queue.writeBuffer(uniform, 0, u);
    const enc = this.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    const [gx, gy] = groups2d(Math.ceil(n / 256));
    const pipeline = SPLAT_SHADERS.pipeline(this.device, "optim/mean_noise");
    dispatch(pass, this.device, pipeline, [uniform, this.store.buffers.params], gx, gy);
    pass.end();
    this.device.queue.submit([enc.finish()]);
  }

  async setAppearance(s: AppearanceState): Promise<void> {
    this.appearance.set(s);
  }

  getAppearance(): Promise<AppearanceState> {
    return this.appearance.get();
  }

  async getParams(): Promise<GaussianParams> {
    const p = await this.store.downloadParams();
    this.gpu.checkHealthy();
    return p;
  }

  getAdamState(): Promise<AdamState> {
    return this.store.downloadAdam();
  }

  async setTargets(images: ImageRGB[]): Promise<void> {
    for (const t of this.targets) destroyBuffer(t.buffer);
    this.targets = images.map((img) => ({
      buffer: uploadBuffer(this.device, Float32Array.from(img.data), undefined, "target"),
      width: img.width,
      height: img.height,
    }));
  }

  private target(index: number, camera: Camera): Target {
    const t = this.targets[index];
    if (!t) throw new SplatbookError(`GPU backend: no target image ${index}`);
    if (t.width !== camera.width || t.height !== camera.height) {
      throw new SplatbookError(
        `GPU backend: target ${index} is ${t.width}×${t.height}, camera is ${camera.width}×${camera.height}`,
      );
    }
    return t;
  }

  async step(args: Parameters<TrainingBackend["step"]>[0]): Promise<StepStats> {
    const { camera, lr, shDegree, readLoss } = args;
    const target = this.target(args.targetIndex, camera);
    const { renderer, store } = this;
    store.shDegree = shDegree;
    const rec = renderer.begin();
    await renderer.forward(rec, this.scene(), camera, shDegree);
    const app = args.appearance;
    const pixels = camera.width * camera.height;
    if (app) {
      const shown = renderer.buf("shown", pixels * 12);
      const image = renderer.cur("image");
      await this.appearance.recordApply(rec, renderer.uniforms, app, image, shown, pixels);
      await renderer.loss(rec, target.buffer, "shown", "dShown");
      const buffers = {
        image,
        dShown: renderer.cur("dShown"),
        dImage: renderer.buf("dImage", pixels * 12),
      };
      await this.appearance.recordBackward(rec, renderer.uniforms, app, buffers, pixels);
    } else {
      await renderer.loss(rec, target.buffer);
    }
    const b = store.buffers;
    await renderer.backward(rec, this.scene(), renderer.cur("dImage"), b.grads, b.stats);
    await recordAdam(rec, this.device, renderer.uniforms, store, lr);
    const lossOut = renderer.cur("lossOut");
    if (readLoss) rec.encoder.copyBufferToBuffer(lossOut, 0, this.lossStaging, 0, 4);
    rec.resolveTimestamps();
    await rec.submit();
    const stats: StepStats = {};
    if (readLoss) {
      await this.lossStaging.mapAsync(0x1);
      stats.loss = new Float32Array(this.lossStaging.getMappedRange().slice(0))[0]!;
      this.lossStaging.unmap();
    }
    if (this.mode !== "off") stats.phaseMs = await rec.phaseMs();
    this.gpu.checkHealthy();
    return stats;
  }

  async render(camera: Camera, shDegree: number): Promise<ImageRGB> {
    const rec = this.renderer.begin();
    await this.renderer.forward(rec, this.scene(), camera, shDegree);
    await rec.submit();
    const pixels = camera.width * camera.height;
    const data = await readF32(this.device, this.renderer.cur("image"), pixels * 3);
    this.gpu.checkHealthy();
    return { width: camera.width, height: camera.height, data };
  }

  densifyStats(): Promise<DensifyStats> {
    return this.store.downloadStats();
  }

  async resetDensifyStats(): Promise<void> {
    const enc = this.device.createCommandEncoder();
    this.store.clearStats(enc);
    this.device.queue.submit([enc.finish()]);
  }

  async setDensifyStats(s: DensifyStats): Promise<void> {
    this.store.uploadStats(s);
  }

  async densify(cfg: DensifyConfig, noiseSeed: number): Promise<DensifyCounts> {
    this.densifier ??= new GpuDensifier(this.gpu);
    const counts = await this.densifier.run(this.store, cfg, noiseSeed);
    // The filter belonged to the old splats; the caller sets the new one.
    this.flags &= ~1;
    this.gpu.checkHealthy();
    return counts;
  }

  async lastEvaluations(): Promise<[number, number]> {
    const c = await readU32(this.device, this.renderer.counters, 2);
    return [c[0]!, c[1]!];
  }

  async lastGradients(): Promise<{ grads: GaussianParams; mean2dGrad: Float32Array }> {
    const { count, shDegree, maxShDegree } = this.store;
    const g = await readF32(this.device, this.store.buffers.grads, this.store.flatLength);
    const m2 = await readF32(this.device, this.renderer.cur("mean2dGrad"), count * 2);
    return {
      grads: { count, shDegree, maxShDegree, ...unpackFlat(g, count, maxShDegree) },
      mean2dGrad: m2,
    };
  }

  destroy(): void {
    this.store.free();
    for (const t of this.targets) destroyBuffer(t.buffer);
    this.targets = [];
    destroyBuffer(this.lossStaging);
    if (this.noiseUniform) destroyBuffer(this.noiseUniform);
    this.densifier?.destroy();
    this.appearance.destroy();
    this.renderer.destroy();
    if (this.ownsGpu) this.gpu.destroy();
  }
}
