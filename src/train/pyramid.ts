/**
 * Coarse-to-fine training: the first part of a run steps through the training views at half
 * (and a quarter of) the final resolution, so a time budget buys a higher final resolution. The
 * coarse images are 2×2 box averages of the finer ones and their cameras are scaled exactly (a
 * coarse pixel covers four fine ones: u' = u/2, so fx, fy, cx, cy halve), so every level sees the
 * same picture. `--max-resolution` stays the final resolution and `--steps` the total steps.
 */
import type { TrainingView } from "./dataset.js";
import type { Camera, ImageRGB } from "./types.js";

/** A level is only used while its long side is at least this (smaller images teach little). */
export const MIN_LEVEL_SIDE = 80;
/** At most this many levels below the final resolution. */
export const MAX_COARSE_LEVELS = 2;
/**
 * Share of the run spent below the final resolution, split evenly between the coarse levels
 * (coarsest first), unless the plan chose a larger one to reach a higher final resolution
 * (plan.ts).
 */
export const COARSE_SHARE = 0.4;

/** Coarse levels for a final long side: how many halvings stay ≥ {@link MIN_LEVEL_SIDE}. */
export function coarseLevels(longSide: number): number {
  let levels = 0;
  while (levels < MAX_COARSE_LEVELS && longSide / 2 ** (levels + 1) >= MIN_LEVEL_SIDE) levels++;
  return levels;
}

/**
 * The level (0 = final resolution) of step `step` (0-based) of a run of `steps` steps with `levels`
 * coarse levels: level `levels` first, each for an equal part of the coarse share.
 */
export function levelAt(step: number, steps: number, levels: number, share = COARSE_SHARE): number {
  if (levels === 0) return 0;
  const part = (share * steps) / levels;
  const k = Math.floor(step / part);
  return k >= levels ? 0 : levels - k;
}

/** Share of the run's steps at each level (index = level), for the plan's time estimate. */
export function levelShares(levels: number, share = COARSE_SHARE): number[] {
  if (levels === 0) return [1];
  return [1 - share, ...Array.from({ length: levels }, () => share / levels)];
}

/** A 2×2 box average of an image (an odd last row or column is dropped). */
export function halveImage(img: ImageRGB): ImageRGB {
  const width = Math.max(1, Math.floor(img.width / 2));
  const height = Math.max(1, Math.floor(img.height / 2));
  const data = new Float32Array(width * height * 3);
  const at = (x: number, y: number, c: number) =>
    img.data[(Math.min(y, img.height - 1) * img.width + Math.min(x, img.width - 1)) * 3 + c]!;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const s =
          at(2 * x, 2 * y, c) +
          at(2 * x + 1, 2 * y, c) +
          at(2 * x, 2 * y + 1, c) +
          at(2 * x + 1, 2 * y + 1, c);
        data[(y * width + x) * 3 + c] = s / 4;
      }
    }
  }
  return { width, height, data };
}

/** The camera of a halved image: the same rays through the coarse pixel centres. */
export function halveCamera(cam: Camera, width: number, height: number): Camera {
  return { ...cam, width, height, fx: cam.fx / 2, fy: cam.fy / 2, cx: cam.cx / 2, cy: cam.cy / 2 };
}

/** The training views at every level: index 0 is `views` itself, then each halving. */
export function buildPyramid(views: readonly TrainingView[], levels: number): TrainingView[][] {
  const out: TrainingView[][] = [[...views]];
  for (let l = 1; l <= levels; l++) {
    out.push(
      out[l - 1]!.map((v) => {
        const image = halveImage(v.image);
        return { name: v.name, image, camera: halveCamera(v.camera, image.width, image.height) };
      }),
    );
  }
  return out;
}

/** `steps 1–380 at 80 px, 381–1900 at 160 px`: the schedule of a run, for the plan's log line. */
export function describeSchedule(
  steps: number,
  longSide: number,
  levels: number,
  share = COARSE_SHARE,
): string {
  const parts: string[] = [];
  let first = 0;
  for (let step = 1; step <= steps; step++) {
    const level = levelAt(first, steps, levels, share);
    if (step === steps || levelAt(step, steps, levels, share) !== level) {
      parts.push(`${first + 1}–${step} at ${Math.floor(longSide / 2 ** level)} px`);
      first = step;
    }
  }
  return `steps ${parts.join(", ")}`;
}
