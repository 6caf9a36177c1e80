import { open, stat } from "node:fs/promises";
import { basename, extname, resolve } from "node:path";
import { runTool } from "../util/exec.js";
import type { FileIssue, VideoProbe } from "../contracts/stageResults.js";

export type { FileIssue, VideoProbe } from "../contracts/stageResults.js";

/** Outcome of probing one file: a usable video, a broken video, or not a video at all. */
export type ProbeOutcome =
  | { kind: "video"; video: VideoProbe }
  | { kind: "broken"; issue: FileIssue }
  | { kind: "not-video"; issue: FileIssue };

// Containers that hold video; used only to decide whether an unprobeable file was *meant* to be
// a video (then it is broken) or is some other file (then it is skipped).
const VIDEO_EXTENSIONS = new Set(
  "mp4 m4v mov qt mkv webm avi mts m2ts ts 3gp 3g2 mpg mpeg wmv flv insv lrv mxf ogv m4a".split(
    " ",
  ),
);

// ffprobe demuxers for stills, text and other non-video inputs it can nonetheless open.
const NON_VIDEO_FORMAT = /(^|,)(image2|[a-z0-9]+_pipe|tty|gif|apng|webp|ico|bmp|svg|lavfi)(,|$)/;
const STILL_CODECS = new Set(["png", "mjpeg", "bmp", "gif", "webp", "tiff", "ansi", "jpegls"]);

interface FfprobeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  start_time?: string;
  nb_frames?: string;
  bit_rate?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
}
interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: {
    format_name?: string;
    duration?: string;
    size?: string;
    tags?: Record<string, string>;
  };
}

/** Parses "30000/1001" → 29.97; null for 0/0 or garbage. */
export function parseRate(rate: string | undefined): number | null {
  if (!rate) return null;
  const [n, d] = rate.split("/").map(Number);
  const value = d === undefined ? n : n / d;
  return Number.isFinite(value) && value > 0 ? value : null;
}

function num(text: string | undefined): number | null {
  if (text === undefined || text === "N/A") return null;
  const v = Number(text);
  return Number.isFinite(v) ? v : null;
}

/** ffmpeg/ffprobe treat "name:rest" as a protocol; "file:" + absolute path is always literal. */
export function ffmpegInputUrl(path: string): string {
  return `file:${resolve(path)}`;
}

/** Reads the first bytes to tell a video container from text or something else. */
async function sniff(path: string): Promise<{ container: boolean; text: boolean }> {
  const handle = await open(path, "r");
  try {
    const buf = Buffer.alloc(64);
    const { bytesRead } = await handle.read(buf, 0, 64, 0);
    const head = buf.subarray(0, bytesRead);
    const word = bytesRead >= 4 ? head.readUInt32BE(0) : -1;
    const box = head.subarray(4, 8).toString("latin1");
    const container =
      ["ftyp", "moov", "mdat", "wide", "free", "skip"].includes(box) ||
      word === 0x1a45dfa3 || // EBML: mkv/webm
      head.subarray(0, 4).toString("latin1") === "RIFF" ||
      head[0] === 0x47 || // MPEG-TS sync byte
      word === 0x000001ba; // MPEG-PS pack header
    const text = bytesRead > 0 && head.every((b) => b === 9 || b === 10 || b === 13 || b >= 32);
    return { container, text };
  } finally {
    await handle.close();
  }
}

/** Turns ffprobe's complaint into a short cause, e.g. "truncated (moov atom not found)". */
function describeProbeFailure(stderr: string, text: boolean): string {
  // Text first: the mp4 demuxer reports any non-mp4 bytes as a missing moov atom.
  if (text) return "not a video file (text content)";
  if (/moov atom not found/i.test(stderr)) return "truncated (moov atom not found)";
  if (/Permission denied/i.test(stderr)) return "unreadable (permission denied)";
  if (/Invalid data found/i.test(stderr))
    return "unreadable (invalid data, not a known video format)";
  const last = stderr.trim().split("\n").pop() ?? "";
  return `unreadable (${last.replace(/^.*?:\s*/, "").slice(0, 120) || "ffprobe failed"})`;
}

/** Clockwise display rotation from the display matrix (ffprobe reports it counter-clockwise). */
function rotationOf(stream: FfprobeStream): number {
  const fromMatrix = stream.side_data_list?.find((s) => typeof s.rotation === "number")?.rotation;
  const ccw = fromMatrix ?? -(num(stream.tags?.rotate) ?? 0);
  return (((Math.round(-ccw / 90) * 90) % 360) + 360) % 360;
}

/**
 * Checks that a container which probes fine really holds its declared media: an mp4 cut short
 * keeps its (faststart) index, so its stream claims bytes and packets past the end of the file.
 * Two cheap checks, no decoding: the streams' declared byte budget against the file size, and a
 * demux of the last two seconds' packets (ffmpeg says "partial file" when they are missing).
 */
async function truncationCause(
  path: string,
  size: number,
  streams: FfprobeStream[],
  duration: number,
): Promise<string | null> {
  let declaredBytes = 0;
  for (const s of streams) {
    const rate = num(s.bit_rate);
    const secs = num(s.duration) ?? duration;
    if (rate && secs) declaredBytes += (rate * secs) / 8;
  }
  if (declaredBytes > size * 1.1 + 4096) {
    const pct = Math.round((size / declaredBytes) * 100);
    return `truncated (file holds ~${pct}% of its declared media data)`;
  }
  const from = Math.max(0, duration - 2);
  const tail = await runTool("ffprobe", [
    "-v",
    "error",
    "-select_streams",
    "v:0",
    "-read_intervals",
    `${from.toFixed(3)}%`,
    "-show_entries",
    "packet=pts_time",
    "-of",
    "csv=p=0",
    ffmpegInputUrl(path),
  ]);
  const times = tail.stdout
    .split("\n")
    .map((l) => l.split(",")[0] ?? "")
    .filter((line) => line.trim() !== "")
    .map(Number)
    .filter(Number.isFinite);
  const last = times.length ? Math.max(...times) : null;
  if (/partial file/i.test(tail.stderr)) {
    const upTo =
      last === null ? "" : `, data ends near ${last.toFixed(1)} s of ${duration.toFixed(1)} s`;
    return `truncated (partial file${upTo})`;
  }
  if (tail.code !== 0 || last === null) return "truncated (no video packets near the end)";
  // A container whose index is gone (e.g. a cut mkv) cannot seek: packets stop early.
  if (from > 0 && last < from - 1) {
    return `truncated (data ends near ${last.toFixed(1)} s of ${duration.toFixed(1)} s)`;
  }
  return null;
}

/**
 * Probes one file with ffprobe (by content, not extension) and classifies it. Never throws for
 * bad input: broken files come back as `broken` with a one-line cause.
 */
export async function probe(path: string): Promise<ProbeOutcome> {
  const filename = basename(path);
  const abs = resolve(path);
  let info;
  try {
    info = await stat(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    return { kind: "broken", issue: { filename, cause: `unreadable (${code})` } };
  }
  if (!info.isFile())
    return { kind: "not-video", issue: { filename, cause: "not a regular file" } };
  const videoByName = VIDEO_EXTENSIONS.has(extname(filename).slice(1).toLowerCase());
  if (info.size === 0) {
    const issue = { filename, cause: "zero-byte file" };
    return videoByName ? { kind: "broken", issue } : { kind: "not-video", issue };
  }
  let sniffed;
  try {
    sniffed = await sniff(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    const cause = code === "EACCES" ? "unreadable (permission denied)" : `unreadable (${code})`;
    return { kind: "broken", issue: { filename, cause } };
  }
  const res = await runTool("ffprobe", [
    "-v",
    "error",
    "-hide_banner",
    "-of",
    "json",
    "-show_format",
    "-show_streams",
    ffmpegInputUrl(abs),
  ]);
  const meantAsVideo = videoByName || sniffed.container;
  if (res.code !== 0) {
    const issue = { filename, cause: describeProbeFailure(res.stderr, sniffed.text) };
    return meantAsVideo ? { kind: "broken", issue } : { kind: "not-video", issue };
  }
  const out = JSON.parse(res.stdout || "{}") as FfprobeOutput;
  return classifyProbe({ filename, path: abs, size: info.size, mtimeMs: info.mtimeMs }, out, {
    videoByName,
    meantAsVideo,
  });
}

/** Classifies a file ffprobe could read: a still image, a broken video, or a usable one. */
async function classifyProbe(
  file: { filename: string; path: string; size: number; mtimeMs: number },
  out: FfprobeOutput,
  hints: { videoByName: boolean; meantAsVideo: boolean },
): Promise<ProbeOutcome> {
  const { filename, path: abs } = file;
  const { videoByName, meantAsVideo } = hints;
  const streams = out.streams ?? [];
  const formatName = out.format?.format_name ?? "unknown";
  const stream = streams.find((s) => s.codec_type === "video" && s.disposition?.attached_pic !== 1);
  const looksStill =
    NON_VIDEO_FORMAT.test(formatName) ||
    (stream !== undefined && STILL_CODECS.has(stream.codec_name ?? "") && !videoByName);
  if (looksStill) {
    return { kind: "not-video", issue: { filename, cause: `not a video (${formatName})` } };
  }
  if (!stream) {
    const issue = { filename, cause: streams.length ? "no video stream" : "no streams" };
    return meantAsVideo || streams.length
      ? { kind: "broken", issue }
      : { kind: "not-video", issue };
  }
  const duration = num(stream.duration) ?? num(out.format?.duration);
  if (!duration || duration <= 0 || !stream.width || !stream.height) {
    return { kind: "broken", issue: { filename, cause: "unreadable (no duration or frame size)" } };
  }
  const truncated = await truncationCause(abs, file.size, streams, duration);
  if (truncated) return { kind: "broken", issue: { filename, cause: truncated } };
  const rotation = rotationOf(stream);
  const swap = rotation % 180 === 90;
  return {
    kind: "video",
    video: {
      filename,
      path: abs,
      size: file.size,
      mtimeMs: file.mtimeMs,
      format_name: formatName,
      codec: stream.codec_name ?? "unknown",
      width: stream.width,
      height: stream.height,
      display_width: swap ? stream.height : stream.width,
      display_height: swap ? stream.width : stream.height,
      rotation,
      fps: parseRate(stream.avg_frame_rate) ?? parseRate(stream.r_frame_rate),
      duration_secs: duration,
      start_time: num(stream.start_time) ?? 0,
      nb_frames: num(stream.nb_frames),
      format_tags: out.format?.tags ?? {},
      stream_tags: stream.tags ?? {},
    },
  };
}
