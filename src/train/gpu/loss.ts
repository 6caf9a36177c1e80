/**
 * The training loss on the GPU: (1 − λ)·L1 + λ·(1 − SSIM) and dL/d(rendered), exactly the
 * definitions of src/train/reference/loss.ts.
 * Five dispatches per call, no readback: the scalar loss stays in a GPU buffer until asked for.
 */
import {
  GrowableBuffer,
  Usage,
  createBuffer,
  destroyBuffer,
  readBuffer,
} from "../../gpu/buffers.js";
import { bindGroup, wgslF32, type Binding, type ShaderDefines } from "../../gpu/shaders.js";
import { gaussianWindow1d } from "../reference/loss.js";
import { groups2d } from "../../gpu/dispatchSize.js";
import { SPLAT_SHADERS } from "./splatShaders.js";

/** WGSL kernels this module launches. */
const KERNELS = { forward: "loss/loss_forward", backward: "loss/loss_backward" } as const;

/** What one loss evaluation reads and writes. */
export interface LossInputs {
  /** Rendered image, W·H·3 interleaved RGB f32 (the buffer's start). */
  rendered: GPUBuffer;
  /** Buffer holding the target image at `targetOffsetBytes` (e.g. all training images). */
  target: GPUBuffer;
  /** Byte offset of the target image in `target`; any multiple of 4. Default 0. */
  targetOffsetBytes?: number;
  /** Receives dL/d(rendered), same layout as `rendered` (overwritten, not accumulated). */
  gradOut: GPUBuffer;
  /**
   * Receives [loss, L1, SSIM, 0] as f32 (≥ 16 bytes). Default: a buffer owned by the pipeline.
   */
  lossOut?: GPUBuffer;
  /** Image size for this call; defaults to the size given at creation. */
  width?: number;
  height?: number;
}

/** Loss value and its parts, as computed on the GPU. */
export interface LossValues {
  loss: number;
  l1: number;
  ssim: number;
}

/** A reusable loss evaluator; intermediate buffers persist and grow only when the size does. */
export interface LossPipeline {
  /**
   * Records the forward and backward loss passes. `into` is a command encoder (a compute pass is
   * opened and closed) or an open compute pass.
   */
  encode(into: GPUCommandEncoder | GPUComputePassEncoder, io: LossInputs): void;
  /** Reads back the loss written by the last submitted `encode` (submit first). */
  readLoss(): Promise<number>;
  /** Like {@link readLoss} with the L1 and SSIM parts. */
  readLossParts(): Promise<LossValues>;
  destroy(): void;
}

/** Outputs per thread along the blur direction (see shaders/ssim_common.wgsl). */
const RUN = 4;

/** Throws when the buffers of `io` cannot hold a `width`×`height` evaluation. */
function checkLossInputs(device: GPUDevice, io: LossInputs, width: number, height: number) {
  const n = width * height;
  if (!Number.isInteger(width) || !Number.isInteger(height) || n <= 0) {
    throw new Error(`loss: bad image size ${width}×${height}`);
  }
  const offsetBytes = io.targetOffsetBytes ?? 0;
  const imageBytes = n * 3 * 4;
  if (offsetBytes % 4 !== 0 || offsetBytes < 0 || offsetBytes + imageBytes > io.target.size) {
    throw new Error(
      `loss: target image (${imageBytes} bytes at ${offsetBytes}) is outside its buffer (${io.target.size} bytes)`,
    );
  }
  for (const [name, buf] of [
    ["rendered", io.rendered],
    ["gradOut", io.gradOut],
  ] as const) {
    if (buf.size < imageBytes) {
      throw new Error(
        `loss: ${name} holds ${buf.size} bytes, a ${width}×${height} image needs ${imageBytes}`,
      );
    }
  }
  // The 5 moment planes (vec4 per pixel) are the largest binding.
  if (5 * n * 16 > device.limits.maxStorageBufferBindingSize) {
    throw new Error(
      `loss: ${width}×${height} needs a ${5 * n * 16}-byte binding, over this adapter's ${device.limits.maxStorageBufferBindingSize}`,
    );
  }
}

/**
 * A uniform buffer of one 16-byte slot per possible target-offset remainder: the target slice
 * must start at a storage-aligned offset and the remainder (in f32 elements) comes from the slot,
 * so nothing is written per call.
 */
function targetOffsetSlots(device: GPUDevice): GPUBuffer {
  const storageAlign = device.limits.minStorageBufferOffsetAlignment;
  const uniformAlign = device.limits.minUniformBufferOffsetAlignment;
  const slots = storageAlign / 4;
  const offsets = createBuffer(
    device,
    slots * uniformAlign,
    Usage.UNIFORM | Usage.COPY_DST,
    "loss-target-offsets",
  );
  const init = new Uint32Array((slots * uniformAlign) / 4);
  for (let r = 0; r < slots; r++) init[(r * uniformAlign) / 4] = r;
  device.queue.writeBuffer(offsets, 0, init);
  return offsets;
}

/**
 * The five dispatches of one evaluation; each entry point binds only the resources it uses.
 * `h` and `v` are the workgroup grids of the horizontal and vertical passes.
 */
function encodeLossDispatches(
  pass: GPUComputePassEncoder,
  device: GPUDevice,
  defines: ShaderDefines,
  resources: Record<number, Binding>,
  h: [number, number],
  v: [number, number],
): void {
  const steps: [string, string, number[], [number, number]][] = [
    [KERNELS.forward, "blur_h", [0, 1, 2, 3], h],
    [KERNELS.forward, "ssim_map", [0, 1, 2, 3, 4, 5], v],
    [KERNELS.forward, "reduce", [5, 6], [1, 1]],
    [KERNELS.backward, "blur_h_bwd", [3, 4], h],
    [KERNELS.backward, "grad", [0, 1, 2, 3, 7], v],
  ];
  for (const [file, entry, used, [x, y]] of steps) {
    const pipeline = SPLAT_SHADERS.pipeline(device, file, entry, defines);
    const entries: Record<number, Binding> = {};
    for (const b of used) entries[b] = resources[b]!;
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup(device, pipeline, entries));
    pass.dispatchWorkgroups(x, y);
  }
}

/** Creates a loss evaluator for images of `width`×`height`. */
export function createLossPipeline(
  device: GPUDevice,
  size: { width: number; height: number },
): LossPipeline {
  const storageAlign = device.limits.minStorageBufferOffsetAlignment;
  const uniformAlign = device.limits.minUniformBufferOffsetAlignment;
  const offsets = targetOffsetSlots(device);

  const hplanes = new GrowableBuffer(device, "loss-hplanes");
  const dterms = new GrowableBuffer(device, "loss-dterms");
  const partials = new GrowableBuffer(device, "loss-partials");
  const ownLoss = createBuffer(device, 16, Usage.STORAGE | Usage.COPY_SRC, "loss-out");
  const windowText = Array.from(gaussianWindow1d(), wgslF32).join(", ");
  let lastLoss = ownLoss;

  const encode = (into: GPUCommandEncoder | GPUComputePassEncoder, io: LossInputs): void => {
    const width = io.width ?? size.width;
    const height = io.height ?? size.height;
    const n = width * height;
    const offsetBytes = io.targetOffsetBytes ?? 0;
    const imageBytes = n * 3 * 4;
    checkLossInputs(device, io, width, height);
    const maxDim = device.limits.maxComputeWorkgroupsPerDimension;
    // Threads of the horizontal passes (one per run of RUN pixels along x) and vertical ones.
    const [hx, hy] = groups2d(Math.ceil((Math.ceil(width / RUN) * height) / 256), maxDim);
    const [vx, vy] = groups2d(Math.ceil((width * Math.ceil(height / RUN)) / 256), maxDim);
    const defines = {
      WIDTH: width,
      HEIGHT: height,
      INV_COUNT: wgslF32(1 / (n * 3)),
      NUM_PARTIALS: vx * vy,
      RUN,
      WINDOW: windowText,
    };
    const base = Math.floor(offsetBytes / storageAlign) * storageAlign;
    const remainder = (offsetBytes - base) / 4;
    const resources: Record<number, Binding> = {
      0: { buffer: offsets, offset: remainder * uniformAlign, size: 16 },
      1: io.rendered,
      2: { buffer: io.target, offset: base, size: offsetBytes - base + imageBytes },
      3: hplanes.ensure(5 * n * 16),
      4: dterms.ensure(3 * n * 16),
      5: partials.ensure(vx * vy * 8),
      6: io.lossOut ?? ownLoss,
      7: io.gradOut,
    };
    lastLoss = io.lossOut ?? ownLoss;
    const isEncoder = "beginComputePass" in into;
    const pass = isEncoder ? into.beginComputePass({ label: "loss" }) : into;
    encodeLossDispatches(pass, device, defines, resources, [hx, hy], [vx, vy]);
    if (isEncoder) pass.end();
  };

  const readLossParts = async (): Promise<LossValues> => {
    const [loss, l1, ssim] = new Float32Array(await readBuffer(device, lastLoss, 12));
    return { loss: loss!, l1: l1!, ssim: ssim! };
  };

  return {
    encode,
    readLossParts,
    readLoss: async () => (await readLossParts()).loss,
    destroy() {
      hplanes.destroy();
      dterms.destroy();
      partials.destroy();
      destroyBuffer(ownLoss);
      destroyBuffer(offsets);
    },
  };
}
