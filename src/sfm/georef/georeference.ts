/**
 * The georeference of a reconstruction: from the registered cameras (COLMAP's frame) and what the
 * capture's files say about each image (GPS fix, gimbal pitch), the similarity into the local
 * frame and the record (`Georef`, src/contracts/georef.ts). With enough GPS the frame is ENU
 * metres around the median fix, rounded; without, z is gravity up from the cameras and the scale
 * stays COLMAP's, and the record says so.
 */
import {
  GEOREF_FORMAT,
  GEOREF_VERSION,
  type Georef,
  type GeorefCamera,
  type GravityInfo,
} from "../../contracts/georef.js";
import { geodeticToEnu, utmEpsg, type GeoPoint } from "../../util/geodesy.js";
import { cameraCentre } from "../sceneModel.js";
import { fitGps, type GpsFit } from "./gpsFit.js";
import { constraintOf, estimateUp, type AttitudeObservation, type UpEstimate } from "./gravity.js";
import {
  applySimilarity,
  centroid,
  mulMat,
  norm,
  rotationBetween,
  scale,
  similarityMatrix,
  sub,
  type Mat3Rows,
  type Similarity,
  type Vec3,
} from "./similarity.js";
import { median } from "../../util/median.js";

/** What the capture's files say about one image of the reconstruction. */
export interface ImageInfo {
  /** The photo or video file, relative to the input folder. */
  file: string;
  /** For a video frame: its index among the extracted frames and its time. */
  frame?: number;
  timeSecs?: number | null;
  /** The GPS fix taken with it (altitude required), or null. */
  gps: GeoPoint | null;
  /** Where the fix came from: "exif", "dji-srt", "gpmf", "video-tag". */
  source: string | null;
  heightRef: "msl" | "ellipsoid";
  /** Gimbal pitch in degrees (the optical axis's elevation) when the files give one. */
  pitchDeg: number | null;
  /** Accuracy the file declares (one sigma, metres), if any. */
  accuracy: { horizontal: number; vertical: number } | null;
}

/** A registered image: its COLMAP name and world → camera matrix (4×4 row-major). */
export interface RegisteredCamera {
  name: string;
  viewmat: ArrayLike<number>;
}

/** The outcome: the record and the similarity it describes. */
export interface GeoreferenceOutcome {
  georef: Georef;
  T: Similarity;
}

/** Scale and heading standard errors beyond which GPS does not define the frame. */
export const WEAK_GPS = { scale_pct: 5, heading_deg: 5 } as const;
export const NO_GPS_SUMMARY = "no GPS: scale unknown, z = gravity up estimated from cameras";

function rotationOf(viewmat: ArrayLike<number>): Mat3Rows {
  const v = viewmat;
  return [
    [v[0]!, v[1]!, v[2]!],
    [v[4]!, v[5]!, v[6]!],
    [v[8]!, v[9]!, v[10]!],
  ];
}

function attitudeOf(cam: RegisteredCamera, info: ImageInfo | undefined): AttitudeObservation {
  return { rotation: rotationOf(cam.viewmat), pitchDeg: info?.pitchDeg ?? null };
}

/** The name a record gives an image: its file, and `#<frame>` for a video frame. */
export function imageLabel(name: string, info: ImageInfo | undefined): string {
  if (!info) return name;
  return info.frame === undefined ? info.file : `${info.file}#${info.frame}`;
}

/** The local origin: the median fix, latitude and longitude to 5 decimals, height to the metre. */
export function originOf(fixes: readonly GeoPoint[]): GeoPoint {
  return {
    latitude: Math.round(median(fixes.map((f) => f.latitude)) * 1e5) / 1e5,
    longitude: Math.round(median(fixes.map((f) => f.longitude)) * 1e5) / 1e5,
    altitude: Math.round(median(fixes.map((f) => f.altitude))),
  };
}

const r3 = (v: Vec3): Vec3 => v.map((x) => Math.round(x * 1000) / 1000) as Vec3;

function cameraRecord(
  cam: RegisteredCamera,
  info: ImageInfo | undefined,
  T: Similarity,
  gps: Vec3 | null,
  outlier: boolean,
): GeorefCamera {
  const enu = applySimilarity(T, cameraCentre(cam.viewmat));
  return {
    image: info?.file ?? cam.name,
    ...(info?.frame !== undefined ? { frame: info.frame, time_secs: info.timeSecs ?? null } : {}),
    enu: r3(enu),
    gps: gps ? r3(gps) : null,
    residual_m: gps ? Math.round(norm(sub(enu, gps)) * 1000) / 1000 : null,
    outlier,
  };
}

function gravityInfo(
  up: UpEstimate | null,
  used: number,
  spread: number | null,
  note: string | null,
): GravityInfo {
  return {
    method: used > 0 ? (up?.method ?? "cameras") : "none",
    cameras: used,
    spread_deg: spread === null ? null : (spread * 180) / Math.PI,
    note,
  };
}

/** Images with a usable fix, in the order of `cams`. */
function located(cams: readonly RegisteredCamera[], infos: ReadonlyMap<string, ImageInfo>) {
  return cams.flatMap((cam) => {
    const info = infos.get(cam.name);
    const g = info?.gps;
    return g && Number.isFinite(g.altitude) ? [{ cam, info: info!, gps: g }] : [];
  });
}

/** Why the GPS does not define the frame, or null when it does. */
function weakness(fit: GpsFit | null, fixes: number): string | null {
  if (fixes < 3) return `${fixes} registered image(s) with GPS (3 needed)`;
  if (!fit) return "the GPS fixes give no usable similarity";
  if (fit.inlier.filter(Boolean).length < 3) return "fewer than 3 GPS fixes agree";
  const p = fit.precision;
  if (p.scale_pct === null || p.heading_deg === null)
    return "the GPS fixes leave the orientation free";
  if (p.scale_pct > WEAK_GPS.scale_pct || p.heading_deg > WEAK_GPS.heading_deg) {
    return (
      `the GPS fixes are too close together for their accuracy (scale ±${p.scale_pct.toFixed(1)} %, ` +
      `heading ±${p.heading_deg.toFixed(1)}°)`
    );
  }
  return null;
}

/**
 * Georeferences registered cameras (see the module comment). `seed` makes the robust fit's
 * sampling repeatable.
 */
export function georeference(
  cams: readonly RegisteredCamera[],
  infos: ReadonlyMap<string, ImageInfo>,
  opts: { seed?: number } = {},
): GeoreferenceOutcome {
  const attitude = cams.map((c) => attitudeOf(c, infos.get(c.name)));
  const up = estimateUp(attitude);
  const withGps = located(cams, infos);
  const warnings: string[] = [];
  const skipped = cams.filter((c) => infos.get(c.name)?.gps && !withGps.some((w) => w.cam === c));
  if (skipped.length) warnings.push(`${skipped.length} GPS fix(es) without altitude not used`);
  if (withGps.length === 0) return gravityFrame(cams, infos, up, warnings, null);
  const origin = originOf(withGps.map((w) => w.gps));
  const gpsEnu = withGps.map((w) => geodeticToEnu(origin, w.gps));
  const declared = withGps.find((w) => w.info.accuracy)?.info.accuracy ?? null;
  const fit =
    withGps.length >= 3
      ? fitGps({
          model: withGps.map((w) => cameraCentre(w.cam.viewmat)),
          gps: gpsEnu,
          declared,
          gravity: up ? { constraints: attitude.map(constraintOf), up: up.up } : null,
          seed: opts.seed ?? 0,
        })
      : null;
  const weak = weakness(fit, withGps.length);
  if (weak || !fit) return gravityFrame(cams, infos, up, warnings, weak);
  const gpsByName = new Map(withGps.map((w, i) => [w.cam.name, { enu: gpsEnu[i]!, i }]));
  const cameras = cams.map((cam) => {
    const g = gpsByName.get(cam.name);
    return cameraRecord(
      cam,
      infos.get(cam.name),
      fit.T,
      g?.enu ?? null,
      g ? !fit.inlier[g.i] : false,
    );
  });
  const outliers = withGps
    .filter((_, i) => !fit.inlier[i])
    .map((w) => imageLabel(w.cam.name, w.info));
  const sources = [...new Set(withGps.map((w) => w.info.source ?? "unknown"))].sort();
  const heightRefs = new Set(withGps.map((w) => w.info.heightRef));
  if (heightRefs.size > 1)
    warnings.push("the fixes mix heights above sea level and above the ellipsoid");
  const inliers = fit.inlier.filter(Boolean).length;
  const georef: Georef = {
    format: GEOREF_FORMAT,
    version: GEOREF_VERSION,
    method: "gps",
    summary:
      `GPS (${sources.join("+")}): ${inliers}/${withGps.length} fixes kept, RMSE ${fit.rmse.toFixed(2)} m; ` +
      `x east, y north, z up in metres from ${origin.latitude}, ${origin.longitude}, ${origin.altitude} m`,
    origin: {
      lat: origin.latitude,
      lon: origin.longitude,
      height: origin.altitude,
      height_ref: heightRefs.has("msl") ? "msl" : "ellipsoid",
    },
    frame: "ENU",
    epsg: utmEpsg(origin.latitude, origin.longitude),
    transform: similarityMatrix(fit.T),
    scale: fit.T.s,
    rmse_m: fit.rmse,
    max_m: fit.max,
    inliers,
    total: withGps.length,
    outliers,
    cameras,
    gps_source: sources.join("+"),
    gps_sigma_m: { ...fit.sigma },
    threshold_m: { ...fit.threshold },
    gravity: gravityInfo(up, fit.gravity.used, fit.gravity.spread, fit.gravity.note),
    warnings: [...warnings, ...fit.warnings],
    precision: { ...fit.precision },
  };
  return { georef, T: fit.T };
}

/** The frame without (usable) GPS: z gravity up, origin at the cameras' centroid, scale 1. */
function gravityFrame(
  cams: readonly RegisteredCamera[],
  infos: ReadonlyMap<string, ImageInfo>,
  up: UpEstimate | null,
  warnings: string[],
  reason: string | null,
): GeoreferenceOutcome {
  const R = up ? rotationBetween(up.up, [0, 0, 1]) : rotationBetween([0, 0, 1], [0, 0, 1]);
  const c = centroid(cams.map((cam) => cameraCentre(cam.viewmat)));
  const T: Similarity = { s: 1, R, t: scale(mulMat(R, c), -1) };
  const withFix = cams.filter((cam) => infos.get(cam.name)?.gps).length;
  const why = reason ?? (withFix ? null : "no image has a GPS fix");
  const georef: Georef = {
    format: GEOREF_FORMAT,
    version: GEOREF_VERSION,
    method: "gravity",
    summary: `${NO_GPS_SUMMARY}${why ? ` (${why})` : ""}`,
    origin: null,
    frame: "gravity-up",
    epsg: null,
    transform: similarityMatrix(T),
    scale: null,
    rmse_m: null,
    max_m: null,
    inliers: 0,
    total: withFix,
    outliers: [],
    cameras: cams.map((cam) => cameraRecord(cam, infos.get(cam.name), T, null, false)),
    gps_source: null,
    gps_sigma_m: null,
    threshold_m: null,
    gravity: gravityInfo(
      up,
      up?.used ?? 0,
      up?.spread ?? null,
      up?.note ?? (up ? null : "no cameras"),
    ),
    warnings: why ? [...warnings, `not georeferenced: ${why}`] : warnings,
    precision: up ? { tilt_deg: (up.precision * 180) / Math.PI } : null,
  };
  return { georef, T };
}
