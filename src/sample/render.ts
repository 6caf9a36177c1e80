import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { PNG } from "pngjs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { SplatbookError } from "../util/errors.js";
import { runTool } from "../util/exec.js";
import { applyLook, frameLooks, type ExposureDrift } from "./exposure.js";

/** One synthetic video: a POV-Ray scene animated over `frames` frames, encoded with ffmpeg. */
export interface VideoSpec {
  /** File name of the encoded video; `.mov` gives a QuickTime file, anything else mp4. */
  fileName: string;
  /** Complete POV-Ray scene, camera included (animated by `clock` or `frame_number`). */
  source: string;
  /** Rendered (upright, displayed) size in pixels. */
  width: number;
  height: number;
  frames: number;
  fps: number;
  /** POV-Ray's cyclic animation (+KC): `clock` stops one step short of 1, for looping orbits. */
  cyclicClock?: boolean;
  /**
   * Clockwise degrees a player turns the stored picture to show it upright, as phones record
   * portrait video: the pixels are stored turned the other way and the display matrix says so.
   */
  rotation?: 0 | 90 | 180 | 270;
  /** Container tags, in order (ffmpeg `-metadata`; custom keys kept by `use_metadata_tags`). */
  tags: Readonly<Record<string, string>>;
  /** Frame-by-frame exposure, white balance, flare and blur applied before encoding. */
  drift?: ExposureDrift;
}

/** Options shared by every render. */
export interface RenderOptions {
  /** Number of POV-Ray processes run at once (default: 3 per core, at most 12). */
  concurrency?: number;
  signal?: AbortSignal;
  /** Called once per rendered frame with (done, total) over all videos. */
  onProgress?: (done: number, total: number) => void;
}

/** ffmpeg filter that stores an upright picture turned against its display rotation. */
const STORE_ROTATED: Record<number, string | null> = {
  0: null,
  90: "transpose=2", // 90° counter-clockwise; the player turns it 90° clockwise
  180: "hflip,vflip",
  270: "transpose=1",
};

/**
 * Renders every video into `dir` (created if missing); returns their absolute paths in order.
 * Frames are rendered in a hidden scratch folder beside the output and removed afterwards;
 * each video appears atomically (written as `.partial`, then renamed).
 */
export async function renderVideos(
  dir: string,
  specs: readonly VideoSpec[],
  opts: RenderOptions = {},
): Promise<string[]> {
  const outDir = resolve(dir);
  await mkdir(outDir, { recursive: true });
  return withScratch(outDir, async (work) => {
    await renderFrames(work, specs, opts);
    const videos: string[] = [];
    for (const [i, spec] of specs.entries()) {
      if (spec.drift) await driftFrames(work, i, spec, spec.drift);
      const target = join(outDir, spec.fileName);
      await encodeVideo(work, i, spec, target, opts.signal);
      videos.push(target);
    }
    return videos;
  });
}

/**
 * Runs `fn` with a scratch folder inside `outDir` (same file system, so final renames are atomic;
 * POV-Ray sees only relative names there, as its option parser splits on spaces), removed after.
 */
export async function withScratch<T>(outDir: string, fn: (work: string) => Promise<T>): Promise<T> {
  const work = await mkdtemp(join(outDir, ".sample-render-"));
  try {
    return await fn(work);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Applies a video's exposure drift to its rendered frames, in place. */
async function driftFrames(work: string, video: number, spec: VideoSpec, drift: ExposureDrift) {
  const names = (await readdir(work)).filter((n) => n.startsWith(`video${video}_`)).sort();
  const looks = frameLooks(drift, names.length);
  for (const [k, name] of names.entries()) {
    const file = join(work, name);
    const png = PNG.sync.read(await readFile(file));
    applyLook(png.data, png.width, png.height, looks[k]!);
    await writeFile(file, PNG.sync.write(png));
  }
}

/** What POV-Ray renders for one sequence: a scene animated over `frames` frames at a size. */
export type FrameSequence = Pick<
  VideoSpec,
  "fileName" | "source" | "width" | "height" | "frames" | "cyclicClock"
>;

/**
 * Renders every sequence's frames as `video<i>_<n>.png` (n 1-based, zero-padded to the width of
 * the last number) into `work`, several POV-Ray processes at once.
 */
export async function renderFrames(
  work: string,
  specs: readonly FrameSequence[],
  opts: RenderOptions = {},
): Promise<void> {
  const jobs = specs.flatMap((spec, i) => chunkJobs(i, spec.frames));
  const total = specs.reduce((n, s) => n + s.frames, 0);
  let done = 0;
  await Promise.all(specs.map((s, i) => writeFile(join(work, `video${i}.pov`), s.source)));
  const concurrency = opts.concurrency ?? Math.min(12, 3 * availableParallelism());
  await runPool(jobs, concurrency, async (job) => {
    await renderChunk(work, job, specs[job.video]!, opts.signal);
    done += job.last - job.first + 1;
    opts.onProgress?.(done, total);
  });
}

/** The rendered PNG of frame `n` (1-based) of sequence `i` in `work`. */
export function framePng(work: string, i: number, n: number, frames: number): string {
  return join(work, `video${i}_${String(n).padStart(String(frames).length, "0")}.png`);
}

interface ChunkJob {
  video: number;
  /** 1-based frame numbers, inclusive. */
  first: number;
  last: number;
}

/** Splits a video into chunks of frames so several POV-Ray processes overlap their start-up. */
function chunkJobs(video: number, frames: number): ChunkJob[] {
  const size = 8;
  const jobs: ChunkJob[] = [];
  for (let first = 1; first <= frames; first += size) {
    jobs.push({ video, first, last: Math.min(frames, first + size - 1) });
  }
  return jobs;
}

async function renderChunk(
  work: string,
  job: ChunkJob,
  spec: FrameSequence,
  signal?: AbortSignal,
): Promise<void> {
  const args = [
    `+Ivideo${job.video}.pov`,
    `+Ovideo${job.video}_`,
    "+FN", // PNG
    `+W${spec.width}`,
    `+H${spec.height}`,
    "-D", // no display window
    "-A", // no anti-aliasing: faster, and aliasing-free procedural textures need none
    "-GA", // no banner/statistics chatter
    "+WT1", // one thread per process; the pool supplies the parallelism
    "+KFI1",
    // A one-frame "animation" would not be one (frame_number 0): declare two, render the first.
    `+KFF${Math.max(2, spec.frames)}`,
    ...(spec.cyclicClock ? ["+KC"] : []),
    `+SF${job.first}`,
    `+EF${job.last}`,
  ];
  const r = await runTool("povray", args, { cwd: work, signal });
  if (r.code !== 0) {
    const tail = r.stderr.trim().split("\n").slice(-3).join(" ");
    throw new SplatbookError(`povray failed on ${spec.fileName} (exit ${r.code}): ${tail}`);
  }
}

async function encodeVideo(
  work: string,
  video: number,
  spec: VideoSpec,
  target: string,
  signal?: AbortSignal,
): Promise<void> {
  const digits = String(spec.frames).length; // POV-Ray pads frame numbers to the last one's width
  const names = (await readdir(work)).filter((n) => n.startsWith(`video${video}_`));
  if (names.length !== spec.frames) {
    throw new SplatbookError(
      `povray rendered ${names.length}/${spec.frames} frames of ${spec.fileName}`,
    );
  }
  const partial = `${target}.partial`;
  const rotate = STORE_ROTATED[spec.rotation ?? 0];
  const args = [
    ...["-nostdin", "-loglevel", "error", "-y"],
    ...["-framerate", String(spec.fps), "-start_number", "1"],
    ...["-i", join(work, `video${video}_%0${digits}d.png`)],
    ...(rotate ? ["-vf", rotate] : []),
    ...["-c:v", "libx264", "-preset", "veryfast", "-crf", "16", "-pix_fmt", "yuv420p"],
    ...["-threads", "2"], // fixed thread count: x264 output is reproducible for a given count
    ...["-fflags", "+bitexact", "-flags:v", "+bitexact"], // no encoder version string
    ...Object.entries(spec.tags).flatMap(([k, v]) => ["-metadata", `${k}=${v}`]),
    ...["-movflags", "+use_metadata_tags+faststart"],
    ...["-f", /\.mov$/i.test(spec.fileName) ? "mov" : "mp4", partial],
  ];
  const r = await runTool("ffmpeg", args, { signal });
  if (r.code !== 0) {
    throw new SplatbookError(`ffmpeg could not encode ${target}: ${r.stderr.trim().slice(-300)}`, {
      file: target,
    });
  }
  if (rotate) await setDisplayRotation(partial, spec.rotation!, signal);
  await rename(partial, target);
}

/**
 * Writes the display matrix of the video track (clockwise degrees, as phones do). ffmpeg 5.1
 * no longer turns a `rotate` tag into a matrix when muxing; exiftool writes it in place.
 */
async function setDisplayRotation(file: string, degrees: number, signal?: AbortSignal) {
  const r = await runTool("exiftool", ["-q", "-overwrite_original", `-Rotation=${degrees}`, file], {
    signal,
  });
  if (r.code !== 0) {
    throw new SplatbookError(`exiftool could not set the rotation of ${file}: ${r.stderr.trim()}`, {
      file,
    });
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; the first failure rejects. */
export async function runPool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
