import { readdir } from "node:fs/promises";
import { SplatbookError } from "../util/errors.js";
import { parseShowinfo, runFfmpeg } from "./ffmpegProcess.js";
import { ffmpegInputUrl, type VideoProbe } from "./probe.js";
import {
  indexSelectExpression,
  outputSize,
  samplingPlan,
  uniformSelectExpression,
  type ExtractionOptions,
} from "./sampling.js";
import { seekExtract, shouldSeek } from "./seekExtract.js";
import { laplacianVariance, sharpestPerWindow, type ScoredFrame } from "./sharpness.js";
import type { ExtractionStrategy } from "../contracts/stageResults.js";

export type { ExtractionStrategy } from "../contracts/stageResults.js";

/** One written frame: its file name inside the video's folder and its time from the video start. */
export interface WrittenFrame {
  file: string;
  timestamp_secs: number | null;
}

/** What extracting one video produced. */
export interface ExtractedFrames {
  frames: WrittenFrame[];
  width: number;
  height: number;
  strategy: ExtractionStrategy;
}

/** Per-call knobs of {@link extractVideoFrames} that do not change which frames are written. */
export interface ExtractVideoOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  /** "auto" (default): seek per frame when estimated clearly cheaper (see shouldSeek), else one select pass. */
  strategy?: "auto" | "select" | "seek";
  /** ffmpeg processes this video may run at once in seek mode (default 1). */
  parallel?: number;
}

/** Long side of the grayscale frames scored for sharpness: enough detail, cheap to pipe. */
const SCORE_LONG_SIDE = 320;
export const FRAME_PATTERN = "frame_%06d.jpg";

/** The scale filter bringing the (autorotated) frames to `size`, if they need one. */
function scaleFilters(video: VideoProbe, size: { width: number; height: number }): string[] {
  const same = size.width === video.display_width && size.height === video.display_height;
  return same ? [] : [`scale=${size.width}:${size.height}`];
}

/** The ffmpeg arguments that write the selected frames (shared with the benchmark's baseline). */
export function writeFramesArgs(
  video: VideoProbe,
  selectExpr: string,
  size: { width: number; height: number },
  extraFilters: string[] = [],
): string[] {
  const filters = [`select='${selectExpr}'`, ...scaleFilters(video, size), ...extraFilters];
  return [
    "-i",
    ffmpegInputUrl(video.path),
    "-map",
    "0:v:0",
    "-vf",
    filters.join(","),
    "-fps_mode",
    "vfr",
    "-q:v",
    "2",
    "-f",
    "image2",
    "-start_number",
    "1",
    FRAME_PATTERN,
  ];
}

function ffmpegFailure(video: VideoProbe, what: string, stderrTail: string): SplatbookError {
  const last = stderrTail.trim().split("\n").pop() ?? "";
  return new SplatbookError(
    `${video.filename}: ${what} (${last.slice(0, 200) || "ffmpeg failed"})`,
    {
      file: video.path,
    },
  );
}

/**
 * Decodes the whole video once into small grayscale frames on a pipe, scores each with the
 * variance of the Laplacian, and returns the sharpest frame index per sampling window.
 */
async function pickSharpest(
  video: VideoProbe,
  opts: ExtractionOptions,
  signal: AbortSignal | undefined,
  onProgress: (fraction: number) => void,
): Promise<ScoredFrame[]> {
  const small = outputSize(video.display_width, video.display_height, SCORE_LONG_SIDE);
  const frameBytes = small.width * small.height;
  const times: number[] = [];
  const scores: number[] = [];
  let buffer: Buffer = Buffer.alloc(0);
  const onStdout = (chunk: Buffer) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    while (buffer.length >= frameBytes) {
      const frame = new Uint8Array(buffer.buffer, buffer.byteOffset, frameBytes);
      scores.push(laplacianVariance(frame, small.width, small.height));
      buffer = buffer.subarray(frameBytes);
    }
  };
  const { code, stderrTail } = await runFfmpeg(
    [
      "-loglevel",
      "info",
      "-nostats",
      "-i",
      ffmpegInputUrl(video.path),
      "-map",
      "0:v:0",
      "-vf",
      `showinfo=checksum=0,scale=${small.width}:${small.height}:flags=area,format=gray`,
      "-fps_mode",
      "passthrough",
      "-f",
      "rawvideo",
      "pipe:1",
    ],
    {
      signal,
      onStdout,
      onStderrLine: (line) => {
        const info = parseShowinfo(line);
        if (!info) return;
        times[info.n] = info.ptsTime;
        onProgress(Math.min(1, (info.ptsTime - video.start_time) / video.duration_secs));
      },
    },
  );
  if (code !== 0) throw ffmpegFailure(video, "cannot decode for sharpness scoring", stderrTail);
  const scored = scores.map((score, n) => ({ n, time: times[n] ?? NaN, score }));
  const plan = samplingPlan(video, opts);
  return sharpestPerWindow(
    scored.filter((f) => Number.isFinite(f.time)),
    plan,
  );
}

/**
 * Extracts one video's frames as JPEGs into `dir` (frame_000001.jpg …), honouring display
 * rotation (ffmpeg autorotates), the long-side limit and the sampling options.
 */
export async function extractVideoFrames(
  video: VideoProbe,
  dir: string,
  opts: ExtractionOptions,
  options: ExtractVideoOptions = {},
): Promise<ExtractedFrames> {
  const report = options.onProgress ?? (() => {});
  const size = outputSize(video.display_width, video.display_height, opts.maxLongSide);
  const plan = samplingPlan(video, opts);
  let strategy: ExtractionStrategy = opts.sharpest ? "sharpest" : "select";
  if (!opts.sharpest && options.strategy !== "select") {
    const seek = options.strategy === "seek" || (await shouldSeek(video, plan));
    if (seek) strategy = "seek";
  }
  if (strategy === "seek") {
    const res = await seekExtract(video, dir, plan, scaleFilters(video, size), {
      parallel: Math.max(1, options.parallel ?? 1),
      signal: options.signal,
      onFrame: (n) => report(n / plan.count),
    });
    if (res.failed || res.files.length === 0) {
      throw ffmpegFailure(video, "frame extraction failed", res.stderrTail);
    }
    return {
      frames: res.files.map((file, i) => ({ file, timestamp_secs: roundTime(res.times[i]) })),
      ...size,
      strategy,
    };
  }
  let selectExpr: string;
  let share = 0; // part of the progress bar taken by the scoring pass
  if (strategy === "sharpest") {
    share = 0.7;
    const picks = await pickSharpest(video, opts, options.signal, (f) => report(f * share));
    if (picks.length === 0) throw new SplatbookError(`${video.filename}: no decodable frames`);
    selectExpr = indexSelectExpression(picks.map((p) => p.n));
  } else {
    selectExpr = uniformSelectExpression(plan);
  }
  const times: number[] = [];
  const { code, stderrTail } = await runFfmpeg(
    [
      "-loglevel",
      "info",
      "-nostats",
      ...writeFramesArgs(video, selectExpr, size, ["showinfo=checksum=0"]),
    ],
    {
      cwd: dir,
      signal: options.signal,
      onStderrLine: (line) => {
        const info = parseShowinfo(line);
        if (!info) return;
        times.push(info.ptsTime - video.start_time);
        report(share + (1 - share) * Math.min(1, times.length / plan.count));
      },
    },
  );
  if (code !== 0) throw ffmpegFailure(video, "frame extraction failed", stderrTail);
  const files = (await readdir(dir)).filter((f) => /^frame_\d{6}\.jpg$/.test(f)).sort();
  if (files.length === 0) throw ffmpegFailure(video, "ffmpeg wrote no frames", stderrTail);
  const aligned = files.length === times.length;
  return {
    frames: files.map((file, i) => ({
      file,
      timestamp_secs: aligned ? roundTime(times[i]) : null,
    })),
    ...size,
    strategy,
  };
}

/** Microsecond precision, never negative (edit lists can start a hair before zero). */
function roundTime(t: number | null | undefined): number | null {
  return t === null || t === undefined ? null : Math.max(0, Math.round(t * 1e6) / 1e6);
}
