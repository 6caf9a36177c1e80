/**
 * WebGPU training: the `TrainingBackend`, a forward-only render and a gradients-only entry
 * point (used by tests against the CPU reference).
 */
import type { GaussianParams } from "../../contracts/gaussians.js";
import { readF32 } from "../../gpu/buffers.js";
import type { GpuContext } from "../../gpu/device.js";
import type { Camera, DensifyStats, ImageRGB } from "../types.js";
import { createGpuTrainingBackend } from "./backend.js";
import type { RasterKernel } from "./rasterLayout.js";

export { createGpuTrainingBackend } from "./backend.js";
export type { GpuBackendOptions, GpuTrainingBackend } from "./backend.js";
export { SplatRenderer } from "./renderer.js";
export { chooseRasterKernel, supportsSubgroupLayout } from "./rasterLayout.js";
export type { RasterKernel } from "./rasterLayout.js";

const ZERO_LR = { means: 0, logScales: 0, quats: 0, opacityLogits: 0, shDC: 0, shRest: 0 };

/** Renders `params` from `camera` on the GPU (float32 RGB, row-major, interleaved). */
export async function renderGpu(
  gpu: GpuContext,
  params: GaussianParams,
  camera: Camera,
  rasterKernel?: RasterKernel,
): Promise<ImageRGB> {
  const backend = await createGpuTrainingBackend({ gpu, rasterKernel });
  try {
    await backend.setParams(params);
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
): Promise<{
  loss: number;
  image: Float32Array;
  grads: GaussianParams;
  mean2dGrad: Float32Array;
  densify: DensifyStats;
}> {
  const backend = await createGpuTrainingBackend({ gpu, rasterKernel });
  try {
    await backend.setParams(params);
    await backend.setTargets([target]);
    const stats = await backend.step({
      camera,
      targetIndex: 0,
      lr: ZERO_LR,
      shDegree: params.shDegree,
      readLoss: true,
    });
    const { grads, mean2dGrad } = await backend.lastGradients();
    const pixels = camera.width * camera.height;
    const image = await readF32(gpu.device, backend.renderer.cur("image"), pixels * 3);
    return { loss: stats.loss!, image, grads, mean2dGrad, densify: await backend.densifyStats() };
  } finally {
    backend.destroy();
  }
}
