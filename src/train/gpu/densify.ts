/**
 * Adaptive density control on the GPU, with the decisions of `densify` (src/train/densify.ts):
 * classify (candidates, prune mask), select (all candidates, or the highest gradients up to the
 * cap after a compaction by prefix sum and a radix sort), count each splat's output rows, scan
 * them into offsets, and scatter parameters and Adam moments into buffers of the new size. Only a
 * few counters are read back (the candidate count, the row totals and the round's counts).
 */
import { Usage, createBuffer, destroyBuffer, GrowableBuffer, readU32 } from "../../gpu/buffers.js";
import { simdSubgroupWidth, type GpuContext } from "../../gpu/device.js";
import { groups2d } from "../../gpu/dispatchSize.js";
import { PrefixSum } from "../../gpu/prefixSum.js";
import { RadixSort } from "../../gpu/radixSort.js";
import { dispatch, type Binding } from "../../gpu/shaders.js";
import { UniformArena } from "../../gpu/uniforms.js";
import { shCoeffCount } from "../../contracts/gaussians.js";
import { densifyThresholds } from "../densify.js";
import type { DensifyConfig, DensifyCounts } from "../types.js";
import type { SplatStore } from "./splatStore.js";
import { SPLAT_SHADERS } from "./splatShaders.js";

/** WGSL kernels this module launches (plus the radix sort's and the scan's). */
const KERNELS = {
  classify: "densify/densify_classify",
  select: "densify/densify_select",
  rows: "densify/densify_rows",
  scatter: "densify/densify_scatter",
} as const;

/** Bytes of the `Densify` uniform block of densify_common.wgsl. */
const UNIFORM_BYTES = 48;

/** Runs densification rounds on a device; owns its scratch buffers between rounds. */
export class GpuDensifier {
  private readonly uniforms: UniformArena;
  private readonly sort: RadixSort;
  private readonly scan: PrefixSum;
  private readonly block: GPUBuffer;
  private readonly scratch: Record<string, GrowableBuffer> = {};

  private readonly device: GPUDevice;

  constructor(gpu: GpuContext) {
    const device = (this.device = gpu.device);
    const width = simdSubgroupWidth(gpu);
    this.uniforms = new UniformArena(device);
    this.sort = new RadixSort(device, this.uniforms, width);
    this.scan = new PrefixSum(device, this.uniforms, width);
    this.block = createBuffer(device, UNIFORM_BYTES, Usage.UNIFORM | Usage.COPY_DST, "densify");
  }

  private buf(name: string, bytes: number): GPUBuffer {
    this.scratch[name] ??= new GrowableBuffer(this.device, `densify-${name}`);
    return this.scratch[name]!.ensure(bytes);
  }

  private pipeline(kernel: string, entry = "main"): GPUComputePipeline {
    return SPLAT_SHADERS.pipeline(this.device, kernel, entry);
  }

  /** Submits `enc` with the uniforms the sort and scans recorded. */
  private submit(enc: GPUCommandEncoder): void {
    this.uniforms.flush();
    this.device.queue.submit([enc.finish()]);
    this.uniforms.reset();
  }

  /** Writes the `Densify` uniform block: the round's settings and the counts known so far. */
  private writeBlock(
    round: { n: number; shFloats: number; cfg: DensifyConfig; noiseSeed: number },
    known: { candidates?: number; mainRows?: number; newCount?: number } = {},
  ): void {
    const { n, shFloats, cfg } = round;
    const t = densifyThresholds(cfg);
    const words = new Uint32Array(UNIFORM_BYTES / 4);
    const f = new Float32Array(words.buffer);
    words.set([n, shFloats, Math.max(0, cfg.maxSplats - n), known.candidates ?? 0]);
    f.set([t.grad, t.cloneLogScale, t.pruneLogit, t.pruneLogScale, t.pruneRadius], 4);
    words.set([round.noiseSeed >>> 0, known.mainRows ?? 0, known.newCount ?? 0], 9);
    this.device.queue.writeBuffer(this.block, 0, words);
  }

  /** One round on `store`'s splats; the store adopts the new buffers. */
  async run(store: SplatStore, cfg: DensifyConfig, noiseSeed: number): Promise<DensifyCounts> {
    const n = store.count;
    const round = { n, shFloats: shCoeffCount(store.maxShDegree) * 3, cfg, noiseSeed };
    const io = {
      candidate: this.buf("candidate", n * 4),
      flags: this.buf("flags", n * 4),
      sortKey: this.buf("sortKey", n * 4),
      slot: this.buf("slot", (n + 1) * 4),
      action: this.buf("action", n * 4),
    };
    this.writeBlock(round);
    const enc = this.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    const res = [this.block, store.buffers.params, store.buffers.stats, io.candidate, io.flags];
    const [gx, gy] = groups2d(Math.ceil(n / 256));
    dispatch(pass, this.device, this.pipeline(KERNELS.classify), [...res, io.sortKey], gx, gy);
    pass.end();
    // The scan of [candidate…, 0] gives each candidate its slot and, last, the candidate count.
    enc.clearBuffer(io.slot, 0, (n + 1) * 4);
    if (n > 0) enc.copyBufferToBuffer(io.candidate, 0, io.slot, 0, n * 4);
    const scan = enc.beginComputePass();
    this.scan.encode(scan, io.slot, n + 1);
    scan.end();
    this.submit(enc);
    const candidates = (await readU32(this.device, io.slot, 1, n * 4))[0]!;
    this.writeBlock(round, { candidates });
    this.select(round, candidates, io);
    return this.scatter(store, round, io);
  }

  /** Marks the growing splats in `action` (SPLIT; refined to CLONE by the rows pass). */
  private select(
    round: { n: number; cfg: DensifyConfig },
    candidates: number,
    io: { candidate: GPUBuffer; slot: GPUBuffer; sortKey: GPUBuffer; action: GPUBuffer },
  ): void {
    const { n } = round;
    const budget = Math.max(0, round.cfg.maxSplats - n);
    const keys = this.buf("keys", candidates * 4);
    const vals = this.buf("vals", candidates * 4);
    const all: Binding[] = [this.block, io.candidate, io.slot, io.sortKey, keys, vals, io.action];
    // Each entry point binds only what it uses (automatic layouts).
    const res = (...used: number[]) => Object.fromEntries(used.map((b) => [b, all[b]!]));
    const [gx, gy] = groups2d(Math.ceil(n / 256));
    const enc = this.device.createCommandEncoder();
    enc.clearBuffer(io.action, 0, n * 4);
    const pass = enc.beginComputePass();
    if (candidates <= budget) {
      const acceptAll = this.pipeline(KERNELS.select, "accept_all");
      dispatch(pass, this.device, acceptAll, res(0, 1, 6), gx, gy);
    } else {
      const compact = this.pipeline(KERNELS.select, "compact");
      dispatch(pass, this.device, compact, res(0, 1, 2, 3, 4, 5), gx, gy);
      this.sort.encode(pass, keys, vals, candidates, 32);
      const [ax, ay] = groups2d(Math.ceil(budget / 256));
      const acceptSorted = this.pipeline(KERNELS.select, "accept_sorted");
      dispatch(pass, this.device, acceptSorted, res(0, 5, 6), ax, ay);
    }
    pass.end();
    this.submit(enc);
  }

  /** Counts and scans the output rows, then writes the new splats into fresh buffers. */
  private async scatter(
    store: SplatStore,
    round: { n: number; shFloats: number; cfg: DensifyConfig; noiseSeed: number },
    io: { action: GPUBuffer; flags: GPUBuffer },
  ): Promise<DensifyCounts> {
    const { n } = round;
    const mainOffset = this.buf("mainOffset", (n + 1) * 4);
    const cloneOffset = this.buf("cloneOffset", (n + 1) * 4);
    const counts = this.buf("counts", 16);
    const [gx, gy] = groups2d(Math.ceil((n + 1) / 256));
    const enc = this.device.createCommandEncoder();
    enc.clearBuffer(counts, 0, 16);
    const pass = enc.beginComputePass();
    const res = [this.block, io.flags, io.action, mainOffset, cloneOffset, counts];
    dispatch(pass, this.device, this.pipeline(KERNELS.rows), res, gx, gy);
    this.scan.encode(pass, mainOffset, n + 1);
    this.scan.encode(pass, cloneOffset, n + 1);
    pass.end();
    this.submit(enc);
    const mainRows = (await readU32(this.device, mainOffset, 1, n * 4))[0]!;
    const clones = (await readU32(this.device, cloneOffset, 1, n * 4))[0]!;
    const [cloned, split, pruned] = await readU32(this.device, counts, 3);
    const newCount = mainRows + clones;
    const next = store.allocate(newCount, store.maxShDegree);
    this.writeBlock(round, { mainRows, newCount });
    const old = store.buffers;
    const enc2 = this.device.createCommandEncoder();
    const pass2 = enc2.beginComputePass();
    const sres = [this.block, old.params, old.m, old.v, io.action, mainOffset, cloneOffset];
    const out = [next.params, next.m, next.v];
    dispatch(pass2, this.device, this.pipeline(KERNELS.scatter), [...sres, ...out], gx, gy);
    pass2.end();
    this.submit(enc2);
    store.adopt(next, newCount);
    return { cloned: cloned!, split: split!, pruned: pruned!, count: newCount };
  }

  destroy(): void {
    for (const b of Object.values(this.scratch)) b.destroy();
    this.sort.destroy();
    this.scan.destroy();
    this.uniforms.destroy();
    destroyBuffer(this.block);
  }
}
