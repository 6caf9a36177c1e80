/**
 * The differentiable tile rasterizer on the GPU: owns the per-splat, per-instance and per-image
 * buffers (reused across steps, grown when needed) and records the kernels of one view:
 * projection → depth sort → tile counts/scan → (instance total read back) → tile keys → tile
 * sort → tile ranges → rasterize forward → loss → rasterize backward → projection backward.
 */
import { GrowableBuffer, Usage, createBuffer, destroyBuffer } from "../../gpu/buffers.js";
import type { GpuContext } from "../../gpu/device.js";
import { computePipeline, dispatch, type Binding } from "../../gpu/shaders.js";
import { UniformArena } from "../../gpu/uniforms.js";
import type { Camera } from "../types.js";
import { groups2d } from "./dispatchSize.js";
import { cameraUniform, tileGrid } from "./layout.js";
import { PrefixSum } from "./prefixSum.js";
import { RadixSort } from "./radixSort.js";
import { StepRecorder, TimestampPool, type TimingMode } from "./stepRecorder.js";

/** The scene a view is rendered from: the flat parameter buffer and its shape. */
export interface SceneRef {
  params: GPUBuffer;
  count: number;
  maxShDegree: number;
}

/** Records and runs the per-view kernels. */
export class SplatRenderer {
  readonly device: GPUDevice;
  readonly uniforms: UniformArena;
  private readonly sort: RadixSort;
  private readonly scan: PrefixSum;
  private readonly pool: TimestampPool | null;
  private readonly b: Record<string, GrowableBuffer> = {};
  private readonly totalStaging: GPUBuffer;
  readonly counters: GPUBuffer;
  /** Instances (splat, tile pairs) of the last view. */
  instanceCount = 0;
  private camBinding: Binding | null = null;
  private view: { width: number; height: number; tiles: number; count: number } | null = null;

  constructor(
    readonly ctx: GpuContext,
    readonly timing: TimingMode = "off",
  ) {
    this.device = ctx.device;
    this.uniforms = new UniformArena(this.device);
    this.sort = new RadixSort(this.device, this.uniforms);
    this.scan = new PrefixSum(this.device, this.uniforms);
    this.pool = timing === "timestamps" ? new TimestampPool(this.device) : null;
    this.totalStaging = createBuffer(this.device, 16, Usage.MAP_READ | Usage.COPY_DST, "total");
    this.counters = createBuffer(this.device, 16, undefined, "counters");
  }

  /** A named reusable buffer of at least `bytes`. */
  buf(name: string, bytes: number): GPUBuffer {
    this.b[name] ??= new GrowableBuffer(this.device, name);
    return this.b[name]!.ensure(bytes);
  }

  /** A buffer allocated earlier in this view. */
  cur(name: string): GPUBuffer {
    const g = this.b[name];
    if (!g) throw new Error(`renderer buffer ${name} not allocated`);
    return g.current;
  }

  /** Starts recording a step. */
  begin(): StepRecorder {
    this.uniforms.reset();
    return new StepRecorder(this.device, this.uniforms, this.timing, this.pool);
  }

  private pipe(name: string, entry = "main") {
    return computePipeline(this.device, name, entry);
  }

  /**
   * Records the forward pass of one view up to the rendered image (image, finalT, lastCount).
   * Submits once in the middle to read the instance total back.
   */
  async forward(rec: StepRecorder, scene: SceneRef, camera: Camera, shDegree: number) {
    const { width, height } = camera;
    const n = scene.count;
    const [tx, ty] = tileGrid(width, height);
    const tiles = tx * ty;
    const pixels = width * height;
    this.view = { width, height, tiles, count: n };
    const cam = this.uniforms.alloc(cameraUniform(camera, n, shDegree, scene.maxShDegree));
    this.camBinding = cam;
    const d = this.device;
    const proj = this.buf("proj", n * 48);
    const rects = this.buf("rects", n * 16);
    const tileCounts = this.buf("tileCounts", n * 4);
    const depthKeys = this.buf("depthKeys", n * 4);
    const depthVals = this.buf("depthVals", n * 4);
    const sortedCounts = this.buf("sortedCounts", (n + 1) * 4);
    const splatFirst = this.buf("splatFirst", n * 4);
    const [gx, gy] = groups2d(Math.ceil(n / 256));
    const [hx, hy] = groups2d(Math.ceil((n + 1) / 256));

    await rec.phase("projection", (pass) => {
      const p = this.pipe("project_forward");
      dispatch(
        pass,
        d,
        p,
        [cam, scene.params, proj, rects, tileCounts, depthKeys, depthVals],
        gx,
        gy,
      );
    });
    await rec.phase("sort", (pass) => {
      this.sort.encode(pass, depthKeys, depthVals, n, 32);
      const nU = this.uniforms.alloc(new Uint32Array([n, tx, 0, 0]));
      dispatch(pass, d, this.pipe("tile_count"), [nU, tileCounts, depthVals, sortedCounts], hx, hy);
      this.scan.encode(pass, sortedCounts, n + 1);
    });
    rec.encoder.copyBufferToBuffer(sortedCounts, n * 4, this.totalStaging, 0, 4);
    await rec.submit();
    await this.totalStaging.mapAsync(0x1);
    const total = new Uint32Array(this.totalStaging.getMappedRange().slice(0))[0]!;
    this.totalStaging.unmap();
    this.ctx.checkHealthy();
    this.instanceCount = total;

    const keys = this.buf("instKeys", total * 4);
    const vals = this.buf("instVals", total * 4);
    const instSplat = this.buf("instSplat", total * 4);
    const ranges = this.buf("ranges", tiles * 8);
    const image = this.buf("image", pixels * 12);
    const finalT = this.buf("finalT", pixels * 4);
    const lastCount = this.buf("lastCount", pixels * 4);
    rec.encoder.clearBuffer(ranges, 0, tiles * 8);
    rec.encoder.clearBuffer(this.counters);
    const [ix, iy] = groups2d(Math.ceil(total / 256));
    await rec.phase("sort", (pass) => {
      const u = this.uniforms.alloc(new Uint32Array([n, tx, 0, 0]));
      const p = this.pipe("tile_keys");
      dispatch(
        pass,
        d,
        p,
        [u, depthVals, sortedCounts, rects, keys, vals, instSplat, splatFirst],
        gx,
        gy,
      );
      const bits = Math.max(1, Math.ceil(Math.log2(tiles)));
      this.sort.encode(pass, keys, vals, total, bits);
      const r = this.uniforms.alloc(new Uint32Array([total, 0, 0, 0]));
      dispatch(pass, d, this.pipe("tile_ranges"), [r, keys, ranges], ix, iy);
    });
    await rec.phase("rasterize", (pass) => {
      const p = this.pipe("rasterize_forward");
      const res = [cam, proj, ranges, vals, instSplat, image, finalT, lastCount, this.counters];
      dispatch(pass, d, p, res, tx, ty);
    });
  }

  /** Records loss forward + backward against `target` (dImage and the loss value buffer). */
  async loss(rec: StepRecorder, target: Binding): Promise<void> {
    const v = this.requireView();
    const d = this.device;
    const px = v.width * v.height;
    const planes = this.buf("lossPlanes", px * 15 * 4);
    const tmp = this.buf("lossTmp", px * 15 * 4);
    const blurred = this.buf("lossBlurred", px * 15 * 4);
    const gradPlanes = this.buf("lossGradPlanes", px * 9 * 4);
    const terms = this.buf("lossTerms", px * 12);
    const lossOut = this.buf("lossOut", 16);
    const dImage = this.buf("dImage", px * 12);
    const image = this.cur("image");
    const size = this.uniforms.alloc(new Uint32Array([v.width, v.height, 0, 0]));
    const groups = Math.ceil(px / 256);
    const blur = (
      src: GPUBuffer,
      dst: GPUBuffer,
      planeCount: number,
      pass: GPUComputePassEncoder,
    ) => {
      const p = this.pipe("ssim_blur");
      const bx = Math.ceil(v.width / 16);
      const by = Math.ceil(v.height / 16);
      const h = this.uniforms.alloc(new Uint32Array([v.width, v.height, planeCount, 0]));
      const vv = this.uniforms.alloc(new Uint32Array([v.width, v.height, planeCount, 1]));
      dispatch(pass, d, p, [h, src, tmp], bx, by, planeCount);
      dispatch(pass, d, p, [vv, tmp, dst], bx, by, planeCount);
    };
    await rec.phase("loss", (pass) => {
      dispatch(
        pass,
        d,
        this.pipe("loss_forward", "prepare"),
        [size, image, target, planes],
        groups,
      );
      blur(planes, blurred, 15, pass);
      const t = this.pipe("loss_ssim_terms");
      dispatch(pass, d, t, [size, image, target, blurred, gradPlanes, terms], groups);
      const n = this.uniforms.alloc(new Uint32Array([px * 3, 0, 0, 0]));
      dispatch(pass, d, this.pipe("loss_reduce"), [n, terms, lossOut], 1);
      blur(gradPlanes, blurred, 9, pass);
      const bw = this.pipe("loss_backward");
      dispatch(pass, d, bw, [size, image, target, blurred, dImage], groups);
    });
  }

  /**
   * Records rasterize backward and projection backward: gradients into `grads` (flat layout),
   * densification statistics into `stats`, dL/d(u, v) into the "mean2dGrad" buffer.
   */
  async backward(
    rec: StepRecorder,
    scene: SceneRef,
    dImage: GPUBuffer,
    grads: GPUBuffer,
    stats: GPUBuffer,
  ): Promise<void> {
    const v = this.requireView();
    const d = this.device;
    const n = scene.count;
    const [tx, ty] = tileGrid(v.width, v.height);
    const instGrads = this.buf("instGrads", this.instanceCount * 36);
    const mean2d = this.buf("mean2dGrad", n * 8);
    rec.encoder.clearBuffer(instGrads, 0, Math.ceil((this.instanceCount * 36) / 4) * 4);
    const cam = this.camBinding!;
    const [gx, gy] = groups2d(Math.ceil(n / 256));
    await rec.phase("backward", (pass) => {
      const rb = this.pipe("rasterize_backward");
      const res: Binding[] = [
        cam,
        this.cur("proj"),
        this.cur("ranges"),
        this.cur("instVals"),
        this.cur("instSplat"),
        this.cur("finalT"),
        this.cur("lastCount"),
        dImage,
        instGrads,
        this.counters,
      ];
      dispatch(pass, d, rb, res, tx, ty);
      const pb = this.pipe("project_backward");
      const pres: Binding[] = [
        cam,
        scene.params,
        this.cur("proj"),
        this.cur("tileCounts"),
        this.cur("splatFirst"),
        instGrads,
        grads,
        stats,
        mean2d,
      ];
      dispatch(pass, d, pb, pres, gx, gy);
    });
  }

  private requireView() {
    if (!this.view) throw new Error("SplatRenderer: forward() must run first");
    return this.view;
  }

  destroy(): void {
    for (const g of Object.values(this.b)) g.destroy();
    this.sort.destroy();
    this.scan.destroy();
    this.uniforms.destroy();
    this.pool?.destroy();
    destroyBuffer(this.totalStaging);
    destroyBuffer(this.counters);
  }
}
