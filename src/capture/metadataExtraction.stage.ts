import { basename, join } from "node:path";
import type { Gps } from "../contracts/manifest.js";
import type { Logger } from "../contracts/logger.js";
import type { StageContext, StageDefinition } from "../contracts/stage.js";
import { writeJsonAtomically } from "../util/atomicFile.js";
import { SplatbookError } from "../util/errors.js";
import { runTool } from "../util/exec.js";
import { photoMetadata } from "./photoMetadata.js";
import type { ExtractedVideo } from "./frameExtraction.stage.js";
import type { PhotoProbe } from "./photoProbe.js";
import { fixAt, readTelemetry } from "./telemetry.js";
import type { VideoProbe } from "./probe.js";
import { precalibratedSkipReason, requireValidation } from "./validation.stage.js";
import type { MetadataExtractionResult, VideoMetadata } from "../contracts/stageResults.js";

export type { MetadataExtractionResult, VideoMetadata } from "../contracts/stageResults.js";

type ExifRecord = Record<string, unknown>;

/** Converts one ISO 6709 coordinate (±DD.D, ±DDMM.M, ±DDMMSS.S; 3 digits for longitude) to degrees. */
function iso6709Degrees(text: string, degreeDigits: number): number {
  const sign = text.startsWith("-") ? -1 : 1;
  const body = text.slice(1);
  const intLen = body.split(".")[0]!.length;
  const v = Number(body);
  let deg: number;
  if (intLen <= degreeDigits) deg = v;
  else if (intLen <= degreeDigits + 2) deg = Math.floor(v / 100) + (v % 100) / 60;
  else deg = Math.floor(v / 10000) + (Math.floor(v / 100) % 100) / 60 + (v % 100) / 3600;
  return sign * deg;
}

/** Parses an ISO 6709 string such as "+48.8584+002.2945+035.000/"; null if it is not one. */
export function parseIso6709(text: string): Gps | null {
  const m = /^\s*([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?/.exec(text);
  if (!m) return null;
  const latitude = iso6709Degrees(m[1]!, 2);
  const longitude = iso6709Degrees(m[2]!, 3);
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  return { latitude, longitude, altitude: m[3] === undefined ? null : Number(m[3]) };
}

function numberOf(value: unknown): number | null {
  const v = typeof value === "string" ? Number.parseFloat(value) : value;
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function textOf(...values: unknown[]): string | null {
  for (const v of values) {
    if (typeof v === "string" && v.trim() !== "") return v.trim();
    if (typeof v === "number") return String(v);
  }
  return null;
}

/** GPS from exiftool's QuickTime keys (run with -n: plain decimal degrees). */
export function gpsFromExif(exif: ExifRecord): Gps | null {
  let lat = numberOf(exif.GPSLatitude);
  let lon = numberOf(exif.GPSLongitude);
  let alt = numberOf(exif.GPSAltitude);
  const coords = typeof exif.GPSCoordinates === "string" ? exif.GPSCoordinates : null;
  if ((lat === null || lon === null) && coords) {
    const parts = coords
      .trim()
      .split(/[\s,]+/)
      .map(Number);
    [lat, lon] = [parts[0] ?? null, parts[1] ?? null];
    alt ??= Number.isFinite(parts[2]) ? parts[2]! : null;
  }
  if (lat === null || lon === null || !Number.isFinite(lat) || !Number.isFinite(lon)) return null;
  if (alt !== null && alt > 0 && numberOf(exif.GPSAltitudeRef) === 1) alt = -alt;
  return { latitude: lat, longitude: lon, altitude: alt };
}

/** ffprobe's creation_time, Apple's creationdate, or exiftool's CreateDate (zero dates ignored). */
function creationTime(video: VideoProbe, exif: ExifRecord): string | null {
  const t = video.format_tags;
  const raw = textOf(
    t["com.apple.quicktime.creationdate"],
    t.creation_time,
    video.stream_tags.creation_time,
    exif.CreationDate,
    exif.CreateDate,
  );
  if (!raw || /^0000/.test(raw)) return null;
  const iso = raw.replace(/^(\d{4}):(\d{2}):(\d{2}) /, "$1-$2-$3T");
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1971 ? null : date.toISOString();
}

/** Combines ffprobe's tags and exiftool's record into one video's metadata. */
export function videoMetadata(video: VideoProbe, exif: ExifRecord = {}): VideoMetadata {
  const t = video.format_tags;
  const location = textOf(t["com.apple.quicktime.location.ISO6709"], t.location, t["location-eng"]);
  let gps = location ? parseIso6709(location) : null;
  let gpsSource: VideoMetadata["gps_source"] = gps ? "iso6709" : null;
  const f35 =
    numberOf(t["com.apple.quicktime.camera.focal_length.35mm_equivalent"]) ??
    numberOf(exif.CameraFocalLength35mmEquivalent) ??
    numberOf(exif.FocalLengthIn35mmFormat) ??
    numberOf(exif.FocalLength35efl);
  if (!gps) {
    gps = gpsFromExif(exif);
    gpsSource = gps ? "exiftool" : null;
  }
  return {
    filename: video.filename,
    make: textOf(t["com.apple.quicktime.make"], t.make, t["com.android.manufacturer"], exif.Make),
    model: textOf(t["com.apple.quicktime.model"], t.model, t["com.android.model"], exif.Model),
    creation_time: creationTime(video, exif),
    gps,
    gps_source: gpsSource,
    rotation: video.rotation,
    fps: video.fps,
    duration_secs: video.duration_secs,
    width: video.width,
    height: video.height,
    display_width: video.display_width,
    display_height: video.display_height,
    codec: video.codec,
    focal_length_mm: numberOf(exif.FocalLength),
    focal_length_35mm: f35,
    ...(f35 === null ? {} : { focal_length_35mm_source: "container" as const }),
  };
}

/** Runs exiftool once over all videos; records keyed by absolute path. */
export async function readExif(
  paths: readonly string[],
  options: { signal?: AbortSignal; log?: Logger } = {},
): Promise<Map<string, ExifRecord>> {
  const out = new Map<string, ExifRecord>();
  if (paths.length === 0) return out;
  const res = await runTool(
    "exiftool",
    ["-json", "-n", "-api", "largefilesupport=1", "-charset", "filename=utf8", ...paths],
    { signal: options.signal },
  );
  let records: ExifRecord[] = [];
  try {
    records = JSON.parse(res.stdout || "[]") as ExifRecord[];
  } catch {
    options.log?.warn(`exiftool output unreadable: ${res.stderr.trim().split("\n")[0] ?? ""}`);
  }
  for (const r of records) if (typeof r.SourceFile === "string") out.set(r.SourceFile, r);
  return out;
}

/** Reads metadata for every video and writes `<output>/metadata.json` atomically. */
export async function extractMetadata(
  outputFolder: string,
  videos: readonly VideoProbe[],
  options: {
    jobId?: string;
    signal?: AbortSignal;
    log?: Logger;
    photos?: readonly PhotoProbe[];
    /** Extracted frames: their timestamps place telemetry fixes on them. */
    frames?: readonly ExtractedVideo[];
  } = {},
): Promise<MetadataExtractionResult> {
  let exif = new Map<string, ExifRecord>();
  const photos = options.photos ?? [];
  try {
    exif = await readExif([...videos.map((v) => v.path), ...photos.map((p) => p.path)], options);
  } catch (err) {
    if (!(err instanceof SplatbookError) || options.signal?.aborted) throw err;
    options.log?.warn(`${err.message}; using ffprobe tags only`);
  }
  const list = await Promise.all(
    videos.map((v) =>
      withTelemetry(videoMetadata(v, exif.get(v.path) ?? {}), v, options.frames, options.log),
    ),
  );
  const photoList = photos.map((p) => photoMetadata(p, exif.get(p.path) ?? {}));
  for (const p of photoList)
    if (p.gps_issue) options.log?.warn(`${p.filename}: GPS ignored: ${p.gps_issue}`);
  const metadataPath = join(outputFolder, "metadata.json");
  await writeJsonAtomically(metadataPath, {
    job_id: options.jobId ?? null,
    generated_at: new Date().toISOString(),
    videos: list,
    photos: photoList,
  });
  for (const m of list) {
    const where = m.gps ? `${m.gps.latitude.toFixed(5)}, ${m.gps.longitude.toFixed(5)}` : "no GPS";
    options.log?.info(
      `${m.filename}: ${[m.make, m.model].filter(Boolean).join(" ") || "unknown camera"}, ${where}`,
    );
  }
  const located = photoList.filter((p) => p.gps).length;
  if (photoList.length) options.log?.info(`${photoList.length} photo(s), ${located} with GPS`);
  return { metadata_path: metadataPath, videos: list, photos: photoList };
}

/**
 * Adds a video's telemetry (DJI .SRT sidecar or GoPro GPMF stream): the number of fixes and a position per extracted
 * frame, interpolated to its timestamp; the first fix stands for the video when it had no GPS tag.
 */
async function withTelemetry(
  meta: VideoMetadata,
  video: VideoProbe,
  frames: readonly ExtractedVideo[] | undefined,
  log: Logger | undefined,
): Promise<VideoMetadata> {
  const track = await readTelemetry(video.path);
  if (!track) return meta;
  const own = frames?.find((f) => f.filename === video.filename)?.frames ?? [];
  const frameGps = own.map((f) =>
    f.timestamp_secs === null ? null : fixAt(track.fixes, f.timestamp_secs),
  );
  log?.info(
    `${video.filename}: ${track.fixes.length} GPS fixes from ${basename(track.file)}, ` +
      `${frameGps.filter(Boolean).length}/${own.length} frames located`,
  );
  const first = track.fixes[0]!;
  // The container's own 35 mm tag wins; DJI writes none into its MP4s, only into the .SRT.
  const fromSrt = meta.focal_length_35mm === null && track.focal35mm !== null;
  if (fromSrt)
    log?.info(
      `${video.filename}: 35 mm-equivalent focal length ${track.focal35mm} mm from ` +
        basename(track.file),
    );
  return {
    ...meta,
    ...(fromSrt
      ? { focal_length_35mm: track.focal35mm, focal_length_35mm_source: "dji_srt" as const }
      : {}),
    gps: meta.gps ?? {
      latitude: first.latitude,
      longitude: first.longitude,
      altitude: first.altitude,
    },
    gps_source: meta.gps_source ?? "telemetry",
    telemetry: {
      ...{ source: track.source, file: basename(track.file), fixes: track.fixes.length },
      focal_length_35mm: track.focal35mm,
    },
    frame_gps: frameGps,
  };
}

/** Stage 2: MetadataExtraction. */
export const metadataExtractionStage: StageDefinition<MetadataExtractionResult> = {
  name: "MetadataExtraction",
  fingerprintInputs() {
    // Reads the input files (Validation's fingerprint) and frame times; 4: the .SRT focal_len.
    return { version: 4 };
  },
  skipReason: precalibratedSkipReason,
  run(ctx: StageContext) {
    const validation = requireValidation(ctx);
    return extractMetadata(ctx.outputFolder, validation.videos, {
      photos: validation.photos ?? [],
      frames: ctx.resultOf("FrameExtraction")?.videos ?? [],
      jobId: ctx.jobId,
      signal: ctx.signal,
      log: ctx.log,
    });
  },
};
