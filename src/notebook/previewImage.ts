import { readFileSync } from "node:fs";
import { PNG } from "pngjs";

/** Largest side of a preview embedded in a bundle: a few kB, resent with every update. */
export const EMBEDDED_PREVIEW_MAX_SIDE = 192;

/** Box-filters an RGBA image down by an integer factor. */
function shrink(src: PNG, factor: number): PNG {
  const width = Math.max(1, Math.floor(src.width / factor));
  const height = Math.max(1, Math.floor(src.height / factor));
  const out = new PNG({ width, height });
  const n = factor * factor;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 4; c++) {
        let sum = 0;
        for (let dy = 0; dy < factor; dy++) {
          for (let dx = 0; dx < factor; dx++) {
            sum += src.data[((y * factor + dy) * src.width + x * factor + dx) * 4 + c]!;
          }
        }
        out.data[(y * width + x) * 4 + c] = Math.round(sum / n);
      }
    }
  }
  return out;
}

/**
 * A PNG file as base64, shrunk (box filter, integer factor) so its larger side is at most
 * `maxSide`; null when the file is missing or not a readable PNG (it may be mid-write elsewhere).
 */
export function embeddedPng(
  path: string | null | undefined,
  maxSide = EMBEDDED_PREVIEW_MAX_SIDE,
): string | null {
  if (!path) return null;
  let bytes: Buffer;
  let png: PNG;
  try {
    bytes = readFileSync(path);
    png = PNG.sync.read(bytes);
  } catch {
    return null;
  }
  const factor = Math.ceil(Math.max(png.width, png.height) / maxSide);
  if (factor <= 1) return bytes.toString("base64");
  return PNG.sync.write(shrink(png, factor)).toString("base64");
}
