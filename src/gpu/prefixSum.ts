/**
 * GPU exclusive prefix sum of u32 values (in place): block scans, the block totals scanned
 * recursively, then added back. Blocks are 1024 values for a 256-thread workgroup (a
 * Hillis–Steele scan through workgroup memory), or — on an adapter that runs a subgroup as one
 * SIMD vector, where barriers cost most — 128 vectors of one subgroup scanned without barriers.
 */
import { GrowableBuffer } from "./buffers.js";
import { GENERIC_SHADERS, dispatch } from "./shaders.js";
import type { UniformArena } from "./uniforms.js";
import { groups2d } from "./dispatchSize.js";

/** WGSL kernels this module launches. */
const KERNELS = { scan: "sort/prefix_sum", scanSubgroup: "sort/prefix_sum_subgroup" } as const;

/** Values per block of the workgroup scan; subgroup blocks are this many vectors. */
const BLOCK = 1024;
const SUBGROUP_ITEMS = 128;

/** Records exclusive scans; owns the scratch buffers for the block totals. */
export class PrefixSum {
  private readonly levels: GrowableBuffer[] = [];
  private readonly block: number;
  private readonly defines: Record<string, number>;
  private readonly kernel: string;

  /**
   * `subgroupWidth`: the adapter's subgroup width when it runs a subgroup as one SIMD vector
   * (see `simdSubgroupWidth`), selecting the barrier-free scan; null for the workgroup scan.
   */
  constructor(
    private readonly device: GPUDevice,
    private readonly uniforms: UniformArena,
    subgroupWidth: number | null = null,
  ) {
    this.kernel = subgroupWidth ? KERNELS.scanSubgroup : KERNELS.scan;
    this.block = subgroupWidth ? subgroupWidth * SUBGROUP_ITEMS : BLOCK;
    this.defines = subgroupWidth ? { SG: subgroupWidth, ITEMS: SUBGROUP_ITEMS } : {};
  }

  /** Records an exclusive scan of the first `n` u32 of `data` into `pass`. */
  encode(pass: GPUComputePassEncoder, data: GPUBuffer, n: number, level = 0): void {
    if (n === 0) return;
    const blocks = Math.ceil(n / this.block);
    if (!this.levels[level]) {
      this.levels[level] = new GrowableBuffer(this.device, `scan-level-${level}`);
    }
    const sums = this.levels[level]!.ensure(blocks * 4);
    const params = this.uniforms.alloc(new Uint32Array([n, 0, 0, 0]));
    const [gx, gy] = groups2d(blocks);
    const scan = GENERIC_SHADERS.pipeline(this.device, this.kernel, "scan_blocks", this.defines);
    dispatch(pass, this.device, scan, [params, data, sums], gx, gy);
    if (blocks > 1) {
      this.encode(pass, sums, blocks, level + 1);
      const entry = "add_block_offsets";
      const add = GENERIC_SHADERS.pipeline(this.device, this.kernel, entry, this.defines);
      dispatch(pass, this.device, add, [params, data, sums], gx, gy);
    }
  }

  destroy(): void {
    for (const l of this.levels) l.destroy();
  }
}
