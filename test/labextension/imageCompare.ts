// Comparing what the browser drew with what the trainer rendered: PNG decoding, area
// downscaling to a common size, and SSIM from the trainer's own metrics.
import { PNG } from "pngjs";
import type { ImageRGB } from "../../src/train/types.js";

/** An RGB float image from PNG bytes (alpha dropped). */
export function decodePng(bytes: Buffer): ImageRGB {
  const png = PNG.sync.read(bytes);
  const n = png.width * png.height;
  const data = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) data[i * 3 + c] = png.data[i * 4 + c]! / 255;
  }
  return { width: png.width, height: png.height, data };
}

/** Bytes of a `data:image/png;base64,…` URL. */
export function dataUrlBytes(url: string): Buffer {
  return Buffer.from(url.slice(url.indexOf(",") + 1), "base64");
}

/** Area-average resize to `width`×`height` (each output pixel averages the source it covers). */
export function resizeArea(img: ImageRGB, width: number, height: number): ImageRGB {
  const data = new Float32Array(width * height * 3);
  const sx = img.width / width;
  const sy = img.height / height;
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * sy);
    const y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * sx);
      const x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
      const sum = [0, 0, 0];
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          for (let c = 0; c < 3; c++) sum[c] += img.data[(yy * img.width + xx) * 3 + c]!;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = sum[c]! / n;
    }
  }
  return { width, height, data };
}
