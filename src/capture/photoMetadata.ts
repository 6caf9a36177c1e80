/**
 * Per-photo metadata from EXIF and XMP: GPS (refused with a cause when out of range), DJI's
 * relative and absolute altitude and gimbal/flight attitude, capture time, make, model, focal
 * length, its 35 mm equivalent and the sensor width (from the focal-plane resolution, else the
 * sensor table).
 */
import type { Gps } from "../contracts/manifest.js";
import type { PhotoProbe } from "./photoProbe.js";
import { tableSensorWidth } from "./sensors.js";
import type { PhotoMetadata } from "../contracts/stageResults.js";

export type { PhotoMetadata } from "../contracts/stageResults.js";

type Exif = Record<string, unknown>;

function num(v: unknown): number | null {
  const x = typeof v === "string" ? Number.parseFloat(v) : v;
  return typeof x === "number" && Number.isFinite(x) ? x : null;
}

function text(v: unknown): string | null {
  if (typeof v === "string" && v.trim() !== "") return v.trim();
  return typeof v === "number" ? String(v) : null;
}

/** GPS from EXIF (exiftool -n gives signed decimal degrees), or the reason it is unusable. */
export function photoGps(exif: Exif): { gps: Gps | null; issue: string | null } {
  const [lat, lon] = [num(exif.GPSLatitude), num(exif.GPSLongitude)];
  if (lat === null && lon === null) return { gps: null, issue: null };
  if (lat === null || lon === null)
    return { gps: null, issue: "EXIF GPS incomplete (latitude or longitude missing)" };
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180)
    return { gps: null, issue: `EXIF GPS out of range (latitude ${lat}, longitude ${lon})` };
  if (lat === 0 && lon === 0) return { gps: null, issue: "EXIF GPS at 0, 0 (no fix)" };
  let alt = num(exif.GPSAltitude);
  if (alt !== null && alt > 0 && num(exif.GPSAltitudeRef) === 1) alt = -alt;
  return { gps: { latitude: lat, longitude: lon, altitude: alt }, issue: null };
}

/** "2026:05:14 10:21:33" + sub-seconds + offset → ISO 8601; null for zero or unreadable dates. */
export function captureTime(exif: Exif): string | null {
  const raw = text(exif.DateTimeOriginal) ?? text(exif.CreateDate);
  const m = raw ? /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(raw) : null;
  if (!m || m[1] === "0000") return null;
  const sub = text(exif.SubSecTimeOriginal) ?? text(exif.SubSecTime);
  const frac = sub && /^\d+$/.test(sub) ? `.${sub}` : "";
  const offset = text(exif.OffsetTimeOriginal) ?? text(exif.OffsetTime);
  const zone = offset && /^[+-]\d{2}:\d{2}$/.test(offset) ? offset : "";
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${frac}${zone}`;
}

/** mm per unit of EXIF FocalPlaneResolutionUnit (2 inch, 3 cm, 4 mm, 5 µm). */
const UNIT_MM: Record<number, number> = { 2: 25.4, 3: 10, 4: 1, 5: 0.001 };

/** Sensor width from the focal-plane resolution (pixels per unit across the full-size picture). */
function focalPlaneWidth(exif: Exif, storedWidth: number): number | null {
  const res = num(exif.FocalPlaneXResolution);
  const unit = UNIT_MM[num(exif.FocalPlaneResolutionUnit) ?? 2];
  const full = num(exif.ExifImageWidth) ?? storedWidth;
  if (!res || res <= 0 || !unit) return null;
  const w = (full / res) * unit;
  return w > 1 && w < 100 ? w : null; // a plausible sensor, not a misread tag
}

/** Combines a photo's probe and its exiftool record. */
export function photoMetadata(photo: PhotoProbe, exif: Exif): PhotoMetadata {
  const make = text(exif.Make);
  const model = text(exif.Model);
  const { gps, issue } = photoGps(exif);
  const fromPlane = focalPlaneWidth(exif, photo.width);
  const fromTable = fromPlane === null ? tableSensorWidth(make, model) : null;
  return {
    ...{ filename: photo.filename, make, model, capture_time: captureTime(exif) },
    ...{ gps, gps_source: gps ? "exif" : null, gps_issue: issue },
    relative_altitude: num(exif.RelativeAltitude),
    absolute_altitude: num(exif.AbsoluteAltitude),
    gimbal_yaw_deg: num(exif.GimbalYawDegree),
    gimbal_pitch_deg: num(exif.GimbalPitchDegree),
    flight_yaw_deg: num(exif.FlightYawDegree),
    focal_length_mm: num(exif.FocalLength),
    focal_length_35mm: num(exif.FocalLengthIn35mmFormat),
    sensor_width_mm: fromPlane ?? fromTable,
    sensor_width_source: fromPlane ? "focal_plane_resolution" : fromTable ? "sensor_table" : null,
    ...{ width: photo.width, height: photo.height, orientation: photo.orientation },
    ...{ display_width: photo.display_width, display_height: photo.display_height },
  };
}
