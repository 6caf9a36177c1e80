/**
 * Per-image appearance (float64): an affine colour transform out = M·rgb + b, clipped to [0, 1]
 * as the camera clips, applied to the rendered image before the loss, so a view's exposure and white balance need not be baked into
 * the splats. θ = [M row-major (9) | b (3)]; the identity leaves the image as rendered. The GPU
 * kernels (shaders/appearance) compute exactly this.
 */
import { REFERENCE_CONVENTIONS } from "./conventions.js";

/** Parameters per image. */
export const APPEARANCE_PARAMS = 12;

/**
 * Which of θ's entries a view learns (bit j: θ[j]), by model: `affine` all twelve; `gain` the
 * diagonal of M and b — a per-channel gain and offset, what exposure, white balance and black
 * level change, in linear and (as a power law) in gamma-encoded values alike.
 */
export const APPEARANCE_MASKS = {
  affine: 0xfff,
  gain: (1 << 0) | (1 << 4) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11),
} as const;

/** θ of the identity transform. */
export function identityAppearance(): Float64Array {
  return Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]);
}

/**
 * The transform of one value before the camera's clipping: (M·rgb + b)[r] at pixel offset `p`.
 */
function transformed(image: ArrayLike<number>, theta: ArrayLike<number>, p: number, r: number) {
  return (
    theta[r * 3]! * image[p]! +
    theta[r * 3 + 1]! * image[p + 1]! +
    theta[r * 3 + 2]! * image[p + 2]! +
    theta[9 + r]!
  );
}

/**
 * out = clamp(M·rgb + b, 0, 1) for every pixel of an interleaved RGB image: the view's camera
 * clips as a real one does, so a value the image shows at 1 (or 0) only says "at least 1" and a
 * brighter (darker) prediction costs nothing there. Without it, the clipped highlights of the
 * brightest frames, divided by their gain, teach the splats a colour darker than the surface.
 */
export function applyAppearance(image: ArrayLike<number>, theta: ArrayLike<number>): Float64Array {
  const out = new Float64Array(image.length);
  for (let p = 0; p < image.length; p += 3) {
    for (let r = 0; r < 3; r++)
      out[p + r] = Math.min(1, Math.max(0, transformed(image, theta, p, r)));
  }
  return out;
}

/**
 * Backward of {@link applyAppearance}: where M·rgb + b lies inside (0, 1), dL/d rgb = Mᵀ·dL/d out
 * per pixel and dL/dθ = (Σ dout ⊗ rgb, Σ dout); a clipped value passes no gradient.
 */
export function appearanceBackward(
  image: ArrayLike<number>,
  theta: ArrayLike<number>,
  dOut: ArrayLike<number>,
): { dImage: Float64Array; dTheta: Float64Array } {
  const dImage = new Float64Array(image.length);
  const dTheta = new Float64Array(APPEARANCE_PARAMS);
  for (let p = 0; p < image.length; p += 3) {
    for (let r = 0; r < 3; r++) {
      const v = transformed(image, theta, p, r);
      const d = v > 0 && v < 1 ? dOut[p + r]! : 0;
      for (let c = 0; c < 3; c++) {
        dImage[p + c] += theta[r * 3 + c]! * d;
        dTheta[r * 3 + c] += d * image[p + c]!;
      }
      dTheta[9 + r] += d;
    }
  }
  return { dImage, dTheta };
}

/**
 * The gradient a step applies to θ: the data term plus `weight`·(θ − prior), the gradient of
 * the regulariser (weight/2)·‖θ − prior‖² that keeps each view's transform near its prior: the
 * identity (the splats' colours at the views' common exposure), or the exposure read from the
 * data before training (appearance.ts), which the loss alone cannot tell from view-dependent
 * colour when the exposure drifts slowly along the camera path.
 */
export function regularisedAppearanceGrad(
  theta: ArrayLike<number>,
  dTheta: ArrayLike<number>,
  weight: number,
  prior: ArrayLike<number> = identityAppearance(),
): Float64Array {
  return Float64Array.from(dTheta, (g, j) => g + weight * (theta[j]! - prior[j]!));
}

/**
 * One Adam step (PyTorch form, as reference/adam.ts) on view `index` of an appearance state, in
 * place: the data gradient plus the regulariser's (towards `prior`, default the identity), bias-corrected with the view's own step count,
 * on the entries `mask` selects (the others and their moments stay as they are); then every
 * view's θ is shifted so their mean is the identity ({@link recentreAppearance}).
 */
export function appearanceAdamStep(
  state: {
    theta: Float32Array | Float64Array;
    moments: Float32Array | Float64Array;
    steps: Float32Array | Float64Array;
  },
  index: number,
  dTheta: ArrayLike<number>,
  lr: number,
  weight: number,
  mask: number = APPEARANCE_MASKS.affine,
  prior?: ArrayLike<number>,
): void {
  const { adamBeta1: b1, adamBeta2: b2, adamEps: eps } = REFERENCE_CONVENTIONS;
  const t = state.steps[index]! + 1;
  const o = index * APPEARANCE_PARAMS;
  const theta = state.theta.subarray(o, o + APPEARANCE_PARAMS);
  const g = regularisedAppearanceGrad(theta, dTheta, weight, prior);
  for (let j = 0; j < APPEARANCE_PARAMS; j++) {
    if (((mask >> j) & 1) === 0) continue;
    const mo = 2 * o + j;
    const m = b1 * state.moments[mo]! + (1 - b1) * g[j]!;
    const v = b2 * state.moments[mo + APPEARANCE_PARAMS]! + (1 - b2) * g[j]! * g[j]!;
    state.moments[mo] = m;
    state.moments[mo + APPEARANCE_PARAMS] = v;
    theta[j] = theta[j]! - (lr * (m / (1 - b1 ** t))) / (Math.sqrt(v / (1 - b2 ** t)) + eps);
  }
  state.steps[index] = t;
  recentreAppearance(state.theta, state.steps.length);
}

/**
 * Recentres the views' θ in place: the diagonal (each channel's gain) is divided by its
 * geometric mean over the views, every other entry shifted so its mean is the identity's. The
 * transforms and the splats' colours are only determined up to a common colour transform (a
 * tint of every view can live in either); holding the mean at the identity fixes that freedom,
 * so the neutral model keeps the views' mean exposure and white balance instead of drifting.
 * Exposure is a ratio (stops), so its mean is the geometric one: a view at ×2 and one at ×½
 * average to ×1, where the arithmetic mean (×1.25) would leave the neutral model darker than
 * the views' mean exposure. Sums run over the views in order (the GPU kernel does the same).
 */
export function recentreAppearance(theta: Float32Array | Float64Array, count: number): void {
  if (count === 0) return;
  const id = identityAppearance();
  for (let j = 0; j < APPEARANCE_PARAMS; j++) {
    if (id[j] === 1) {
      let logSum = 0;
      for (let v = 0; v < count; v++)
        logSum += Math.log(Math.max(GAIN_FLOOR, theta[v * APPEARANCE_PARAMS + j]!));
      const scale = Math.exp(logSum / count);
      for (let v = 0; v < count; v++) theta[v * APPEARANCE_PARAMS + j]! /= scale;
      continue;
    }
    let sum = 0;
    for (let v = 0; v < count; v++) sum += theta[v * APPEARANCE_PARAMS + j]!;
    const shift = sum / count - id[j]!;
    for (let v = 0; v < count; v++) theta[v * APPEARANCE_PARAMS + j]! -= shift;
  }
}

/** Smallest gain the geometric mean takes a logarithm of (a gain is never ≤ 0 in practice). */
export const GAIN_FLOOR = 1e-6;
