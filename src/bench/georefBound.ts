/**
 * The bench's yardstick for a noisy draw: the weighted least-squares similarity a fit would reach
 * if it were told which fixes are outliers and the noise's true sigmas, with the cameras' gravity
 * (their own spread as its sigma) pinning the tilt. With Gaussian noise that fit is efficient: no
 * estimator does better on average, and one that must find the outliers and the accuracy from the
 * data itself can only come close. Its position RMSE obeys E[RMSE²] ≈ (4 σh² + σv²) / n over n
 * inliers: two horizontal translations, heading and scale from the horizontal fixes, the height
 * from the vertical ones (tilt comes from gravity).
 */
import type { Georef } from "../contracts/georef.js";
import { cameraCentre } from "../sfm/sceneModel.js";
import type { ImageInfo } from "../sfm/georef/georeference.js";
import { constraintError, constraintOf, estimateUp } from "../sfm/georef/gravity.js";
import { refineSimilarity } from "../sfm/georef/refine.js";
import type { Similarity } from "../sfm/georef/similarity.js";
import { geodeticToEnu } from "../util/geodesy.js";
import { rotationOf, type TruthPair } from "./georefAccuracy.js";

/** What the draw was: its fixes by image, which were gross outliers, and the noise's sigmas. */
export interface KnownNoise {
  infos: ReadonlyMap<string, ImageInfo>;
  outlier: ReadonlySet<number>;
  sigma: { horizontal: number; vertical: number };
}

/**
 * The efficient fit for one draw in the record's own frame (its origin), started from the
 * record's transform `T`; null for a record without an origin.
 */
export function knownNoiseFit(
  g: Georef,
  T: Similarity,
  pairs: readonly TruthPair[],
  k: KnownNoise,
): Similarity | null {
  if (!g.origin) return null;
  const origin = { latitude: g.origin.lat, longitude: g.origin.lon, altitude: g.origin.height };
  const gps = pairs.map((p) => geodeticToEnu(origin, k.infos.get(p.name)!.gps!));
  const attitude = pairs.map((p) => ({
    rotation: rotationOf(p.viewmat),
    pitchDeg: k.infos.get(p.name)?.pitchDeg ?? null,
  }));
  const up = estimateUp(attitude);
  const all = attitude.map(constraintOf);
  const kept = up ? all.filter((c) => constraintError(c, up.up) <= 3 * up.spread) : [];
  const gravity = up && kept.length ? { constraints: kept, sigma: up.spread } : undefined;
  return refineSimilarity(
    {
      model: pairs.map((p) => cameraCentre(p.viewmat)),
      gps,
      use: pairs.map((_, i) => !k.outlier.has(i)),
      sigma: k.sigma,
      gravity,
    },
    T,
  ).T;
}
