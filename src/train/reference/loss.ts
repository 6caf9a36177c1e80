/**
 * The training loss (float64): (1 − λ)·L1 + λ·(1 − SSIM) and its gradient w.r.t. the rendered
 * image. SSIM: per channel, 11×11 Gaussian window (σ = 1.5) as a zero-padded 'same' convolution,
 * averaged over all pixels and channels (see ./conventions.ts).
 */
import { RASTER } from "../types.js";
import { REFERENCE_CONVENTIONS } from "./conventions.js";

/** The normalised 1D Gaussian window (the 2D window is its outer product). */
export function gaussianWindow1d(
  size: number = REFERENCE_CONVENTIONS.ssimWindow,
  sigma: number = REFERENCE_CONVENTIONS.ssimSigma,
): Float64Array {
  const w = new Float64Array(size);
  const half = (size - 1) / 2;
  for (let i = 0; i < size; i++) w[i] = Math.exp(-((i - half) ** 2) / (2 * sigma * sigma));
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / sum);
}

/**
 * Zero-padded 'same' 2D filtering of one channel plane (height·width) with the separable window.
 * The window is symmetric, so this operator is its own adjoint (used by the backward pass).
 */
export function blurSame(plane: Float64Array, width: number, height: number): Float64Array {
  const w = gaussianWindow1d();
  const half = (w.length - 1) / 2;
  const tmp = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = 0; k < w.length; k++) {
        const xx = x + k - half;
        if (xx >= 0 && xx < width) s += w[k]! * plane[y * width + xx]!;
      }
      tmp[y * width + x] = s;
    }
  }
  const out = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = 0; k < w.length; k++) {
        const yy = y + k - half;
        if (yy >= 0 && yy < height) s += w[k]! * tmp[yy * width + x]!;
      }
      out[y * width + x] = s;
    }
  }
  return out;
}

function channelPlane(data: ArrayLike<number>, n: number, c: number, f?: (v: number) => number) {
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) p[i] = f ? f(data[i * 3 + c]!) : data[i * 3 + c]!;
  return p;
}

/** Mean SSIM of two RGB images and, optionally, its gradient w.r.t. `x`. */
export function ssimReference(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  width: number,
  height: number,
  withGrad = false,
): { value: number; grad: Float64Array | null } {
  const { ssimC1: C1, ssimC2: C2 } = REFERENCE_CONVENTIONS;
  const n = width * height;
  const count = n * 3;
  const grad = withGrad ? new Float64Array(count) : null;
  let total = 0;
  for (let c = 0; c < 3; c++) {
    const xs = channelPlane(x, n, c);
    const ys = channelPlane(y, n, c);
    const mx = blurSame(xs, width, height);
    const my = blurSame(ys, width, height);
    const exx = blurSame(
      xs.map((v) => v * v),
      width,
      height,
    );
    const eyy = blurSame(
      ys.map((v) => v * v),
      width,
      height,
    );
    const exy = blurSame(
      xs.map((v, i) => v * ys[i]!),
      width,
      height,
    );
    const dMx = new Float64Array(n);
    const dExx = new Float64Array(n);
    const dExy = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const mux = mx[i]!;
      const muy = my[i]!;
      const sxx = exx[i]! - mux * mux;
      const syy = eyy[i]! - muy * muy;
      const sxy = exy[i]! - mux * muy;
      const a = 2 * mux * muy + C1;
      const b = 2 * sxy + C2;
      const cc = mux * mux + muy * muy + C1;
      const d = sxx + syy + C2;
      const s = (a * b) / (cc * d);
      total += s;
      if (grad) {
        // ∂S/∂μx, ∂S/∂E[x²], ∂S/∂E[xy] with σ's written through the E's; scaled by 1/count.
        dMx[i] = (s * ((2 * muy) / a - (2 * muy) / b - (2 * mux) / cc + (2 * mux) / d)) / count;
        dExx[i] = -s / d / count;
        dExy[i] = (2 * s) / b / count;
      }
    }
    if (grad) {
      const gM = blurSame(dMx, width, height);
      const gXX = blurSame(dExx, width, height);
      const gXY = blurSame(dExy, width, height);
      for (let i = 0; i < n; i++)
        grad[i * 3 + c] = gM[i]! + 2 * xs[i]! * gXX[i]! + ys[i]! * gXY[i]!;
    }
  }
  return { value: total / count, grad };
}

/** Loss value, its parts and dL/d image. */
export interface LossResult {
  loss: number;
  l1: number;
  ssim: number;
  dImage: Float64Array;
}

/** (1 − λ)·L1 + λ·(1 − SSIM) with λ = RASTER.ssimWeight; sign(0) = 0 for the L1 derivative. */
export function lossReference(
  image: ArrayLike<number>,
  target: ArrayLike<number>,
  width: number,
  height: number,
): LossResult {
  const lambda = RASTER.ssimWeight;
  const count = width * height * 3;
  const dImage = new Float64Array(count);
  let l1 = 0;
  for (let i = 0; i < count; i++) {
    const diff = image[i]! - target[i]!;
    l1 += Math.abs(diff);
    dImage[i] = ((1 - lambda) * Math.sign(diff)) / count;
  }
  l1 /= count;
  const s = ssimReference(image, target, width, height, true);
  for (let i = 0; i < count; i++) dImage[i] -= lambda * s.grad![i]!;
  return { loss: (1 - lambda) * l1 + lambda * (1 - s.value), l1, ssim: s.value, dImage };
}
