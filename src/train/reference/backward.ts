/**
 * The full reference chain: project every splat, composite, and carry dL/d image back to the
 * parameters (same layout as GaussianParams) plus the screen-space mean gradient used for
 * densification.
 */
import { shCoeffCount, type GaussianParams } from "../../contracts/gaussians.js";
import { type Camera } from "../types.js";
import {
  projectSplat,
  projectSplatBackward,
  type AnyParams,
  type ProjectedSplat,
  type RasterOptions,
} from "./project.js";
import { rasterizeBackward, rasterizeForward, type RasterOutput } from "./rasterize.js";

/** Forward render: the projected splats (visible only) and the composited image. */
export interface ReferenceRender extends RasterOutput {
  projected: ProjectedSplat[];
  /** Screen radius per splat (0 = culled), like the GPU's radii buffer. */
  radii: Int32Array;
}

/** Renders `params` from `camera` with the float64 reference. */
export function renderReference(
  params: AnyParams,
  camera: Camera,
  opts: RasterOptions = {},
): ReferenceRender {
  const projected: ProjectedSplat[] = [];
  const radii = new Int32Array(params.count);
  for (let i = 0; i < params.count; i++) {
    const ps = projectSplat(params, i, camera, opts);
    if (ps) {
      projected.push(ps);
      radii[i] = ps.radius;
    }
  }
  return { ...rasterizeForward(projected, camera), projected, radii };
}

/** Gradients of the loss in the parameter layout, plus screen-space mean gradients. */
export interface ReferenceGrads {
  grads: GaussianParams<Float64Array>;
  /** dL/d(u, v) in pixels per splat (count·2); zero for culled splats. */
  mean2dGrad: Float64Array;
  /** mean2dGrad scaled by (width/2, height/2): the NDC-space gradient 3DGS thresholds. */
  mean2dGradNdc: Float64Array;
}

/** Zero gradients shaped like `params`. */
export function zeroGrads(params: AnyParams): GaussianParams<Float64Array> {
  const K = shCoeffCount(params.maxShDegree);
  return {
    count: params.count,
    shDegree: params.shDegree,
    maxShDegree: params.maxShDegree,
    means: new Float64Array(params.count * 3),
    logScales: new Float64Array(params.count * 3),
    quats: new Float64Array(params.count * 4),
    opacityLogits: new Float64Array(params.count),
    sh: new Float64Array(params.count * K * 3),
  };
}

/** Backpropagates dL/d image through a forward render. */
export function backwardReference(
  params: AnyParams,
  camera: Camera,
  render: ReferenceRender,
  dImage: ArrayLike<number>,
): ReferenceGrads {
  const grads = zeroGrads(params);
  const mean2dGrad = new Float64Array(params.count * 2);
  const mean2dGradNdc = new Float64Array(params.count * 2);
  const K3 = shCoeffCount(params.maxShDegree) * 3;
  const splatGrads = rasterizeBackward(render.projected, render, dImage);
  render.projected.forEach((ps, slot) => {
    const i = ps.index;
    const g = splatGrads[slot]!;
    const pg = projectSplatBackward(params, camera, ps, g);
    for (let k = 0; k < 3; k++) {
      grads.means[i * 3 + k] = pg.mean[k]!;
      grads.logScales[i * 3 + k] = pg.logScale[k]!;
    }
    for (let k = 0; k < 4; k++) grads.quats[i * 4 + k] = pg.quat[k]!;
    grads.opacityLogits[i] = pg.opacityLogit;
    grads.sh.set(pg.sh, i * K3);
    mean2dGrad[i * 2] = g.mean2d[0];
    mean2dGrad[i * 2 + 1] = g.mean2d[1];
    mean2dGradNdc[i * 2] = g.mean2d[0] * 0.5 * camera.width;
    mean2dGradNdc[i * 2 + 1] = g.mean2d[1] * 0.5 * camera.height;
  });
  return { grads, mean2dGrad, mean2dGradNdc };
}
