import { ssimReference } from "./reference/loss.js";
import type { ImageRGB } from "./types.js";

/**
 * Evaluation metrics on the CPU (evaluation images are small): PSNR over all channels, in dB,
 * capped at 100 dB so identical images give a finite number (JSON and the status schema need one).
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
  return mse <= 1e-10 ? 100 : -10 * Math.log10(mse);
}

/**
 * Mean SSIM over all pixels and the three channels, computed by the CPU reference (11×11
 * Gaussian window, σ = 1.5, zero-padded as INRIA's evaluation), on images clamped to [0, 1].
 */
export function ssim(a: ImageRGB, b: ImageRGB): number {
  sameShape(a, b);
  return ssimReference(a.data.map(clamp01), b.data.map(clamp01), a.width, a.height).value;
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
