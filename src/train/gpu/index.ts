/**
 * WebGPU training: the `TrainingBackend`, a forward-only render and a gradients-only entry
 * point (used by tests against the CPU reference).
 */
import type { GaussianParams } from "../../contracts/gaussians.js";
import { readF32 } from "../../gpu/buffers.js";
import type { GpuContext } from "../../gpu/device.js";
import type {
  AntiAliasing,
  AppearanceState,
  AppearanceStep,
  Camera,
  DensifyStats,
  ImageRGB,
} from "../types.js";
import { createGpuTrainingBackend } from "./backend.js";
import type { RasterKernel } from "./rasterLayout.js";

export { createGpuTrainingBackend } from "./backend.js";
export type { GpuBackendOptions, GpuTrainingBackend } from "./backend.js";
export { SplatRenderer } from "./renderer.js";
export { chooseRasterKernel, supportsSubgroupLayout } from "./rasterLayout.js";
export type { RasterKernel } from "./rasterLayout.js";

const ZERO_LR = { means: 0, logScales: 0, quats: 0, opacityLogits: 0, shDC: 0, shRest: 0 };

/** Options of a single GPU evaluation (tests): anti-aliasing and one view's appearance. */
export interface GpuEvalOptions {
  antiAliasing?: AntiAliasing;
  /** The appearance state and the view's step (a learning rate of 0 leaves θ as it is). */
  appearance?: { state: AppearanceState; step: AppearanceStep };
}

/** Renders `params` from `camera` on the GPU (float32 RGB, row-major, interleaved). */
export async function renderGpu(
  gpu: GpuContext,
  params: GaussianParams,
  camera: Camera,
  rasterKernel?: RasterKernel,
  opts: GpuEvalOptions = {},
): Promise<ImageRGB> {
  const backend = await createGpuTrainingBackend({ gpu, rasterKernel });
  try {
    await backend.setParams(params);
    if (opts.antiAliasing) await backend.setAntiAliasing(opts.antiAliasing);
    return await backend.render(camera, params.shDegree);
  } finally {
    backend.destroy();
  }
}

/** Loss, rendered image and gradients of one view on the GPU (no parameter update). */
export async function gradientsGpu(
  gpu: GpuContext,
  params: GaussianParams,
  camera: Camera,
  target: ImageRGB,
  rasterKernel?: RasterKernel,
  opts: GpuEvalOptions = {},
): Promise<{
  loss: number;
  image: Float32Array;
  grads: GaussianParams;
  mean2dGrad: Float32Array;
  densify: DensifyStats;
  /** The appearance state after the step (when one was given). */
  appearance?: AppearanceState;
  /** dL/d image as rendered (through the appearance transform). */
  dImage: Float32Array;
}> {
  const backend = await createGpuTrainingBackend({ gpu, rasterKernel });
  try {
    await backend.setParams(params);
    if (opts.antiAliasing) await backend.setAntiAliasing(opts.antiAliasing);
    if (opts.appearance) await backend.setAppearance(opts.appearance.state);
    await backend.setTargets([target]);
    const stats = await backend.step({
      camera,
      targetIndex: 0,
      lr: ZERO_LR,
      shDegree: params.shDegree,
      readLoss: true,
      appearance: opts.appearance?.step,
    });
    const { grads, mean2dGrad } = await backend.lastGradients();
    const pixels = camera.width * camera.height;
    const image = await readF32(gpu.device, backend.renderer.cur("image"), pixels * 3);
    const dImage = await readF32(gpu.device, backend.renderer.cur("dImage"), pixels * 3);
    return {
      loss: stats.loss!,
      image,
      grads,
      mean2dGrad,
      densify: await backend.densifyStats(),
      dImage,
      ...(opts.appearance ? { appearance: await backend.getAppearance() } : {}),
    };
  } finally {
    backend.destroy();
  }
}
