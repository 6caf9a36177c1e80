/**
 * CPU float64 reference of the 3DGS forward and backward chain, for tiny scenes (≤ 64 splats,
 * ≤ 64×64 pixels). The GPU kernels are tested against it; conventions in ./conventions.ts.
 */
import type { Camera, ImageRGB } from "../types.js";
import { backwardReference, renderReference, type ReferenceGrads } from "./backward.js";
import { lossReference } from "./loss.js";
import type { AnyParams, RasterOptions } from "./project.js";
import { appearanceBackward, applyAppearance } from "./appearance.js";

export { REFERENCE_CONVENTIONS } from "./conventions.js";
export { renderReference, backwardReference, zeroGrads } from "./backward.js";
export type { ReferenceRender, ReferenceGrads } from "./backward.js";
export { lossReference, ssimReference, blurSame, gaussianWindow1d } from "./loss.js";
export type { LossResult } from "./loss.js";
export { projectSplat, projectSplatBackward, compensation2d } from "./project.js";
export type {
  AnyParams,
  ProjectedSplat,
  ProjectedGrad,
  RasterOptions,
  SplatParamGrad,
} from "./project.js";
export {
  APPEARANCE_MASKS,
  APPEARANCE_PARAMS,
  appearanceAdamStep,
  appearanceBackward,
  applyAppearance,
  identityAppearance,
  recentreAppearance,
  regularisedAppearanceGrad,
} from "./appearance.js";
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
  /** dL/d image as rendered (height·width·3), through the appearance transform if any. */
  dImage: Float64Array;
  /** dL/dθ of the appearance transform (absent without one). */
  dAppearance?: Float64Array;
}

/** Options of a loss evaluation: anti-aliasing, and the view's appearance transform θ. */
export interface LossOptions extends RasterOptions {
  appearance?: ArrayLike<number>;
}

/**
 * Renders, applies the view's appearance transform (when given), evaluates the training loss
 * against `target` and backpropagates it.
 */
export function lossAndGradReference(
  params: AnyParams,
  camera: Camera,
  target: ImageRGB | ArrayLike<number>,
  opts: LossOptions = {},
): LossAndGrad {
  const targetData = "data" in target ? target.data : target;
  const render = renderReference(params, camera, opts);
  const theta = opts.appearance;
  const shown = theta ? applyAppearance(render.image, theta) : render.image;
  const loss = lossReference(shown, targetData, camera.width, camera.height);
  const app = theta ? appearanceBackward(render.image, theta, loss.dImage) : null;
  const dImage = app ? app.dImage : loss.dImage;
  const back = backwardReference(params, camera, render, dImage);
  return {
    ...back,
    loss: loss.loss,
    l1: loss.l1,
    ssim: loss.ssim,
    image: render.image,
    dImage,
    ...(app ? { dAppearance: app.dTheta } : {}),
  };
}
