/**
 * Stable LSD radix sort of u32 keys with u32 payloads on the GPU, 4 bits per pass. Each pass:
 * per-thread digit histograms over contiguous chunks, one exclusive scan of the digit-major
 * histogram table, then an in-order scatter.
 */
import { GrowableBuffer } from "./buffers.js";
import { GENERIC_SHADERS, dispatch } from "./shaders.js";
import type { UniformArena } from "./uniforms.js";
import { groups2d } from "./dispatchSize.js";
import { PrefixSum } from "./prefixSum.js";

/** WGSL kernels this module launches (plus PrefixSum's). */
const KERNELS = { count: "sort/radix_sort_count", scatter: "sort/radix_sort_scatter" } as const;

/** Keys per thread: long enough that the histogram table stays small (16 entries per thread). */
const CHUNK = 32;

/** Records radix sorts; owns ping-pong and histogram scratch buffers. */
export class RadixSort {
  private readonly tmpKeys: GrowableBuffer;
  private readonly tmpVals: GrowableBuffer;
  private readonly hist: GrowableBuffer;
  private readonly scan: PrefixSum;
  /** `subgroupWidth` selects the barrier-free scan (see {@link PrefixSum}). */
  constructor(
    private readonly device: GPUDevice,
    private readonly uniforms: UniformArena,
    subgroupWidth: number | null = null,
  ) {
    this.tmpKeys = new GrowableBuffer(device, "sort-tmp-keys");
    this.tmpVals = new GrowableBuffer(device, "sort-tmp-vals");
    this.hist = new GrowableBuffer(device, "sort-hist");
    this.scan = new PrefixSum(device, uniforms, subgroupWidth);
  }

  /**
   * Sorts the first `n` keys (and their values) in place by their low `bits` bits. An even
   * number of passes is always run so the result ends up back in `keys`/`vals`.
   */
  encode(
    pass: GPUComputePassEncoder,
    keys: GPUBuffer,
    vals: GPUBuffer,
    n: number,
    bits = 32,
  ): void {
    if (n <= 1) return;
    let passes = Math.ceil(Math.max(1, bits) / 4);
    if (passes % 2) passes++;
    const threads = Math.ceil(n / CHUNK);
    const tk = this.tmpKeys.ensure(n * 4);
    const tv = this.tmpVals.ensure(n * 4);
    const hist = this.hist.ensure(threads * 16 * 4);
    const count = GENERIC_SHADERS.pipeline(this.device, KERNELS.count);
    const scatter = GENERIC_SHADERS.pipeline(this.device, KERNELS.scatter);
    const [gx, gy] = groups2d(Math.ceil(threads / 256));
    let src = { k: keys, v: vals };
    let dst = { k: tk, v: tv };
    for (let p = 0; p < passes; p++) {
      const params = this.uniforms.alloc(new Uint32Array([n, p * 4, threads, CHUNK]));
      dispatch(pass, this.device, count, [params, src.k, hist], gx, gy);
      this.scan.encode(pass, hist, threads * 16);
      dispatch(pass, this.device, scatter, [params, src.k, src.v, hist, dst.k, dst.v], gx, gy);
      [src, dst] = [dst, src];
    }
  }

  destroy(): void {
    this.tmpKeys.destroy();
    this.tmpVals.destroy();
    this.hist.destroy();
    this.scan.destroy();
  }
}
