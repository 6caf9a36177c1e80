import { readdir, rename } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { runTool } from "../util/exec.js";
import { parseShowinfo, runFfmpeg } from "./ffmpegProcess.js";
import { mapWithLimit } from "./pool.js";
import { ffmpegInputUrl, type VideoProbe } from "./probe.js";
import type { SamplingPlan } from "./sampling.js";

/** Seconds of packets read to estimate the keyframe interval (demux only, no decoding). */
const GOP_SAMPLE_SECS = 12;

/**
 * Mean keyframe interval in seconds from the packet flags of the first seconds of the video;
 * Infinity when only one keyframe shows up (seeking would decode from the start anyway).
 */
export async function keyframeInterval(video: VideoProbe): Promise<number> {
  const res = await runTool("ffprobe", [
    "-v",
    "error",
    "-select_streams",
    "v:0",
    "-read_intervals",
    `%+${GOP_SAMPLE_SECS}`,
    "-show_entries",
    "packet=pts_time,flags",
    "-of",
    "csv=p=0",
    ffmpegInputUrl(video.path),
  ]);
  const keys = res.stdout
    .split("\n")
    .filter((l) => /,K/.test(l))
    .map((l) => Number(l.split(",")[0]))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (keys.length < 2) return Infinity;
  return (keys[keys.length - 1]! - keys[0]!) / (keys.length - 1);
}

/** Time to start ffmpeg and get one frame, and to decode each further frame, on one thread. */
export interface DecodeCost {
  startupSecs: number;
  perFrameSecs: number;
}

/** Frames decoded to measure {@link DecodeCost}. */
const CALIBRATION_FRAMES = 20;

/**
 * Measures this video's decode cost with one short single-threaded decode: the wall time to the
 * first frame (ffmpeg start, open, first decode) and the mean time per further frame, from when
 * showinfo reports each frame.
 */
export async function measureDecodeCost(video: VideoProbe): Promise<DecodeCost> {
  const start = performance.now();
  const stamps: number[] = [];
  const res = await runFfmpeg(
    [
      "-loglevel",
      "info",
      "-nostats",
      "-threads",
      "1",
      "-i",
      ffmpegInputUrl(video.path),
      "-map",
      "0:v:0",
      "-vf",
      "showinfo=checksum=0",
      "-frames:v",
      String(CALIBRATION_FRAMES),
      "-f",
      "null",
      "-",
    ],
    { onStderrLine: (line) => void (parseShowinfo(line) && stamps.push(performance.now())) },
  );
  if (res.code !== 0 || stamps.length < 2) return { startupSecs: NaN, perFrameSecs: NaN };
  const first = stamps[0]!;
  const last = stamps[stamps.length - 1]!;
  return {
    startupSecs: (first - start) / 1000,
    perFrameSecs: Math.max(1e-5, (last - first) / 1000 / (stamps.length - 1)),
  };
}

/** Videos shorter than this many frames are always decoded in one pass (seeking cannot pay off). */
const MIN_FRAMES_FOR_SEEK = 600;

/**
 * Whether seeking to each target beats decoding everything. Per core, seeking costs one ffmpeg
 * start plus half a keyframe interval of decoding per frame; one pass costs every frame.
 * Only sparse sampling is a candidate (windows ≥ 2 s in a video of ≥ 600 frames), so the
 * measurements below are not wasted on videos where seeking rarely wins; then windows must span
 * ≥ 4 keyframe intervals and seeking, priced with this video's measured decode cost, be
 * estimated ≥ 30 % cheaper.
 */
export async function shouldSeek(
  video: VideoProbe,
  plan: SamplingPlan,
  measure: (v: VideoProbe) => Promise<DecodeCost> = measureDecodeCost,
): Promise<boolean> {
  const fps = video.fps ?? 30;
  const totalFrames = video.nb_frames ?? video.duration_secs * fps;
  if (plan.step < 2 || totalFrames < MIN_FRAMES_FOR_SEEK) return false;
  // Both probes at once: they are short and mostly process start-up.
  const [gop, cost] = await Promise.all([keyframeInterval(video), measure(video)]);
  if (!Number.isFinite(gop) || plan.step < 4 * gop) return false;
  if (!Number.isFinite(cost.startupSecs) || !Number.isFinite(cost.perFrameSecs)) return false;
  const seekSecs = plan.count * (cost.startupSecs + (gop * fps * cost.perFrameSecs) / 2);
  const passSecs = totalFrames * cost.perFrameSecs;
  return seekSecs < 0.7 * passSecs;
}

/** Renumbers frame files to frame_000001.jpg … without gaps (a target past the end writes none). */
async function renumber(dir: string): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /^frame_\d{6}\.jpg$/.test(f)).sort();
  const out: string[] = [];
  for (const [i, f] of files.entries()) {
    const want = `frame_${String(i + 1).padStart(6, "0")}.jpg`;
    if (f !== want) await rename(join(dir, f), join(dir, want));
    out.push(want);
  }
  return out;
}

/**
 * Writes the frame nearest each window centre by seeking to it (accurate seek: decode from the
 * keyframe before, keep the first frame at or after the target), several targets at once. Same
 * frames as the single-pass select expression; far less decoding for sparse sampling.
 */
export async function seekExtract(
  video: VideoProbe,
  dir: string,
  plan: SamplingPlan,
  filters: string[],
  options: { parallel: number; signal?: AbortSignal; onFrame?: (done: number) => void },
): Promise<{ files: string[]; times: (number | null)[]; stderrTail: string; failed: boolean }> {
  const targets = Array.from(
    { length: plan.count },
    (_, k) => plan.start + (k + 0.5) * plan.step - plan.halfFrame,
  );
  const times = new Map<string, number>();
  let done = 0;
  let failed = false;
  let stderrTail = "";
  const threads = options.parallel > 1 ? ["-threads", "1"] : [];
  await mapWithLimit(targets, options.parallel, async (target, k) => {
    const file = `frame_${String(k + 1).padStart(6, "0")}.jpg`;
    const res = await runFfmpeg(
      [
        "-loglevel",
        "info",
        "-nostats",
        ...threads,
        "-ss",
        Math.max(0, target).toFixed(6),
        "-copyts",
        "-i",
        ffmpegInputUrl(video.path),
        "-map",
        "0:v:0",
        "-vf",
        [...filters, "showinfo=checksum=0"].join(","),
        "-frames:v",
        "1",
        "-q:v",
        "2",
        "-update",
        "1",
        file,
      ],
      {
        cwd: dir,
        signal: options.signal,
        onStderrLine: (line) => {
          const info = parseShowinfo(line);
          if (info) times.set(file, info.ptsTime - video.start_time);
        },
      },
    );
    if (res.code !== 0) {
      failed = true;
      stderrTail = res.stderrTail;
    }
    options.onFrame?.(++done);
  });
  const before = (await readdir(dir)).filter((f) => /^frame_\d{6}\.jpg$/.test(f)).sort();
  const files = await renumber(dir);
  return { files, times: before.map((f) => times.get(f) ?? null), stderrTail, failed };
}
