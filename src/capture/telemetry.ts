/**
 * Per-frame GPS for video from a DJI `.SRT` telemetry sidecar (same stem as the video): one
 * subtitle per frame (or per second on older drones) carrying the position. Layouts read:
 * `[latitude: 47.3769] [longitude: 8.5417]` (with or without a space before the colon) with
 * `[rel_alt: 30.0 abs_alt: 440.0]` or `[altitude: 30.0]`, and the older `GPS(lon,lat,alt)`.
 * Fixes are interpolated linearly to each frame's timestamp. GoPro's GPMF stream: `gpmf.ts`.
 */
import { readdir, readFile } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import type { Gps } from "../contracts/manifest.js";
import { readGpmfFixes } from "./gpmf.js";

/** One telemetry fix at a time from the video's start. */
export interface TelemetryFix extends Gps {
  time_secs: number;
  relative_altitude: number | null;
}

const TIME = /(\d+):(\d{2}):(\d{2})[,.](\d{1,3})\s*-->/;

function seconds(m: RegExpExecArray): number {
  return (
    Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4]!.padEnd(3, "0")) / 1000
  );
}

const field = (text: string, name: string): number | null => {
  const m = new RegExp(`\\[?${name}\\s*:\\s*(-?[\\d.]+)`, "i").exec(text);
  return m ? Number(m[1]) : null;
};

/** The fixes of a DJI `.SRT` text, in time order (blocks without a valid position are left out). */
export function parseDjiSrt(text: string): TelemetryFix[] {
  const fixes: TelemetryFix[] = [];
  for (const block of text.replace(/\r/g, "").split(/\n\s*\n/)) {
    const t = TIME.exec(block);
    if (!t) continue;
    let lat = field(block, "latitude");
    let lon = field(block, "longitude");
    let alt = field(block, "abs_alt") ?? field(block, "altitude");
    const old = /GPS\s*\(\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*(?:,\s*(-?[\d.]+))?/i.exec(block);
    if ((lat === null || lon === null) && old) {
      [lon, lat] = [Number(old[1]), Number(old[2])];
      alt ??= old[3] === undefined ? null : Number(old[3]);
    }
    if (lat === null || lon === null || !Number.isFinite(lat) || !Number.isFinite(lon)) continue;
    if (Math.abs(lat) > 90 || Math.abs(lon) > 180 || (lat === 0 && lon === 0)) continue;
    fixes.push({
      ...{ time_secs: seconds(t), latitude: lat, longitude: lon, altitude: alt },
      relative_altitude: field(block, "rel_alt"),
    });
  }
  return fixes.sort((a, b) => a.time_secs - b.time_secs);
}

/**
 * The lens's 35 mm-equivalent focal length a DJI `.SRT` records (`[focal_len: 24.00]`), the
 * median over its blocks (a zoom drone changes it during a clip); null when absent. Older firmware
 * writes f-number and focal length ten times too large (`[fnum: 280] … [focal_len: 240]`): an
 * f-number above 50 marks that layout, whose focal lengths are then divided by ten.
 */
export function srtFocal35mm(text: string): number | null {
  const values: number[] = [];
  for (const block of text.replace(/\r/g, "").split(/\n\s*\n/)) {
    const f = field(block, "focal_len");
    if (f === null || !Number.isFinite(f) || f <= 0) continue;
    const fnum = field(block, "fnum");
    values.push(fnum !== null && fnum > 50 ? f / 10 : f);
  }
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  const m = values.length >> 1;
  return values.length % 2 ? values[m]! : (values[m - 1]! + values[m]!) / 2;
}

/** SRT times are whole milliseconds: a fix this close to a frame is that frame's own. */
const SAME_TIME_SECS = 0.0015;

/**
 * The position at `t` seconds: a fix within SAME_TIME_SECS, else linear between the two around
 * it; null outside the fixes (beyond one interval past either end).
 */
export function fixAt(fixes: readonly TelemetryFix[], t: number): Gps | null {
  if (fixes.length === 0) return null;
  let hi = fixes.findIndex((f) => f.time_secs >= t);
  if (hi === -1) hi = fixes.length;
  for (const i of [hi - 1, hi]) {
    const f = fixes[i];
    if (f && Math.abs(f.time_secs - t) <= SAME_TIME_SECS)
      return { latitude: f.latitude, longitude: f.longitude, altitude: f.altitude };
  }
  const [a, b] = [fixes[hi - 1], fixes[hi]];
  if (!a || !b) {
    const end = (a ?? b)!;
    const step =
      fixes.length > 1 ? (fixes.at(-1)!.time_secs - fixes[0]!.time_secs) / (fixes.length - 1) : 1;
    return Math.abs(end.time_secs - t) <= step
      ? { latitude: end.latitude, longitude: end.longitude, altitude: end.altitude }
      : null;
  }
  const w = (t - a.time_secs) / (b.time_secs - a.time_secs);
  const lerp = (x: number, y: number) => x + w * (y - x);
  return {
    latitude: lerp(a.latitude, b.latitude),
    longitude: lerp(a.longitude, b.longitude),
    altitude:
      a.altitude === null || b.altitude === null
        ? (a.altitude ?? b.altitude)
        : lerp(a.altitude, b.altitude),
  };
}

/** The `.SRT`/`.srt` beside a video with the same stem, or null. */
export async function srtSidecar(videoPath: string): Promise<string | null> {
  const stem = basename(videoPath, extname(videoPath)).toLowerCase();
  const names = await readdir(dirname(videoPath)).catch(() => [] as string[]);
  const found = names.find(
    (n) => extname(n).toLowerCase() === ".srt" && basename(n, extname(n)).toLowerCase() === stem,
  );
  return found ? join(dirname(videoPath), found) : null;
}

/** Where a video's telemetry came from. */
export type TelemetrySource = "dji_srt" | "gopro_gpmf";

/** A video's telemetry: its fixes and, from a DJI `.SRT`, the 35 mm-equivalent focal length. */
export interface TelemetryTrack {
  source: TelemetrySource;
  file: string;
  fixes: TelemetryFix[];
  focal35mm: number | null;
}

/**
 * A video's telemetry track: its DJI `.SRT` sidecar, else its own GoPro GPMF (`gpmd`) stream;
 * null when it has neither (or no valid fix). `file` is the sidecar or the video.
 */
export async function readTelemetry(
  videoPath: string,
  signal?: AbortSignal,
): Promise<TelemetryTrack | null> {
  const file = await srtSidecar(videoPath);
  if (file) {
    const text = await readFile(file, "utf8");
    const fixes = parseDjiSrt(text);
    const focal35mm = srtFocal35mm(text);
    return fixes.length ? { source: "dji_srt", file, fixes, focal35mm } : null;
  }
  const gpmf = await readGpmfFixes(videoPath, signal);
  if (!gpmf?.length) return null;
  const fixes = gpmf.map((f) => ({ ...f, relative_altitude: null }));
  return { source: "gopro_gpmf", file: videoPath, fixes, focal35mm: null };
}
