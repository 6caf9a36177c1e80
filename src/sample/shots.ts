/**
 * Shared pieces of the photo captures: rendered shots grouped into series with their truth, EXIF
 * times and GPS tags, and the survey site's place on the Earth with its GPS noise.
 */
import { enuToGeodetic, gaussian, type GeoPoint } from "../util/geodesy.js";
import type { Vec3 } from "../contracts/sceneModel.js";
import type { CameraPose } from "./cameraPaths.js";
import { posedCameraBlock } from "./povCamera.js";
import type { PhotoSeriesSpec, PhotoSpec } from "./stills.js";
import {
  povToWorld,
  truthIntrinsics,
  truthPose,
  type CaptureTruth,
  type TruthGeo,
} from "./truth.js";
import { worldSource, type WorldName } from "./worlds.js";

/** Where the survey site lies: world origin (ground level at take-off) on the Earth. */
export const SITE_ORIGIN: GeoPoint = { latitude: 47.3769, longitude: 8.5417, altitude: 410 };
/** Consumer GNSS: ~1.5 m horizontal and ~3 m vertical scatter (one sigma). */
export const GPS_NOISE = { horizontal_m: 1.5, vertical_m: 3, seed: 2026 };
export const GEO: TruthGeo = {
  origin: SITE_ORIGIN,
  method:
    "world (x east, y north, z up metres) is the local east-north-up tangent plane at origin " +
    "on the WGS84 ellipsoid; geodetic = ENU→ECEF→geodetic; altitudes as written (origin + up)",
  noise: GPS_NOISE,
};

/** A photo to render: its pose, upright size, field of view, file and tags. */
export interface Shot {
  pose: CameraPose;
  width: number;
  height: number;
  fovDeg: number;
  photo: PhotoSpec;
  gps: GeoPoint | null;
}

export const fovOf = (width: number, fPx: number) =>
  (2 * Math.atan(width / 2 / fPx) * 180) / Math.PI;
export const unitDeg = (deg: number): [number, number] => [
  Math.cos((deg * Math.PI) / 180),
  Math.sin((deg * Math.PI) / 180),
];

/** EXIF GPS tags of a position (references set explicitly, as exiftool writes magnitudes). */
export function gpsTags(g: GeoPoint): Record<string, string | number> {
  return {
    GPSLatitude: Math.abs(g.latitude).toFixed(8),
    GPSLatitudeRef: g.latitude < 0 ? "S" : "N",
    GPSLongitude: Math.abs(g.longitude).toFixed(8),
    GPSLongitudeRef: g.longitude < 0 ? "W" : "E",
    GPSAltitude: Math.abs(g.altitude).toFixed(3),
    GPSAltitudeRef: g.altitude < 0 ? 1 : 0,
  };
}

/** A noisy GPS reading of a POV-Ray location, from the seeded stream `rand`. */
export function noisyGps(location: Vec3, rand: () => number): GeoPoint {
  const [e, n, u] = povToWorld(location);
  return enuToGeodetic(SITE_ORIGIN, [
    e + gaussian(rand) * GPS_NOISE.horizontal_m,
    n + gaussian(rand) * GPS_NOISE.horizontal_m,
    u + gaussian(rand) * GPS_NOISE.vertical_m,
  ]);
}

/** "2026:05:14 10:21:33" plus `secs`, with the sub-second part. */
export function exifTime(base: number, secs: number): { date: string; sub: string } {
  const t = new Date(base + secs * 1000);
  const iso = t.toISOString();
  return {
    date: `${iso.slice(0, 10).replace(/-/g, ":")} ${iso.slice(11, 19)}`,
    sub: iso.slice(20, 23),
  };
}

/** Groups shots by size and field of view into render series; returns series and truth. */
export function seriesOf(
  world: WorldName,
  shots: readonly Shot[],
  truth: CaptureTruth,
): PhotoSeriesSpec[] {
  const groups = new Map<string, Shot[]>();
  for (const s of shots) {
    const key = `${s.width}x${s.height}@${s.fovDeg}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  for (const s of shots) {
    truth.photos.push({
      file: s.photo.fileName,
      intrinsics: truthIntrinsics(s.width, s.height, s.fovDeg),
      orientation: s.photo.orientation ?? 1,
      gps: s.gps,
      ...truthPose(s.pose),
    });
  }
  return [...groups.values()].map((g) => ({
    source:
      `#version 3.7;\n${posedCameraBlock(
        g.map((s) => s.pose),
        g[0]!.width,
        g[0]!.height,
        g[0]!.fovDeg,
      )}\n` + worldSource(world),
    width: g[0]!.width,
    height: g[0]!.height,
    photos: g.map((s) => s.photo),
  }));
}
