import type { ImageRGB } from "./types.js";

/**
 * Evaluation metrics on the CPU (evaluation images are small): PSNR over all channels and the
 * standard SSIM (11×11 Gaussian window, σ = 1.5, C1 = 0.01², C2 = 0.03², "valid" region as in
 * scikit-image's `structural_similarity(gaussian_weights=True)` averaged over channels; images are
 * compared in [0, 1]).
 */
export function psnr(a: ImageRGB, b: ImageRGB): number {
  sameShape(a, b);
  let se = 0;
  const n = a.data.length;
  for (let i = 0; i < n; i++) {
    const d = clamp01(a.data[i]!) - clamp01(b.data[i]!);
    se += d * d;
  }
  const mse = se / n;
  return mse === 0 ? Infinity : -10 * Math.log10(mse);
}

const WINDOW = 11;
const SIGMA = 1.5;

function gaussianKernel(): Float64Array {
  const k = new Float64Array(WINDOW);
  let sum = 0;
  for (let i = 0; i < WINDOW; i++) {
    const x = i - (WINDOW - 1) / 2;
    k[i] = Math.exp(-(x * x) / (2 * SIGMA * SIGMA));
    sum += k[i]!;
  }
  for (let i = 0; i < WINDOW; i++) k[i]! /= sum;
  return k;
}

/** Separable 'valid' filtering of a w×h plane: output (w−10)×(h−10). */
function blurValid(src: Float64Array, w: number, h: number, k: Float64Array): Float64Array {
  const ow = w - WINDOW + 1;
  const oh = h - WINDOW + 1;
  const tmp = new Float64Array(ow * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let t = 0; t < WINDOW; t++) s += k[t]! * src[y * w + x + t]!;
      tmp[y * ow + x] = s;
    }
  }
  const out = new Float64Array(ow * oh);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let t = 0; t < WINDOW; t++) s += k[t]! * tmp[(y + t) * ow + x]!;
      out[y * ow + x] = s;
    }
  }
  return out;
}

/** Mean SSIM over the valid region and the three channels; NaN for images under 11×11 px. */
export function ssim(a: ImageRGB, b: ImageRGB): number {
  sameShape(a, b);
  const { width: w, height: h } = a;
  if (w < WINDOW || h < WINDOW) return NaN;
  const k = gaussianKernel();
  const c1 = 0.01 ** 2;
  const c2 = 0.03 ** 2;
  const n = w * h;
  let total = 0;
  let count = 0;
  for (let c = 0; c < 3; c++) {
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = clamp01(a.data[i * 3 + c]!);
      y[i] = clamp01(b.data[i * 3 + c]!);
    }
    const xx = x.map((v) => v * v);
    const yy = y.map((v) => v * v);
    const xy = x.map((v, i) => v * y[i]!);
    const mx = blurValid(x, w, h, k);
    const my = blurValid(y, w, h, k);
    const sxx = blurValid(xx, w, h, k);
    const syy = blurValid(yy, w, h, k);
    const sxy = blurValid(xy, w, h, k);
    for (let i = 0; i < mx.length; i++) {
      const mux = mx[i]!;
      const muy = my[i]!;
      const vx = sxx[i]! - mux * mux;
      const vy = syy[i]! - muy * muy;
      const cov = sxy[i]! - mux * muy;
      total +=
        ((2 * mux * muy + c1) * (2 * cov + c2)) / ((mux * mux + muy * muy + c1) * (vx + vy + c2));
      count++;
    }
  }
  return total / count;
}

function clamp01(v: number): number {
  // NaN maps to 0 so a broken render scores badly instead of poisoning the mean.
  return v > 0 ? (v < 1 ? v : 1) : 0;
}

function sameShape(a: ImageRGB, b: ImageRGB): void {
  if (a.width !== b.width || a.height !== b.height || a.data.length !== b.data.length) {
    throw new Error(`image sizes differ: ${a.width}×${a.height} vs ${b.width}×${b.height}`);
  }
}
