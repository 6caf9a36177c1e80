/**
 * GoPro GPMF telemetry: the MP4's timed-metadata track with sample entry `gpmd`, one GPMF payload
 * per sample (about a second). GPMF is KLV: a FourCC key, a type byte, a struct size byte and a
 * big-endian 16-bit repeat count, the data padded to 4 bytes; type 0 nests KLVs (DEVC, STRM).
 * Positions: `GPS5` (latitude, longitude, altitude, 2D and 3D speed as signed 32-bit integers,
 * divided by the stream's `SCAL`, with the fix in `GPSF`) and `GPS9` (HERO11 on: the same plus
 * days, seconds, DOP and a per-sample fix, laid out by the stream's `TYPE`). The samples of a
 * payload are spread evenly over its time span (ffprobe gives each packet's time, offset and size).
 */
import { open } from "node:fs/promises";
import { runTool } from "../util/exec.js";
import { ffmpegInputUrl } from "./probe.js";

/** One GPMF position at a time on the video's timeline. */
export interface GpmfFix {
  time_secs: number;
  latitude: number;
  longitude: number;
  altitude: number;
}

/** One KLV item. */
interface Klv {
  key: string;
  type: number;
  size: number;
  repeat: number;
  data: Buffer;
}

function* items(buf: Buffer): Generator<Klv> {
  let at = 0;
  while (at + 8 <= buf.length) {
    const key = buf.toString("latin1", at, at + 4);
    const [type, size, repeat] = [buf[at + 4]!, buf[at + 5]!, buf.readUInt16BE(at + 6)];
    const length = size * repeat;
    if (at + 8 + length > buf.length) return; // truncated payload: keep what was whole
    yield { key, type, size, repeat, data: buf.subarray(at + 8, at + 8 + length) };
    at += 8 + Math.ceil(length / 4) * 4;
  }
}

/** Bytes per value of a GPMF type character. */
const WIDTH: Record<string, number> = {
  b: 1,
  B: 1,
  s: 2,
  S: 2,
  l: 4,
  L: 4,
  f: 4,
  d: 8,
  j: 8,
  J: 8,
};

function readValue(buf: Buffer, at: number, type: string): number {
  switch (type) {
    case "b":
      return buf.readInt8(at);
    case "B":
      return buf.readUInt8(at);
    case "s":
      return buf.readInt16BE(at);
    case "S":
      return buf.readUInt16BE(at);
    case "l":
      return buf.readInt32BE(at);
    case "L":
      return buf.readUInt32BE(at);
    case "f":
      return buf.readFloatBE(at);
    case "d":
      return buf.readDoubleBE(at);
    case "j":
      return Number(buf.readBigInt64BE(at));
    case "J":
      return Number(buf.readBigUInt64BE(at));
    default:
      return NaN;
  }
}

/** The numbers of one item, row by row (`layout` for complex `?` items, from TYPE). */
function rows(item: Klv, layout: string | null): number[][] {
  const type = String.fromCharCode(item.type);
  const fields = type === "?" ? (layout ?? "") : type.repeat(item.size / (WIDTH[type] ?? 1));
  const out: number[][] = [];
  for (let r = 0; r < item.repeat; r++) {
    let at = r * item.size;
    const row: number[] = [];
    for (const t of fields) {
      row.push(readValue(item.data, at, t));
      at += WIDTH[t] ?? 0;
    }
    out.push(row);
  }
  return out;
}

/** One stream's samples in a payload: [latitude, longitude, altitude], or null without a fix. */
export type GpmfPositions = ([number, number, number] | null)[];

/** The GPS positions (GPS5 or GPS9 streams with a 2D or 3D fix) of one GPMF payload. */
export function parseGpmfPositions(payload: Buffer): GpmfPositions[] {
  const found: GpmfPositions[] = [];
  for (const devc of items(payload)) {
    if (devc.key !== "DEVC" || devc.type !== 0) continue;
    for (const strm of items(devc.data)) {
      if (strm.key !== "STRM" || strm.type !== 0) continue;
      const p = streamPositions([...items(strm.data)]);
      if (p) found.push(p);
    }
  }
  return found;
}

function streamPositions(klvs: Klv[]): GpmfPositions | null {
  let scal: number[] = [1];
  let layout: string | null = null;
  let fix: number | null = null;
  for (const k of klvs) {
    if (k.key === "SCAL") scal = rows(k, null).flat();
    else if (k.key === "TYPE") layout = k.data.toString("latin1").replace(/\0+$/, "");
    else if (k.key === "GPSF") fix = rows(k, null)[0]?.[0] ?? null;
    else if (k.key === "GPS5" || k.key === "GPS9") {
      const scale = (row: number[]) =>
        row.map((v, i) => v / (scal[Math.min(i, scal.length - 1)] || 1));
      const values = rows(k, layout).map(scale);
      // GPS9's ninth field is the sample's own fix; GPS5's stream-wide GPSF. A sample without a
      // fix stays in the list as null: the samples are spread over the payload's span by index.
      return values.map((v) => {
        const fixed = k.key === "GPS9" ? (v[8] ?? 0) >= 2 : (fix ?? 3) >= 2;
        const [lat, lon, alt] = [v[0]!, v[1]!, v[2]!];
        const valid = Number.isFinite(lat) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180;
        return fixed && valid && (lat !== 0 || lon !== 0) ? [lat, lon, alt] : null;
      });
    }
  }
  return null;
}

/** One `gpmd` packet as ffprobe reports it. */
interface GpmdPacket {
  pts_time?: string;
  duration_time?: string;
  pos?: string;
  size?: string;
}

/** The index of the video's `gpmd` data stream, or null. */
async function gpmdStream(videoPath: string, signal?: AbortSignal): Promise<number | null> {
  const r = await runTool(
    "ffprobe",
    ["-v", "error", "-show_entries", "stream=index,codec_tag_string", "-of", "json"].concat(
      ffmpegInputUrl(videoPath),
    ),
    { signal },
  );
  if (r.code !== 0) return null;
  const streams = (
    JSON.parse(r.stdout) as { streams?: { index: number; codec_tag_string?: string }[] }
  ).streams;
  return streams?.find((s) => s.codec_tag_string === "gpmd")?.index ?? null;
}

/**
 * The GPS fixes of a video's GPMF track, in time order (times on the video's timeline, as frame
 * timestamps are); null when the video has no `gpmd` stream.
 */
export async function readGpmfFixes(
  videoPath: string,
  signal?: AbortSignal,
): Promise<GpmfFix[] | null> {
  const index = await gpmdStream(videoPath, signal);
  if (index === null) return null;
  const r = await runTool(
    "ffprobe",
    ["-v", "error", "-select_streams", String(index), "-show_entries"].concat(
      "packet=pts_time,duration_time,pos,size",
      "-of",
      "json",
      ffmpegInputUrl(videoPath),
    ),
    { signal },
  );
  if (r.code !== 0) return null;
  const packets = (JSON.parse(r.stdout) as { packets?: GpmdPacket[] }).packets ?? [];
  const fixes: GpmfFix[] = [];
  const file = await open(videoPath, "r");
  try {
    for (const p of packets) {
      const [t, d, pos, size] = [p.pts_time, p.duration_time, p.pos, p.size].map(Number);
      if (![t, d, pos, size].every(Number.isFinite)) continue;
      const payload = Buffer.alloc(size!);
      await file.read(payload, 0, size!, pos!);
      for (const samples of parseGpmfPositions(payload)) {
        samples.forEach((sample, i) => {
          if (!sample) return;
          const [latitude, longitude, altitude] = sample;
          fixes.push({ time_secs: t! + (i / samples.length) * d!, latitude, longitude, altitude });
        });
      }
    }
  } finally {
    await file.close();
  }
  return fixes.sort((a, b) => a.time_secs - b.time_secs);
}
