import { PNG } from "pngjs";
import { writeFileAtomically } from "../util/atomicFile.js";
import type { ImageRGB } from "./types.js";

/** Encodes a float RGB image (values clamped to [0, 1]) as an 8-bit RGBA PNG. */
export function encodePng(image: ImageRGB): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  const n = image.width * image.height;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = image.data[i * 3 + c]!;
      png.data[i * 4 + c] = Math.round(Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * 255);
    }
    png.data[i * 4 + 3] = 255;
  }
  return PNG.sync.write(png);
}

/** `previews/step_00500.png`: the file name of the preview for a step. */
export function previewFileName(step: number): string {
  return `step_${String(step).padStart(5, "0")}.png`;
}

/** `previews/ground_truth.png`: the held-out view the previews render, for side-by-side display. */
export const GROUND_TRUTH_FILE_NAME = "ground_truth.png";

/** Writes a PNG atomically (viewers poll the previews folder). */
export async function writePng(path: string, image: ImageRGB): Promise<void> {
  await writeFileAtomically(path, encodePng(image));
}
