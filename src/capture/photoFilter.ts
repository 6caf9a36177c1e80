/**
 * The optional photo filter (FrameExtraction's `photoFilter`): drops photos much blurrier than
 * the other photos of the same size in the capture, and photos that nearly repeat the photo
 * before them (a burst, a double press). Both thresholds are relative to the capture itself,
 * since a focus score or a picture difference means nothing without the scene it came from.
 */
import { join } from "node:path";
import type { ExtractedPhoto, FileIssue } from "../contracts/stageResults.js";
import { SplatbookError } from "../util/errors.js";
import { runFfmpeg } from "./ffmpegProcess.js";
import { ffmpegInputUrl } from "./probe.js";
import { outputSize } from "./sampling.js";
import { laplacianVariance } from "./sharpness.js";
import { mapWithLimit } from "./pool.js";
import { median } from "../util/median.js";

/** Long side of the grayscale picture a photo is scored on (as video frames are). */
const SCORE_LONG_SIDE = 320;
/** Side of the square thumbnail two photos are compared on. */
const THUMB = 32;
/**
 * Blurry: sharpness under this fraction of the median sharpness of the photos of its size. A
 * blur of 1.5 px at the scoring size already takes the variance of the Laplacian down more than
 * tenfold, while views of one scene vary by a few times.
 */
const BLUR_FRACTION = 0.2;
/** Fewer photos of one size than this give no trustworthy median: none is called blurry. */
const MIN_PHOTOS_FOR_BLUR = 5;
/**
 * Near-duplicate: thumbnail difference (mean absolute difference of the normalised thumbnails)
 * under this fraction of the median difference between neighbours, and under DUPLICATE_MAX.
 */
const DUPLICATE_FRACTION = 0.2;
/** A difference this small is a repeat whatever the capture (a tenth of the picture's spread). */
const DUPLICATE_MAX = 0.1;

/** What the filter sees of one photo. */
export interface PhotoLook {
  filename: string;
  width: number;
  height: number;
  /** Variance of the Laplacian at SCORE_LONG_SIDE. */
  sharpness: number;
  /** THUMB×THUMB block means, normalised to zero mean and unit spread. */
  thumb: Float64Array;
}

/** A photo the filter left out, and why (one line). */
export type DroppedPhoto = FileIssue;

/** Block means of a grayscale picture on a THUMB×THUMB grid, normalised. */
export function thumbnail(gray: Uint8Array, width: number, height: number): Float64Array {
  const sums = new Float64Array(THUMB * THUMB);
  const counts = new Float64Array(THUMB * THUMB);
  for (let y = 0; y < height; y++) {
    const ty = Math.min(THUMB - 1, Math.floor((y * THUMB) / height));
    for (let x = 0; x < width; x++) {
      const t = ty * THUMB + Math.min(THUMB - 1, Math.floor((x * THUMB) / width));
      sums[t]! += gray[y * width + x]!;
      counts[t]! += 1;
    }
  }
  const means = sums.map((s, i) => s / Math.max(1, counts[i]!));
  const mean = means.reduce((a, b) => a + b, 0) / means.length;
  const spread = Math.sqrt(means.reduce((a, b) => a + (b - mean) ** 2, 0) / means.length) || 1;
  return means.map((m) => (m - mean) / spread);
}

/** Mean absolute difference of two normalised thumbnails. */
export function thumbDifference(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.abs(a[i]! - b[i]!);
  return d / a.length;
}

/** Decodes one written photo small and gray, and scores it. */
async function lookAt(
  outputFolder: string,
  photo: ExtractedPhoto,
  signal?: AbortSignal,
): Promise<PhotoLook> {
  const small = outputSize(photo.width, photo.height, SCORE_LONG_SIDE);
  const chunks: Buffer[] = [];
  const { code, stderrTail } = await runFfmpeg(
    [
      ...["-v", "error", "-i", ffmpegInputUrl(join(outputFolder, photo.path))],
      ...["-vf", `scale=${small.width}:${small.height}:flags=area,format=gray`],
      ...["-frames:v", "1", "-f", "rawvideo", "pipe:1"],
    ],
    { signal, onStdout: (c) => chunks.push(c) },
  );
  const gray = new Uint8Array(Buffer.concat(chunks));
  if (code !== 0 || gray.length !== small.width * small.height) {
    const last = stderrTail.trim().split("\n").pop() ?? "";
    throw new SplatbookError(`${photo.filename}: cannot score its sharpness (${last})`);
  }
  return {
    filename: photo.filename,
    width: photo.width,
    height: photo.height,
    sharpness: laplacianVariance(gray, small.width, small.height),
    thumb: thumbnail(gray, small.width, small.height),
  };
}

/** Photos much blurrier than the median of the photos of their size. */
function blurry(looks: readonly PhotoLook[]): Map<string, string> {
  const bySize = new Map<string, PhotoLook[]>();
  for (const l of looks) {
    const key = `${l.width}x${l.height}`;
    bySize.set(key, [...(bySize.get(key) ?? []), l]);
  }
  const out = new Map<string, string>();
  for (const group of bySize.values()) {
    if (group.length < MIN_PHOTOS_FOR_BLUR) continue;
    const m = median(group.map((l) => l.sharpness));
    for (const l of group) {
      if (l.sharpness < BLUR_FRACTION * m) {
        out.set(
          l.filename,
          `blurry (sharpness ${l.sharpness.toFixed(1)}, ${(l.sharpness / m).toFixed(2)}× ` +
            `the median ${m.toFixed(1)} of its ${group.length} photos of that size)`,
        );
      }
    }
  }
  return out;
}

/**
 * Which photos to drop, in name order (cameras number their files in shooting order): blurry
 * ones first, then each near-duplicate of the last kept photo before it; of a repeat, the
 * sharper photo stays.
 */
export function choosePhotos(looks: readonly PhotoLook[]): DroppedPhoto[] {
  const order = [...looks].sort((a, b) =>
    a.filename.localeCompare(b.filename, undefined, { numeric: true }),
  );
  const blur = blurry(order);
  const sharp = order.filter((l) => !blur.has(l.filename));
  const sameSize = (a: PhotoLook, b: PhotoLook) => a.width === b.width && a.height === b.height;
  const steps = sharp
    .slice(1)
    .map((l, i) => (sameSize(l, sharp[i]!) ? thumbDifference(l.thumb, sharp[i]!.thumb) : NaN))
    .filter(Number.isFinite);
  const limit = steps.length ? Math.min(DUPLICATE_MAX, DUPLICATE_FRACTION * median(steps)) : 0;
  const dropped = new Map(blur);
  let kept: PhotoLook | undefined;
  for (const l of sharp) {
    const d = kept && sameSize(l, kept) ? thumbDifference(l.thumb, kept.thumb) : Infinity;
    if (!kept || d >= limit) {
      kept = l;
      continue;
    }
    const [stay, go] = l.sharpness > kept.sharpness ? [l, kept] : [kept, l];
    dropped.set(
      go.filename,
      `near-duplicate of ${stay.filename} (difference ${d.toFixed(3)}, under ${limit.toFixed(3)}: ` +
        `${DUPLICATE_FRACTION}× the median ${median(steps).toFixed(3)} between neighbours)`,
    );
    kept = stay;
  }
  return order
    .filter((l) => dropped.has(l.filename))
    .map((l) => ({
      filename: l.filename,
      cause: dropped.get(l.filename)!,
    }));
}

/** Scores every written photo and splits them into kept and dropped. */
export async function filterPhotos(
  outputFolder: string,
  photos: readonly ExtractedPhoto[],
  opts: { signal?: AbortSignal; concurrency: number },
): Promise<{ kept: ExtractedPhoto[]; dropped: DroppedPhoto[] }> {
  const looks = await mapWithLimit(photos, opts.concurrency, (p) =>
    lookAt(outputFolder, p, opts.signal),
  );
  const dropped = choosePhotos(looks);
  const gone = new Set(dropped.map((d) => d.filename));
  return { kept: photos.filter((p) => !gone.has(p.filename)), dropped };
}
