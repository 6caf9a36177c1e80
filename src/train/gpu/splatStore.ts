/**
 * The splats on the GPU: parameters, gradients, Adam moments (flat layout of layout.ts, groups in
 * PARAM_GROUPS order) and the densification statistics ([gradNormSum N | visibleCount N |
 * maxRadius N]). Densification replaces the buffers wholesale (`adopt`), since the flat layout's
 * group offsets depend on the count.
 */
import type { GaussianParams } from "../../contracts/gaussians.js";
import {
  createBuffer,
  destroyBuffer,
  readF32,
  uploadBuffer,
  writeBuffer,
} from "../../gpu/buffers.js";
import { SplatbookError } from "../../util/errors.js";
import type { AdamState, DensifyStats } from "../types.js";
import { flatLength, packFlat, unpackFlat } from "./layout.js";

/** The per-splat buffers of one splat count. */
export interface SplatBuffers {
  params: GPUBuffer;
  grads: GPUBuffer;
  m: GPUBuffer;
  v: GPUBuffer;
  stats: GPUBuffer;
  /** Per-splat variance of the 3D smoothing filter (zeros until set). */
  filter3d: GPUBuffer;
}

/**
 * Bytes of a flat array of `count` splats, padded to whole vec4s (Adam reads four floats at a
 * time; the padding stays zero).
 */
function flatBytes(count: number, maxShDegree: number): number {
  return Math.ceil(flatLength(count, maxShDegree) / 4) * 16;
}

/** `packFlat` padded to {@link flatBytes}. */
function packPadded(groups: AdamState["m"], count: number, maxShDegree: number): Float32Array {
  const out = new Float32Array(flatBytes(count, maxShDegree) / 4);
  out.set(packFlat(groups, count, maxShDegree));
  return out;
}

/** Owner of the splat buffers and their shape. */
export class SplatStore {
  count = 0;
  maxShDegree = 0;
  shDegree = 0;
  adamStep = 0;
  private bufs: SplatBuffers | null = null;

  constructor(private readonly device: GPUDevice) {}

  /** The buffers (throws before the first upload). */
  get buffers(): SplatBuffers {
    if (!this.bufs) {
      throw new SplatbookError("GPU backend: setParams must be called before training");
    }
    return this.bufs;
  }

  /** Floats of each flat array. */
  get flatLength(): number {
    return flatLength(this.count, this.maxShDegree);
  }

  /** Throws a clear error when `count` splats would not fit one binding of this adapter. */
  checkFits(count: number, maxShDegree: number): void {
    const bytes = flatBytes(count, maxShDegree);
    const limit = this.device.limits.maxStorageBufferBindingSize;
    if (bytes > limit) {
      throw new SplatbookError(
        `${count} splats need a ${bytes}-byte parameter buffer, over this adapter's ${limit}-byte binding limit; lower --max-splats`,
      );
    }
  }

  /** Fresh zeroed buffers for `count` splats (for densification to fill). */
  allocate(count: number, maxShDegree: number): SplatBuffers {
    this.checkFits(count, maxShDegree);
    const bytes = flatBytes(count, maxShDegree);
    const d = this.device;
    return {
      params: createBuffer(d, bytes, undefined, "params"),
      grads: createBuffer(d, bytes, undefined, "grads"),
      m: createBuffer(d, bytes, undefined, "adam-m"),
      v: createBuffer(d, bytes, undefined, "adam-v"),
      stats: createBuffer(d, count * 12, undefined, "densify-stats"),
      filter3d: createBuffer(d, count * 4, undefined, "filter3d"),
    };
  }

  /** Replaces the buffers by `next`, which hold `count` splats; the old ones are destroyed. */
  adopt(next: SplatBuffers, count: number): void {
    this.free();
    this.bufs = next;
    this.count = count;
  }

  /** Uploads parameters (and moments; zero when absent); statistics start at zero. */
  upload(p: GaussianParams, adam?: AdamState): void {
    this.checkFits(p.count, p.maxShDegree);
    this.free();
    const { count, maxShDegree } = p;
    const d = this.device;
    const bytes = flatBytes(count, maxShDegree);
    const flat = (a: AdamState["m"] | undefined, label: string) =>
      a
        ? uploadBuffer(d, packPadded(a, count, maxShDegree), undefined, label)
        : createBuffer(d, bytes, undefined, label);
    this.bufs = {
      params: uploadBuffer(d, packPadded(p, count, maxShDegree), undefined, "params"),
      grads: createBuffer(d, bytes, undefined, "grads"),
      m: flat(adam?.m, "adam-m"),
      v: flat(adam?.v, "adam-v"),
      stats: createBuffer(d, count * 12, undefined, "densify-stats"),
      filter3d: createBuffer(d, count * 4, undefined, "filter3d"),
    };
    this.count = count;
    this.maxShDegree = maxShDegree;
    this.shDegree = p.shDegree;
    this.adamStep = adam ? adam.step : 0;
  }

  async downloadParams(): Promise<GaussianParams> {
    const flat = await readF32(this.device, this.buffers.params, this.flatLength);
    const { count, shDegree, maxShDegree } = this;
    return { count, shDegree, maxShDegree, ...unpackFlat(flat, count, maxShDegree) };
  }

  async downloadAdam(): Promise<AdamState> {
    const m = await readF32(this.device, this.buffers.m, this.flatLength);
    const v = await readF32(this.device, this.buffers.v, this.flatLength);
    return {
      step: this.adamStep,
      m: unpackFlat(m, this.count, this.maxShDegree),
      v: unpackFlat(v, this.count, this.maxShDegree),
    };
  }

  async downloadStats(): Promise<DensifyStats> {
    const n = this.count;
    const s = await readF32(this.device, this.buffers.stats, n * 3);
    return {
      gradNormSum: s.slice(0, n),
      visibleCount: s.slice(n, 2 * n),
      maxRadius: s.slice(2 * n, 3 * n),
    };
  }

  uploadStats(s: DensifyStats): void {
    const n = this.count;
    const flat = new Float32Array(n * 3);
    flat.set(s.gradNormSum.subarray(0, n), 0);
    flat.set(s.visibleCount.subarray(0, n), n);
    flat.set(s.maxRadius.subarray(0, n), 2 * n);
    writeBuffer(this.device, this.buffers.stats, flat);
  }

  /** Uploads the 3D smoothing filter's variances (one per splat). */
  uploadFilter(f: Float32Array): void {
    if (f.length !== this.count) {
      throw new SplatbookError(`3D filter has ${f.length} values for ${this.count} splats`);
    }
    if (f.length > 0) writeBuffer(this.device, this.buffers.filter3d, f);
  }

  /** Records clearing the statistics. */
  clearStats(encoder: GPUCommandEncoder): void {
    encoder.clearBuffer(this.buffers.stats);
  }

  free(): void {
    if (!this.bufs) return;
    for (const b of Object.values(this.bufs)) destroyBuffer(b);
    this.bufs = null;
  }
}
