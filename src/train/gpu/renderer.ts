/**
 * The differentiable tile rasterizer on the GPU: owns the per-splat, per-instance and per-image
 * buffers (reused across steps, grown when needed) and records the kernels of one view:
 * projection → depth sort → tile counts/scan → (instance total read back) → tile keys → tile
 * sort → tile ranges → rasterize forward → loss → rasterize backward → projection backward.
 */
import { GrowableBuffer, Usage, createBuffer, destroyBuffer } from "../../gpu/buffers.js";
import { simdSubgroupWidth, type GpuContext } from "../../gpu/device.js";
import { dispatch, type Binding } from "../../gpu/shaders.js";
import { UniformArena } from "../../gpu/uniforms.js";
import { SplatbookError } from "../../util/errors.js";
import type { Camera } from "../types.js";
import { groups2d } from "../../gpu/dispatchSize.js";
import { createLossPipeline, type LossPipeline } from "./loss.js";
import { cameraUniform, tileGrid } from "./layout.js";
import { PrefixSum } from "../../gpu/prefixSum.js";
import { RadixSort } from "../../gpu/radixSort.js";
import { PhaseRecorder, TimestampPool, type TimingMode } from "../../gpu/phaseRecorder.js";
import {
  accumulateDefines,
  chooseRasterKernel,
  subgroupDefines,
  type RasterKernel,
} from "./rasterLayout.js";
import { SPLAT_SHADERS } from "./splatShaders.js";

/** WGSL kernels this module launches (plus the loss pipeline's, the sort's and the scan's). */
const KERNELS = {
  projectForward: "raster/project_forward",
  tileCount: "raster/tile_count",
  tileKeys: "raster/tile_keys",
  tileRanges: "raster/tile_ranges",
  rasterizeForward: "raster/rasterize_forward",
  rasterizeForwardSubgroup: "raster/rasterize_forward_subgroup",
  rasterizeBackward: "raster/rasterize_backward",
  rasterizeBackwardSubgroup: "raster/rasterize_backward_subgroup",
  projectBackward: "raster/project_backward",
} as const;

/** The scene a view is rendered from: the flat parameter buffer and its shape. */
export interface SceneRef {
  params: GPUBuffer;
  count: number;
  maxShDegree: number;
  /** Per-splat 3D filter variances (read when `flags` bit 0 is set). */
  filter3d: GPUBuffer;
  /** Anti-aliasing flags of the camera uniform (bit 0: 3D filter, bit 1: 2D compensation). */
  flags: number;
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
  /** Which rasterizer layout this adapter runs. */
  readonly rasterKernel: RasterKernel;
  /** Instances (splat, tile pairs) of the last view. */
  instanceCount = 0;
  private camBinding: Binding | null = null;
  private lossPipeline: LossPipeline | null = null;
  private view: { width: number; height: number; tiles: number; count: number } | null = null;

  constructor(
    readonly ctx: GpuContext,
    readonly timing: TimingMode = "off",
    rasterKernel?: RasterKernel,
  ) {
    this.device = ctx.device;
    this.uniforms = new UniformArena(this.device);
    this.rasterKernel = rasterKernel ?? chooseRasterKernel(ctx);
    const width = simdSubgroupWidth(ctx);
    this.sort = new RadixSort(this.device, this.uniforms, width);
    this.scan = new PrefixSum(this.device, this.uniforms, width);
    this.pool = timing === "timestamps" ? new TimestampPool(this.device) : null;
    this.totalStaging = createBuffer(this.device, 16, Usage.MAP_READ | Usage.COPY_DST, "total");
    this.counters = createBuffer(this.device, 16, undefined, "counters");
  }

  /** A named reusable buffer of at least `bytes`. */
  buf(name: string, bytes: number): GPUBuffer {
    const limit = this.device.limits.maxStorageBufferBindingSize;
    if (bytes > limit) {
      throw new SplatbookError(
        `GPU buffer ${name} needs ${bytes} bytes, over this adapter's ${limit}-byte binding limit; ` +
          "lower --max-splats or --max-resolution",
      );
    }
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
  begin(): PhaseRecorder {
    this.uniforms.reset();
    return new PhaseRecorder(this.device, this.uniforms, this.timing, this.pool);
  }

  private pipe(name: string, entry = "main") {
    return SPLAT_SHADERS.pipeline(this.device, name, entry);
  }

  /**
   * Records the forward pass of one view up to the rendered image (image, finalT, lastCount).
   * Submits once in the middle to read the instance total back.
   */
  async forward(rec: PhaseRecorder, scene: SceneRef, camera: Camera, shDegree: number) {
    const { width, height } = camera;
    const [tx, ty] = tileGrid(width, height);
    this.view = { width, height, tiles: tx * ty, count: scene.count };
    const cam = this.uniforms.alloc(
      cameraUniform(camera, scene.count, shDegree, scene.maxShDegree, scene.flags),
    );
    this.camBinding = cam;
    await this.projectAndCount(rec, scene, cam, tx);
    rec.encoder.copyBufferToBuffer(
      this.cur("sortedCounts"),
      scene.count * 4,
      this.totalStaging,
      0,
      4,
    );
    await rec.submit();
    await this.totalStaging.mapAsync(0x1);
    const total = new Uint32Array(this.totalStaging.getMappedRange().slice(0))[0]!;
    this.totalStaging.unmap();
    this.ctx.checkHealthy();
    this.instanceCount = total;
    await this.binAndRasterize(rec, cam, total);
  }

  /**
   * Projection, depth sort and the scan of the depth-ordered tile counts: afterwards
   * "sortedCounts" holds each splat's first instance slot and, at index n, the instance total.
   */
  private async projectAndCount(rec: PhaseRecorder, scene: SceneRef, cam: Binding, tx: number) {
    const n = scene.count;
    const d = this.device;
    const proj = this.buf("proj", n * 48);
    const rects = this.buf("rects", n * 16);
    const tileCounts = this.buf("tileCounts", n * 4);
    const depthKeys = this.buf("depthKeys", n * 4);
    const depthVals = this.buf("depthVals", n * 4);
    const sortedCounts = this.buf("sortedCounts", (n + 1) * 4);
    this.buf("splatFirst", n * 4); // filled by tile_keys
    const [gx, gy] = groups2d(Math.ceil(n / 256));
    const [hx, hy] = groups2d(Math.ceil((n + 1) / 256));

    await rec.phase("projection", (pass) => {
      const p = this.pipe(KERNELS.projectForward);
      dispatch(
        pass,
        d,
        p,
        [cam, scene.params, proj, rects, tileCounts, depthKeys, depthVals, scene.filter3d],
        gx,
        gy,
      );
    });
    await rec.phase("sort", (pass) => {
      this.sort.encode(pass, depthKeys, depthVals, n, 32);
      const nU = this.uniforms.alloc(new Uint32Array([n, tx, 0, 0]));
      dispatch(
        pass,
        d,
        this.pipe(KERNELS.tileCount),
        [nU, tileCounts, depthVals, sortedCounts],
        hx,
        hy,
      );
      this.scan.encode(pass, sortedCounts, n + 1);
    });
  }

  /** Tile keys for `total` instances, the tile sort, tile ranges and the forward rasterizer. */
  private async binAndRasterize(rec: PhaseRecorder, cam: Binding, total: number) {
    const { width, height, tiles, count: n } = this.requireView();
    const [tx, ty] = tileGrid(width, height);
    const pixels = width * height;
    const d = this.device;
    const [gx, gy] = groups2d(Math.ceil(n / 256));
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
      const p = this.pipe(KERNELS.tileKeys);
      dispatch(
        pass,
        d,
        p,
        [
          u,
          this.cur("depthVals"),
          this.cur("sortedCounts"),
          this.cur("rects"),
          keys,
          vals,
          instSplat,
          this.cur("splatFirst"),
        ],
        gx,
        gy,
      );
      const bits = Math.max(1, Math.ceil(Math.log2(tiles)));
      this.sort.encode(pass, keys, vals, total, bits);
      const r = this.uniforms.alloc(new Uint32Array([total, 0, 0, 0]));
      dispatch(pass, d, this.pipe(KERNELS.tileRanges), [r, keys, ranges], ix, iy);
    });
    await rec.phase("rasterize", (pass) => {
      const sg = this.ctx.subgroupMinSize;
      const p =
        this.rasterKernel === "subgroup"
          ? SPLAT_SHADERS.pipeline(d, KERNELS.rasterizeForwardSubgroup, "main", subgroupDefines(sg))
          : this.pipe(KERNELS.rasterizeForward);
      const proj = this.cur("proj");
      const res = [cam, proj, ranges, vals, instSplat, image, finalT, lastCount, this.counters];
      dispatch(pass, d, p, res, tx, ty);
    });
  }

  /**
   * Records loss forward + backward against `target` with the loss pipeline of
   * src/train/gpu/loss.ts, of the image in buffer `renderedName` ("image": as rendered): its
   * gradient into `gradName`, [loss, L1, SSIM, 0] into "lossOut".
   */
  async loss(
    rec: PhaseRecorder,
    target: GPUBuffer,
    renderedName = "image",
    gradName = "dImage",
  ): Promise<void> {
    const v = this.requireView();
    const px = v.width * v.height;
    this.lossPipeline ??= createLossPipeline(this.device, { width: v.width, height: v.height });
    const dImage = this.buf(gradName, px * 12);
    const lossOut = this.buf("lossOut", 16);
    const image = this.cur(renderedName);
    await rec.phase("loss", (pass) => {
      this.lossPipeline!.encode(pass, {
        rendered: image,
        target,
        gradOut: dImage,
        lossOut,
        width: v.width,
        height: v.height,
      });
    });
  }

  /**
   * Records rasterize backward and projection backward: gradients into `grads` (flat layout),
   * densification statistics into `stats`, dL/d(u, v) into the "mean2dGrad" buffer.
   */
  async backward(
    rec: PhaseRecorder,
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
      const sg = this.ctx.subgroupMinSize;
      const rb =
        this.rasterKernel === "subgroup"
          ? SPLAT_SHADERS.pipeline(
              d,
              KERNELS.rasterizeBackwardSubgroup,
              "main",
              subgroupDefines(sg),
            )
          : SPLAT_SHADERS.pipeline(
              d,
              KERNELS.rasterizeBackward,
              "main",
              accumulateDefines(this.ctx),
            );
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
    });
    await rec.phase("projection backward", (pass) => {
      const pb = this.pipe(KERNELS.projectBackward);
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
        scene.filter3d,
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
    this.lossPipeline?.destroy();
    this.pool?.destroy();
    destroyBuffer(this.totalStaging);
    destroyBuffer(this.counters);
  }
}
