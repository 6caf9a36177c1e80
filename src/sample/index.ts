import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { SplatbookError } from "../util/errors.js";
import { runTool } from "../util/exec.js";
import { DEFAULT_ORBITS, sceneSource, type Orbit } from "./scene.js";

export { DEFAULT_ORBITS, SCENE_CENTRE, type Orbit } from "./scene.js";

/** Options of the synthetic sample capture. */
export interface SampleOptions {
  /** Frame width in pixels (default 320). */
  width?: number;
  /** Frame height in pixels (default 240). */
  height?: number;
  /** Frames rendered per orbit, i.e. per video (default 60: FrameExtraction's default count). */
  framesPerOrbit?: number;
  /** Video frame rate (default 24). */
  fps?: number;
  /** Horizontal field of view of the rendered camera (default 65°, the manifest's default prior). */
  fovDeg?: number;
  /** Camera paths, one video each (default: two orbits of different radius and height). */
  orbits?: readonly Orbit[];
  /** Number of POV-Ray processes run at once (default: 3 per core, at most 12). */
  concurrency?: number;
  signal?: AbortSignal;
  /** Called once per rendered frame with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** What `renderSample` produced. */
export interface SampleResult {
  /** Absolute paths of the mp4 files, one per orbit. */
  videos: string[];
  width: number;
  height: number;
  framesPerOrbit: number;
  fovDeg: number;
  /** Wall time of render + encode. */
  seconds: number;
}

/** Metadata written into each sample video (ISO 6709 location, make, model). */
export const SAMPLE_METADATA = {
  make: "Splatbook",
  /** Model name per video, indexed like the orbits. */
  models: ["POV-Ray Orbit Low", "POV-Ray Orbit High"],
  /** San Francisco, 10 m; the second video sits a few metres east. */
  locations: ["+37.7749-122.4194+010.000/", "+37.7749-122.4193+012.000/"],
  creationTime: "2026-01-01T12:00:00.000000Z",
} as const;

const VIDEO_NAMES = ["orbit_a.mp4", "orbit_b.mp4", "orbit_c.mp4", "orbit_d.mp4"];

/**
 * Renders the synthetic sample capture into `dir`: one short H.264 mp4 per orbit carrying GPS,
 * make and model. Deterministic for the same options; existing sample videos are replaced.
 */
export async function renderSample(dir: string, opts: SampleOptions = {}): Promise<SampleResult> {
  const started = performance.now();
  const width = opts.width ?? 320;
  const height = opts.height ?? 240;
  const frames = opts.framesPerOrbit ?? 60;
  const fps = opts.fps ?? 24;
  const fovDeg = opts.fovDeg ?? 65;
  const orbits = opts.orbits ?? DEFAULT_ORBITS;
  if (orbits.length < 1 || orbits.length > VIDEO_NAMES.length) {
    throw new SplatbookError(`sample: between 1 and ${VIDEO_NAMES.length} orbits are supported`);
  }
  if (frames < 2 || width < 16 || height < 16) {
    throw new SplatbookError("sample: need at least 2 frames per orbit and 16×16 pixels");
  }
  const outDir = resolve(dir);
  await mkdir(outDir, { recursive: true });
  // Render beside the output (same file system, so the final rename is atomic), in a hidden
  // folder a watcher ignores; POV-Ray sees only relative names (its option parser splits on
  // spaces, and the output folder may contain them).
  const work = await mkdtemp(join(outDir, ".sample-render-"));
  try {
    const jobs = orbits.flatMap((orbit, i) => chunkJobs(i, frames));
    const total = orbits.length * frames;
    let done = 0;
    await Promise.all(
      orbits.map((orbit, i) =>
        writeFile(join(work, `orbit${i}.pov`), sceneSource(orbit, width, height, fovDeg)),
      ),
    );
    const concurrency = opts.concurrency ?? Math.min(12, 3 * availableParallelism());
    await runPool(jobs, concurrency, async (job) => {
      await renderChunk(work, job, { width, height, frames, signal: opts.signal });
      done += job.last - job.first + 1;
      opts.onProgress?.(done, total);
    });
    const videos: string[] = [];
    for (let i = 0; i < orbits.length; i++) {
      const target = join(outDir, VIDEO_NAMES[i]!);
      await encodeVideo(work, i, frames, fps, target, opts.signal);
      videos.push(target);
    }
    return {
      videos,
      width,
      height,
      framesPerOrbit: frames,
      fovDeg,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

interface ChunkJob {
  orbit: number;
  /** 1-based frame numbers, inclusive. */
  first: number;
  last: number;
}

/** Splits an orbit into chunks of frames so several POV-Ray processes overlap their start-up. */
function chunkJobs(orbit: number, frames: number): ChunkJob[] {
  const size = 8;
  const jobs: ChunkJob[] = [];
  for (let first = 1; first <= frames; first += size) {
    jobs.push({ orbit, first, last: Math.min(frames, first + size - 1) });
  }
  return jobs;
}

async function renderChunk(
  work: string,
  job: ChunkJob,
  o: { width: number; height: number; frames: number; signal?: AbortSignal },
): Promise<void> {
  const args = [
    `+Iorbit${job.orbit}.pov`,
    `+Oorbit${job.orbit}_`,
    "+FN", // PNG
    `+W${o.width}`,
    `+H${o.height}`,
    "-D", // no display window
    "-A", // no anti-aliasing: faster, and aliasing-free procedural textures need none
    "-GA", // no banner/statistics chatter
    "+WT1", // one thread per process; the pool supplies the parallelism
    "+KFI1",
    `+KFF${o.frames}`,
    "+KC", // cyclic: the last frame is one step short of the first
    `+SF${job.first}`,
    `+EF${job.last}`,
  ];
  const r = await runTool("povray", args, { cwd: work, signal: o.signal });
  if (r.code !== 0) {
    const tail = r.stderr.trim().split("\n").slice(-3).join(" ");
    throw new SplatbookError(`povray failed on orbit ${job.orbit} (exit ${r.code}): ${tail}`);
  }
}

async function encodeVideo(
  work: string,
  orbit: number,
  frames: number,
  fps: number,
  target: string,
  signal?: AbortSignal,
): Promise<void> {
  const digits = String(frames).length; // POV-Ray pads frame numbers to the final frame's width
  const names = (await readdir(work)).filter((n) => n.startsWith(`orbit${orbit}_`));
  if (names.length !== frames) {
    throw new SplatbookError(`povray rendered ${names.length}/${frames} frames of orbit ${orbit}`);
  }
  const partial = `${target}.partial`;
  const meta = (k: string, v: string) => ["-metadata", `${k}=${v}`];
  const args = [
    ...["-nostdin", "-loglevel", "error", "-y"],
    ...["-framerate", String(fps), "-start_number", "1"],
    ...["-i", join(work, `orbit${orbit}_%0${digits}d.png`)],
    ...["-c:v", "libx264", "-preset", "veryfast", "-crf", "16", "-pix_fmt", "yuv420p"],
    ...["-threads", "2"], // fixed thread count: x264 output is reproducible for a given count
    ...["-fflags", "+bitexact", "-flags:v", "+bitexact"], // no encoder version string
    ...meta("location", SAMPLE_METADATA.locations[orbit % 2]!),
    ...meta("make", SAMPLE_METADATA.make),
    ...meta("model", SAMPLE_METADATA.models[orbit % 2]!),
    ...meta("creation_time", SAMPLE_METADATA.creationTime),
    ...["-movflags", "+use_metadata_tags+faststart"],
    ...["-f", "mp4", partial],
  ];
  const r = await runTool("ffmpeg", args, { signal });
  if (r.code !== 0) {
    throw new SplatbookError(`ffmpeg could not encode ${target}: ${r.stderr.trim().slice(-300)}`, {
      file: target,
    });
  }
  await rename(partial, target);
}

/** Runs `fn` over `items` with at most `limit` in flight; the first failure rejects. */
async function runPool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
