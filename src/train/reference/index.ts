/**
 * CPU float64 reference of the 3DGS forward and backward chain, for tiny scenes (≤ 64 splats,
 * ≤ 64×64 pixels). The GPU kernels are tested against it; conventions in ./conventions.ts.
 */
import type { Camera, ImageRGB } from "../types.js";
import { backwardReference, renderReference, type ReferenceGrads } from "./backward.js";
import { lossReference } from "./loss.js";
import type { AnyParams } from "./project.js";

export { REFERENCE_CONVENTIONS } from "./conventions.js";
export { renderReference, backwardReference, zeroGrads } from "./backward.js";
export type { ReferenceRender, ReferenceGrads } from "./backward.js";
export { lossReference, ssimReference, blurSame, gaussianWindow1d } from "./loss.js";
export type { LossResult } from "./loss.js";
export { projectSplat, projectSplatBackward } from "./project.js";
export type { AnyParams, ProjectedSplat, ProjectedGrad, SplatParamGrad } from "./project.js";
export { rasterizeForward, rasterizeBackward, depthOrder } from "./rasterize.js";
export type { RasterOutput, Fragment } from "./rasterize.js";
export { shBasis, shBasisJacobian, evalShColour, evalShColourBackward } from "./sh.js";
export { adamStepReference, type AdamGroupRates } from "./adam.js";

/** Loss, the rendered image and every gradient for one view. */
export interface LossAndGrad extends ReferenceGrads {
  loss: number;
  l1: number;
  ssim: number;
  image: Float64Array;
  /** dL/d image (height·width·3). */
  dImage: Float64Array;
}

/** Renders, evaluates the training loss against `target` and backpropagates it. */
export function lossAndGradReference(
  params: AnyParams,
  camera: Camera,
  target: ImageRGB | ArrayLike<number>,
): LossAndGrad {
  const targetData = "data" in target ? target.data : target;
  const render = renderReference(params, camera);
  const loss = lossReference(render.image, targetData, camera.width, camera.height);
  const back = backwardReference(params, camera, render, loss.dImage);
  return {
    ...back,
    loss: loss.loss,
    l1: loss.l1,
    ssim: loss.ssim,
    image: render.image,
    dImage: loss.dImage,
  };
}
