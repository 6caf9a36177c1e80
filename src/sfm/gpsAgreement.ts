/**
 * How well a model's camera centres agree with the capture's GPS fixes, through the same robust
 * similarity fit the georeference uses (src/sfm/georef/). Independent of the matches: a mapper
 * that bends a straight flight line, or closes a ring of look-alike façades the wrong way, can
 * explain its own matches at a low reprojection error, but not where the receiver was.
 */
import { readImagesBin } from "./colmapBinary.js";
import type { VideoFrames } from "./colmapSteps.js";
import { georeference, type ImageInfo } from "./georef/georeference.js";

/** The fit's figures for one model (metres). */
export interface GpsAgreement {
  /** Registered images with a fix (altitude included). */
  fixes: number;
  /** Fixes the robust fit kept. */
  inliers: number;
  /** Median distance, over every fix, between the fitted camera centre and the fix. */
  median_residual_m: number;
  /** RMS of the kept fixes' distances. */
  rmse_m: number;
  /** The fit's horizontal GPS noise (one sigma), estimated from its residuals. */
  sigma_m: number;
}

/** Fewer fixes and the comparison is left to the matches (the fit estimates no noise below 8). */
export const MIN_GPS_FIXES = 8;

/** Each image's fix with altitude, by COLMAP image name; empty when no image has one. */
export function fixesByName(videos: readonly VideoFrames[]): Map<string, ImageInfo> {
  const out = new Map<string, ImageInfo>();
  for (const v of videos) {
    v.images.forEach((name, i) => {
      const g = v.gps?.[i];
      if (!g || g.altitude === null || !Number.isFinite(g.altitude)) return;
      out.set(name, {
        file: name,
        gps: { latitude: g.latitude, longitude: g.longitude, altitude: g.altitude },
        source: null,
        heightRef: "ellipsoid",
        pitchDeg: null,
        accuracy: null,
      });
    });
  }
  return out;
}

/**
 * The GPS agreement of the model in `modelDir`, or null when fewer than MIN_GPS_FIXES registered
 * images have a fix or the fixes do not define a frame (too close together for their noise).
 */
export async function gpsAgreement(
  modelDir: string,
  fixes: ReadonlyMap<string, ImageInfo>,
  seed = 0,
): Promise<GpsAgreement | null> {
  if (fixes.size < MIN_GPS_FIXES) return null;
  const cams = (await readImagesBin(modelDir)).map((im) => ({
    name: im.name,
    viewmat: im.viewmat,
  }));
  if (cams.filter((c) => fixes.has(c.name)).length < MIN_GPS_FIXES) return null;
  const { georef } = georeference(cams, fixes, { seed });
  if (georef.method !== "gps" || georef.rmse_m === null) return null;
  const residuals = georef.cameras.flatMap((c) =>
    typeof c.residual_m === "number" ? [c.residual_m] : [],
  );
  const sorted = [...residuals].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return {
    fixes: residuals.length,
    inliers: georef.inliers,
    median_residual_m: median,
    rmse_m: georef.rmse_m,
    sigma_m: georef.gps_sigma_m?.horizontal ?? 0,
  };
}
