// Loss/Adam kernels (GPU2 helper); the rasterizer host code calls these.
/**
 * Adam on the GPU (shaders/adam.wgsl): one dispatch per parameter group, the same update as
 * adamStepReference (β1 0.9, β2 0.999, ε 1e-15, bias-corrected, ε after the square root), and the
 * gradient zeroed afterwards so the next backward pass can accumulate into it.
 */
import { Usage, createBuffer, destroyBuffer } from "../../gpu/buffers.js";
import { computePipeline } from "../../gpu/shaders.js";
import { REFERENCE_CONVENTIONS } from "../reference/conventions.js";
import { groups2d } from "./dispatchSize.js";

/**
 * How the backward pass stores gradients. "f32": plain f32 (also f32 bits accumulated by CAS
 * loops on atomic<u32>). fixedPointScale: i32 holding round(gradient · scale).
 */
export type GradFormat = "f32" | { fixedPointScale: number };

/** Split learning rate of an SH buffer sh[(i·K + k)·3 + c]: k = 0 uses `dc`, k ≥ 1 `rest`. */
export interface ShLearningRate {
  dc: number;
  rest: number;
  /** Coefficients per splat and channel, (maxShDegree + 1)². */
  K: number;
}

/** One parameter group: buffers of `count` elements each. */
export interface AdamGroup {
  param: GPUBuffer;
  /** Gradient in the optimiser's {@link GradFormat}; zeroed by the step. */
  grad: GPUBuffer;
  m: GPUBuffer;
  v: GPUBuffer;
  count: number;
  lr: number | ShLearningRate;
}

/** Records Adam steps. */
export interface GpuAdam {
  readonly gradFormat: GradFormat;
  /**
   * Records one step over `groups`. `step` is the number of steps taken before this one (as in
   * adamStepReference: bias correction uses step + 1). Learning rates and bias corrections are
   * written with queue.writeBuffer into a ring of uniform slots, so up to 256 groups can be
   * encoded before a submit. `into` is a command encoder or an open compute pass.
   */
  encode(into: GPUCommandEncoder | GPUComputePassEncoder, groups: AdamGroup[], step: number): void;
  destroy(): void;
}

const RING_SLOTS = 256;

function wgslF32(v: number): string {
  const s = Math.fround(v).toPrecision(9);
  return s.includes(".") || s.includes("e") ? s : `${s}.0`;
}

/** Creates the optimiser kernels for one gradient format (default plain f32). */
export function createAdam(device: GPUDevice, opts: { gradFormat?: GradFormat } = {}): GpuAdam {
  const gradFormat = opts.gradFormat ?? "f32";
  const fixed = gradFormat !== "f32";
  if (fixed && !(gradFormat.fixedPointScale > 0)) {
    throw new Error(`adam: fixedPointScale must be positive, got ${gradFormat.fixedPointScale}`);
  }
  const { adamBeta1: b1, adamBeta2: b2, adamEps: eps } = REFERENCE_CONVENTIONS;
  const pipeline = computePipeline(device, "adam", "main", {
    GRAD_TYPE: fixed ? "i32" : "f32",
    GRAD_INV_SCALE: wgslF32(fixed ? 1 / gradFormat.fixedPointScale : 1),
    ONE_MINUS_BETA1: wgslF32(1 - b1),
    ONE_MINUS_BETA2: wgslF32(1 - b2),
    EPS: wgslF32(eps),
  });
  const align = device.limits.minUniformBufferOffsetAlignment;
  const ring = createBuffer(device, RING_SLOTS * align, Usage.UNIFORM | Usage.COPY_DST, "adam");
  let next = 0;
  const words = new ArrayBuffer(32);
  const u32 = new Uint32Array(words);
  const f32 = new Float32Array(words);

  return {
    gradFormat,
    encode(into, groups, step) {
      const t = step + 1;
      const bc1 = 1 - b1 ** t;
      const bc2 = 1 - b2 ** t;
      const isEncoder = "beginComputePass" in into;
      const pass = isEncoder ? into.beginComputePass({ label: "adam" }) : into;
      for (const g of groups) {
        if (g.count === 0) continue;
        const sh = typeof g.lr === "number" ? null : g.lr;
        u32[0] = g.count;
        u32[1] = sh ? sh.K : 0;
        f32[2] = sh ? sh.dc : (g.lr as number);
        f32[3] = sh ? sh.rest : 0;
        f32[4] = bc1;
        f32[5] = bc2;
        const offset = next * align;
        next = (next + 1) % RING_SLOTS;
        device.queue.writeBuffer(ring, offset, words);
        const bindGroup = device.createBindGroup({
          layout: pipeline.getBindGroupLayout(0),
          entries: [
            { binding: 0, resource: { buffer: ring, offset, size: 32 } },
            { binding: 1, resource: { buffer: g.param } },
            { binding: 2, resource: { buffer: g.grad } },
            { binding: 3, resource: { buffer: g.m } },
            { binding: 4, resource: { buffer: g.v } },
          ],
        });
        const [gx, gy] = groups2d(
          Math.ceil(g.count / 256),
          device.limits.maxComputeWorkgroupsPerDimension,
        );
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, bindGroup);
        pass.dispatchWorkgroups(gx, gy);
      }
      if (isEncoder) pass.end();
    },
    destroy() {
      destroyBuffer(ring);
    },
  };
}
