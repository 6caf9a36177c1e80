/**
 * Synthetic photographs: a POV-Ray scene rendered at one posed camera per photo, written as JPEG
 * (stored turned against its EXIF orientation, as cameras do) with EXIF/XMP tags set by exiftool.
 */
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { SplatbookError } from "../util/errors.js";
import { runTool } from "../util/exec.js";
import { framePng, renderFrames, runPool, withScratch, type RenderOptions } from "./render.js";

/** One photo of a series. */
export interface PhotoSpec {
  /** Path relative to the capture folder; subfolders are created. */
  fileName: string;
  /**
   * EXIF orientation: 1 upright, 3 upside down, 6 and 8 sideways. The pixels are stored turned so
   * that a viewer applying the tag shows the render upright.
   */
  orientation?: 1 | 3 | 6 | 8;
  /** exiftool assignments, e.g. `{ Make: "DJI", "XMP-drone-dji:RelativeAltitude": "+40.00" }`. */
  tags: Readonly<Record<string, string | number>>;
}

/** Photos of one scene and camera size: frame i of the scene's animation is photo i. */
export interface PhotoSeriesSpec {
  /** Complete POV-Ray scene whose camera takes frame `frame_number` (1-based) per photo. */
  source: string;
  /** Upright (displayed) size in pixels. */
  width: number;
  height: number;
  photos: PhotoSpec[];
}

/** ffmpeg filters storing an upright picture so that EXIF orientation `o` shows it upright. */
const STORE_FOR_ORIENTATION: Record<number, string | null> = {
  1: null,
  3: "hflip,vflip",
  6: "transpose=2", // viewer turns 90° clockwise: store it turned 90° counter-clockwise
  8: "transpose=1",
};

/** exiftool arguments setting a photo's tags and orientation. */
function exifArgs(photo: PhotoSpec): string[] {
  const args = Object.entries(photo.tags).map(([k, v]) => `-${k}=${v}`);
  args.push(`-Orientation#=${photo.orientation ?? 1}`);
  return args;
}

/**
 * Renders every series and writes its photos into `dir`; returns their absolute paths. Each
 * photo appears whole (written as `.partial.jpg`, tagged, then renamed).
 */
export async function renderPhotos(
  dir: string,
  series: readonly PhotoSeriesSpec[],
  opts: RenderOptions = {},
): Promise<string[]> {
  const outDir = resolve(dir);
  await mkdir(outDir, { recursive: true });
  if (series.length === 0) return [];
  return withScratch(outDir, async (work) => {
    const sequences = series.map((s) => ({
      ...{ fileName: s.photos[0]?.fileName ?? "photo", source: s.source },
      ...{ width: s.width, height: s.height, frames: s.photos.length },
    }));
    await renderFrames(work, sequences, opts);
    const jobs = series.flatMap((s, i) =>
      s.photos.map((p, n) => ({ i, n, p, frames: s.photos.length })),
    );
    await runPool(jobs, 2, async ({ i, n, p, frames }) => {
      const target = join(outDir, p.fileName);
      await mkdir(dirname(target), { recursive: true });
      const partial = join(work, `photo_${i}_${n}.jpg`);
      await encodeJpeg(framePng(work, i, n + 1, frames), partial, p.orientation ?? 1, opts.signal);
      await writeFile(join(work, `photo_${i}_${n}.args`), exifArgs(p).join("\n") + "\n");
      const r = await runTool(
        "exiftool",
        ["-q", "-overwrite_original", "-@", join(work, `photo_${i}_${n}.args`), partial],
        { signal: opts.signal },
      );
      if (r.code !== 0) {
        throw new SplatbookError(`exiftool could not tag ${p.fileName}: ${r.stderr.trim()}`);
      }
      await rename(partial, target);
    });
    return series.flatMap((s) => s.photos.map((p) => join(outDir, p.fileName)));
  });
}

async function encodeJpeg(png: string, out: string, orientation: number, signal?: AbortSignal) {
  const store = STORE_FOR_ORIENTATION[orientation];
  const r = await runTool(
    "ffmpeg",
    [
      ...["-nostdin", "-loglevel", "error", "-y", "-i", png],
      ...(store ? ["-vf", store] : []),
      ...["-q:v", "2", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-frames:v", "1", out],
    ],
    { signal },
  );
  if (r.code !== 0) throw new SplatbookError(`ffmpeg could not encode ${out}: ${r.stderr.trim()}`);
}
