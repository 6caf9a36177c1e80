/**
 * Photos into frames/_photos: each decoded (HEIC through libheif's heif-convert), turned upright by
 * its EXIF orientation, brought to the long-side limit like video frames (never upscaled) and
 * written as JPEG. The folder is written whole beside frames/ and renamed into place; a rerun with
 * the same photos and options reuses it.
 */
import { access, mkdir, mkdtemp, readFile, rename, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { writeJsonAtomically } from "../util/atomicFile.js";
import { SplatbookError } from "../util/errors.js";
import { runTool } from "../util/exec.js";
import type { PhotoProbe } from "./photoProbe.js";
import { mapWithLimit } from "./pool.js";
import { ffmpegInputUrl } from "./probe.js";
import { outputSize, type ExtractionOptions } from "./sampling.js";
import { assignStems } from "./stems.js";
import type { ExtractedPhoto } from "../contracts/stageResults.js";

export type { ExtractedPhoto } from "../contracts/stageResults.js";

/** ffmpeg filters turning a stored picture upright for each EXIF orientation (1–8). */
const UPRIGHT: Record<number, string | null> = {
  1: null,
  2: "hflip",
  3: "hflip,vflip",
  4: "vflip",
  5: "transpose=0", // transpose across the main diagonal
  6: "transpose=1", // stored turned 90° counter-clockwise: turn it clockwise
  7: "transpose=3",
  8: "transpose=2",
};

/** Under frames/: a video's folder never starts with "_" (safeStem strips it), so no clash. */
export const PHOTOS_DIR = "_photos";
const EXTRACTION_VERSION = 1;

async function writeOne(
  photo: PhotoProbe,
  target: string,
  size: { width: number; height: number },
  signal?: AbortSignal,
): Promise<void> {
  let source = photo.path;
  let scratch: string | null = null;
  try {
    if (photo.format === "heif") {
      scratch = await mkdtemp(join(tmpdir(), "splatbook-heif-"));
      source = join(scratch, "decoded.png");
      const r = await runTool("heif-convert", [photo.path, source], { signal });
      if (r.code !== 0)
        throw new SplatbookError(`${photo.filename}: HEIF decoding failed`, { file: photo.path });
    }
    const upright = UPRIGHT[photo.orientation] ?? null;
    const scale = size.width === photo.display_width && size.height === photo.display_height;
    const filters = [
      upright,
      scale ? null : `scale=${size.width}:${size.height}:flags=area`,
    ].filter(Boolean);
    const r = await runTool(
      "ffmpeg",
      [
        ...["-nostdin", "-v", "error", "-y", "-noautorotate", "-i", ffmpegInputUrl(source)],
        ...(filters.length ? ["-vf", filters.join(",")] : []),
        ...["-frames:v", "1", "-q:v", "2", "-pix_fmt", "yuvj420p", target],
      ],
      { signal },
    );
    if (r.code !== 0) {
      const last = r.stderr.trim().split("\n").pop() ?? "";
      throw new SplatbookError(
        `${photo.filename}: cannot write its frame (${last.slice(0, 160)})`,
        {
          file: photo.path,
        },
      );
    }
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Writes every photo into `<output>/frames/_photos/<stem>.jpg`; `captureDir` holds the partial
 * folder and the reuse record.
 */
export async function extractPhotos(
  outputFolder: string,
  captureDir: string,
  photos: readonly PhotoProbe[],
  opts: ExtractionOptions,
  options: { signal?: AbortSignal; onProgress?: (fraction: number) => void } = {},
): Promise<ExtractedPhoto[]> {
  const finalDir = join(outputFolder, "frames", PHOTOS_DIR);
  if (photos.length === 0) {
    await rm(finalDir, { recursive: true, force: true });
    return [];
  }
  const key = JSON.stringify({
    v: EXTRACTION_VERSION,
    maxLongSide: opts.maxLongSide,
    photos: photos.map((p) => [p.filename, p.size, p.mtimeMs]),
  });
  const record = join(captureDir, "photos.json");
  const earlier = await previous(outputFolder, record, key);
  if (earlier) return earlier;
  const stems = assignStems(photos.map((p) => p.filename));
  const partial = join(captureDir, "partial-photos");
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  let done = 0;
  const written = await mapWithLimit(photos, availableParallelism(), async (p) => {
    const size = outputSize(p.display_width, p.display_height, opts.maxLongSide);
    const file = `${stems.get(p.filename)!}.jpg`;
    await writeOne(p, join(partial, file), size, options.signal);
    options.onProgress?.(++done / photos.length);
    return { filename: p.filename, path: `frames/${PHOTOS_DIR}/${file}`, ...size };
  });
  await rm(record, { force: true });
  await rm(finalDir, { recursive: true, force: true });
  await rename(partial, finalDir);
  await writeJsonAtomically(record, { key, photos: written });
  return written;
}

async function previous(
  outputFolder: string,
  record: string,
  key: string,
): Promise<ExtractedPhoto[] | null> {
  try {
    const side = JSON.parse(await readFile(record, "utf8")) as {
      key: string;
      photos: ExtractedPhoto[];
    };
    if (side.key !== key) return null;
    await Promise.all(side.photos.map((p) => access(join(outputFolder, p.path))));
    return side.photos;
  } catch {
    return null;
  }
}
