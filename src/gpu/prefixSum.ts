/**
 * GPU exclusive prefix sum of u32 values (in place): block scans of 1024 elements, the block
 * totals scanned recursively, then added back.
 */
import { GrowableBuffer } from "./buffers.js";
import { GENERIC_SHADERS, dispatch } from "./shaders.js";
import type { UniformArena } from "./uniforms.js";
import { groups2d } from "./dispatchSize.js";

/** WGSL kernels this module launches. */
const KERNELS = { scan: "sort/prefix_sum" } as const;

const BLOCK = 1024;

/** Records exclusive scans; owns the scratch buffers for the block totals. */
export class PrefixSum {
  private readonly levels: GrowableBuffer[] = [];
  constructor(
    private readonly device: GPUDevice,
    private readonly uniforms: UniformArena,
  ) {}

  /** Records an exclusive scan of the first `n` u32 of `data` into `pass`. */
  encode(pass: GPUComputePassEncoder, data: GPUBuffer, n: number, level = 0): void {
    if (n === 0) return;
    const blocks = Math.ceil(n / BLOCK);
    if (!this.levels[level]) {
      this.levels[level] = new GrowableBuffer(this.device, `scan-level-${level}`);
    }
    const sums = this.levels[level]!.ensure(blocks * 4);
    const params = this.uniforms.alloc(new Uint32Array([n, 0, 0, 0]));
    const [gx, gy] = groups2d(blocks);
    const scan = GENERIC_SHADERS.pipeline(this.device, KERNELS.scan, "scan_blocks");
    dispatch(pass, this.device, scan, [params, data, sums], gx, gy);
    if (blocks > 1) {
      this.encode(pass, sums, blocks, level + 1);
      const add = GENERIC_SHADERS.pipeline(this.device, KERNELS.scan, "add_block_offsets");
      dispatch(pass, this.device, add, [params, data, sums], gx, gy);
    }
  }

  destroy(): void {
    for (const l of this.levels) l.destroy();
  }
}
