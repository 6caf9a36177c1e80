/**
 * What the manifest and metadata.json say about each reconstructed image, for georeferencing:
 * its input file, its GPS fix and where the fix came from, and a gimbal pitch. Sources, best
 * first: a per-frame fix (video telemetry: DJI .SRT, GoPro GPMF) or a photo's own (EXIF); a
 * video's one location tag, which belongs to its first frame (QuickTime and Android write where
 * recording started).
 */
import type { Gps, Manifest } from "../../contracts/manifest.js";
import type { ImageInfo } from "./georeference.js";

type Loose = Record<string, unknown>;

/** The image name COLMAP knows: the manifest path relative to frames/. */
export function frameImageName(path: string): string {
  return path.replace(/\\/g, "/").replace(/^(\.\/)?frames\//, "");
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/** A manifest GPS fix as a geodetic point; null without one or without an altitude. */
function fixOf(g: Gps | null | undefined) {
  if (!g) return null;
  return { latitude: g.latitude, longitude: g.longitude, altitude: g.altitude ?? Number.NaN };
}

/** GoPro's GPMF gives heights above the WGS84 ellipsoid; EXIF and DJI above mean sea level. */
function heightRefOf(source: string | null): "msl" | "ellipsoid" {
  return source !== null && /gpmf|gopro/i.test(source) ? "ellipsoid" : "msl";
}

/** A fix's declared accuracy (one sigma, metres) when an entry records one. */
function accuracyOf(e: Loose | undefined): ImageInfo["accuracy"] {
  const h = num(e?.gps_accuracy_m) ?? num(e?.gps_horizontal_accuracy_m);
  if (h === null || h <= 0) return null;
  return { horizontal: h, vertical: num(e?.gps_vertical_accuracy_m) ?? 2 * h };
}

/** metadata.json entries by file name (photos and videos). */
function metadataByFile(metadata: Loose | null): Map<string, Loose> {
  const out = new Map<string, Loose>();
  for (const key of ["photos", "videos"]) {
    const list = metadata?.[key];
    if (!Array.isArray(list)) continue;
    for (const e of list as Loose[]) {
      const name = str(e.filename);
      if (name) out.set(name, e);
    }
  }
  return out;
}

/** The telemetry format a video's per-frame fixes came from, as metadata.json names it. */
function telemetrySource(meta: Loose | undefined): string | null {
  const t = meta?.telemetry as Loose | null | undefined;
  return t ? (str(t.source) ?? str(t.format) ?? "telemetry") : null;
}

const sameFix = (a: Gps | null | undefined, b: Gps | null | undefined) =>
  !!a &&
  !!b &&
  a.latitude === b.latitude &&
  a.longitude === b.longitude &&
  (a.altitude ?? null) === (b.altitude ?? null);

/**
 * Whether a video's frames carry fixes of their own (telemetry). The manifest repeats a video's
 * one tag on every frame; only telemetry, which metadata.json records, gives each its own.
 */
function hasOwnFixes(video: Manifest["videos"][number], meta: Loose | undefined): boolean {
  if (meta) return telemetrySource(meta) !== null;
  const fixes = video.frames.map((f) => (f as Loose).gps as Gps | null | undefined);
  return fixes.some((g) => g && !sameFix(g, video.gps));
}

function videoInfos(manifest: Manifest, meta: Map<string, Loose>, out: Map<string, ImageInfo>) {
  for (const video of manifest.videos) {
    const m = meta.get(video.filename);
    const own = hasOwnFixes(video, m);
    const source = own ? (telemetrySource(m) ?? "telemetry") : "video_tag";
    video.frames.forEach((f, index) => {
      const frame = f as typeof f & Loose;
      const fix = own
        ? fixOf(frame.gps as Gps | null | undefined)
        : index === 0
          ? fixOf(video.gps)
          : null;
      out.set(frameImageName(f.path), {
        file: str(frame.source) ?? video.filename,
        frame: index,
        timeSecs: f.timestamp_secs,
        gps: fix,
        source: fix ? source : null,
        heightRef: heightRefOf(source),
        pitchDeg: num(frame.gimbal_pitch_deg),
        accuracy: accuracyOf(frame),
      });
    });
  }
}

function photoInfos(manifest: Manifest, meta: Map<string, Loose>, out: Map<string, ImageInfo>) {
  const photos = (manifest as Manifest & { photos?: Loose[] }).photos ?? [];
  for (const p of photos) {
    const path = str(p.path);
    if (!path) continue;
    const file = str(p.source) ?? str(p.filename) ?? frameImageName(path);
    const m = meta.get(file);
    const gps = fixOf((p.gps ?? m?.gps) as Gps | null | undefined);
    const source = gps ? (str(p.gps_source) ?? str(m?.gps_source) ?? "exif") : null;
    out.set(frameImageName(path), {
      file,
      gps,
      source,
      heightRef: heightRefOf(source),
      pitchDeg: num(p.gimbal_pitch_deg) ?? num(m?.gimbal_pitch_deg),
      accuracy: accuracyOf(p) ?? accuracyOf(m),
    });
  }
}

/** Every manifest image's information, by the image name COLMAP gives it. */
export function imageInfos(manifest: Manifest, metadata: Loose | null): Map<string, ImageInfo> {
  const meta = metadataByFile(metadata);
  const out = new Map<string, ImageInfo>();
  videoInfos(manifest, meta, out);
  photoInfos(manifest, meta, out);
  return out;
}
