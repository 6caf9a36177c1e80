import { z } from "zod";

/**
 * The georeference of a reconstruction: how COLMAP's arbitrary frame maps to the local frame the
 * model is trained and exported in. With GPS the local frame is east-north-up (ENU) metres on the
 * WGS84 tangent plane at `origin`; without it, z is gravity up estimated from the cameras and the
 * scale is unknown. Recorded in ColmapReconstruction's result (`georef`) and written beside the
 * exported models as `georef.json` (with the projected CRS the exports name).
 */
export const GEOREF_FILENAME = "georef.json";
export const GEOREF_FORMAT = "splatbook-georef";
export const GEOREF_VERSION = 1;

/** A WGS84 position: degrees, and a height in metres above `height_ref`. */
export const GeorefOriginSchema = z.looseObject({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  height: z.number(),
  /** "msl" as EXIF and DJI telemetry give it (above mean sea level), or "ellipsoid" (GoPro). */
  height_ref: z.literal(["msl", "ellipsoid"]),
});
export type GeorefOrigin = z.infer<typeof GeorefOriginSchema>;

const Vec3Schema = z.tuple([z.number(), z.number(), z.number()]);

/** One registered image's fitted position in the local frame, beside its GPS fix. */
export const GeorefCameraSchema = z.looseObject({
  /** The photo or video file, relative to the input folder. */
  image: z.string(),
  /** For a video frame: its 0-based index in the extracted frames' order and its time. */
  frame: z.number().int().nonnegative().optional(),
  time_secs: z.number().nullable().optional(),
  /** Where the fitted transform puts the camera centre (local frame). */
  enu: Vec3Schema,
  // --- additions beyond the keys the format promises ---
  /** The image's GPS fix in the local frame, or null when it has none. */
  gps: Vec3Schema.nullable().optional(),
  /** Distance from the fitted position to the GPS fix, metres (null without a fix). */
  residual_m: z.number().nullable().optional(),
  /** True when the GPS fix was rejected as an outlier. */
  outlier: z.boolean().optional(),
});
export type GeorefCamera = z.infer<typeof GeorefCameraSchema>;

/** How the orientation's up direction was fixed (besides the GPS positions). */
export const GravitySchema = z.looseObject({
  /**
   * "cameras": the cameras' horizons (x axes level) and the gimbal pitch where the files give it;
   * "mean_up": the mean of the cameras' up vectors (their horizons did not span a plane);
   * "none": not used.
   */
  method: z.literal(["cameras", "mean_up", "none"]),
  /** Cameras that contributed. */
  cameras: z.number().int().nonnegative(),
  /** Robust spread of the cameras' horizon residuals, degrees (null when not estimated). */
  spread_deg: z.number().nullable(),
  /** Why the cameras' up was not used or how it was used, one line. */
  note: z.string().nullable(),
});
export type GravityInfo = z.infer<typeof GravitySchema>;

/** The georeference record (georef.json, and ColmapReconstruction's `result.georef`). */
export const GeorefSchema = z.looseObject({
  format: z.literal(GEOREF_FORMAT),
  version: z.number().int().positive(),
  /** "gps": fitted to GPS, metres; "gravity": no usable GPS, z up from the cameras, scale unknown. */
  method: z.literal(["gps", "gravity"]),
  /** One line for people: what the frame is and how sure it is. */
  summary: z.string(),
  /** The WGS84 point at the local origin (null without GPS). */
  origin: GeorefOriginSchema.nullable(),
  /** "ENU" (x east, y north, z up, metres) or "gravity-up" (z up, x and y arbitrary, scale unknown). */
  frame: z.literal(["ENU", "gravity-up"]),
  /** A projected CRS to put the model on a map, "EPSG:<code>" (null without GPS). */
  epsg: z.string().nullable(),
  /** 4×4, row-major: COLMAP's model frame → local frame (x_local = s·R·x + t). */
  transform: z.array(z.array(z.number()).length(4)).length(4),
  /** Metres per COLMAP unit (null when unknown: no GPS). */
  scale: z.number().positive().nullable(),
  /** Root mean square and largest distance between fitted positions and inlier GPS fixes, metres. */
  rmse_m: z.number().nullable(),
  max_m: z.number().nullable(),
  /** GPS fixes kept and GPS fixes considered (registered images with a fix). */
  inliers: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** Images whose GPS was rejected (input-relative names; frames as "<video>#<frame>"). */
  outliers: z.array(z.string()),
  cameras: z.array(GeorefCameraSchema),
  /** Where the GPS came from ("exif", "dji-srt", "gpmf", "video-tag"; several joined by "+"). */
  gps_source: z.string().nullable(),
  // --- additions ---
  /** GPS accuracy the inlier threshold was chosen from, metres (one sigma) and how it was found. */
  gps_sigma_m: z
    .looseObject({
      horizontal: z.number(),
      vertical: z.number(),
      source: z.literal(["estimated", "declared", "prior"]),
    })
    .nullable(),
  /** Inlier thresholds in metres (horizontal, vertical). */
  threshold_m: z.looseObject({ horizontal: z.number(), vertical: z.number() }).nullable(),
  gravity: GravitySchema,
  /** Problems worth knowing (a collinear flight, few fixes), one line each. */
  warnings: z.array(z.string()),
  /** Standard errors of the fitted frame (heading and tilt in degrees, scale in percent). */
  precision: z
    .looseObject({
      heading_deg: z.number().nullable().optional(),
      tilt_deg: z.number().nullable().optional(),
      scale_pct: z.number().nullable().optional(),
    })
    .nullable()
    .optional(),
  /** The name of the `epsg` CRS (exports fill it in). */
  crs_name: z.string().optional(),
  /** The origin in `epsg`'s coordinates and how the ENU axes sit in it (exports fill it in). */
  projected: z
    .looseObject({
      x: z.number(),
      y: z.number(),
      /** Angle from grid north to true north at the origin, degrees, clockwise positive. */
      convergence_deg: z.number(),
      /** Grid metres per local metre at the origin (point scale × elevation factor R/(R+h)). */
      scale_factor: z.number(),
    })
    .nullable()
    .optional(),
});
export type Georef = z.infer<typeof GeorefSchema>;

/** The `--crs` value: `EPSG:<code>`. */
export const CrsSchema = z
  .string()
  .regex(/^EPSG:\d{4,6}$/i, 'expected "EPSG:<code>", e.g. EPSG:32632');

/** Applies a georef's 4×4 transform to a point of COLMAP's frame. */
export function toLocalFrame(g: Pick<Georef, "transform">, p: readonly number[]): number[] {
  const m = g.transform;
  return [0, 1, 2].map(
    (r) => m[r]![0]! * p[0]! + m[r]![1]! * p[1]! + m[r]![2]! * p[2]! + m[r]![3]!,
  );
}

/**
 * A georeference in a few lines for people (`splatbook status`, the notebook's text output):
 * what the frame is, its origin, scale and fit, and the map CRS (`epsg` overrides the record's,
 * e.g. the one the exports named).
 */
export function describeGeoref(g: Georef, epsg?: string | null): string[] {
  const lines = [`georeference  ${g.summary}`];
  if (g.method !== "gps" || !g.origin) {
    lines.push("  frame       z up (gravity from the cameras), x and y arbitrary, COLMAP's scale");
    return lines;
  }
  const o = g.origin;
  lines.push(
    `  origin      ${o.lat}, ${o.lon}, ${o.height} m (${o.height_ref}); ENU: x east, y north, z up, metres`,
    `  scale       ${g.scale!.toPrecision(6)} m per COLMAP unit; RMSE ${g.rmse_m!.toFixed(2)} m, ` +
      `max ${g.max_m!.toFixed(2)} m over ${g.inliers}/${g.total} fixes`,
  );
  if (g.outliers.length) {
    const shown = g.outliers.slice(0, 5).join(", ");
    lines.push(`  outliers    ${g.outliers.length}: ${shown}${g.outliers.length > 5 ? ", …" : ""}`);
  }
  const crs = epsg ?? g.epsg;
  if (crs) {
    const p = g.projected && (epsg === undefined || epsg === g.epsg) ? g.projected : null;
    lines.push(
      `  map         ${crs}${g.crs_name ? ` (${g.crs_name})` : ""}` +
        (p ? `: origin at ${p.x.toFixed(2)}, ${p.y.toFixed(2)}` : ""),
    );
  }
  return lines;
}
