/**
 * A last bundle adjustment without the model's outlying observations. The mapper keeps every
 * observation within COLMAP's fixed 4 px (`filter_max_reproj_error`), set for frames of any size;
 * its bundle adjustment is least squares, so the observations between a few σ of the model's own
 * residuals and 4 px (mismatches on repeated façades, features blurred by compression) pull the
 * weakly held directions of the model: on small frames the focal length and a slow turn along each
 * clip. On courtyard-duo (320×240) the true poses with the focal lengths refined settle at
 * +0.1–0.2 %, yet a bundle adjustment started from the true cameras walks to +1.2 % and a 0.18°
 * median rotation error at the same mean reprojection error; run to convergence on the mapper's
 * model, it stays at 0.13°. Without the observations beyond OUTLIER_FACTOR × the median point
 * error, the same adjustment gives 0.10–0.11° (courtyard-duo), 0.105° from 0.175° (studio-trio),
 * and on the captures already within the target 0.030° from 0.043° (sample), 0.015° from 0.023°
 * (garden-walk), 0.015° from 0.040° (handheld-photos): README, pose accuracy.
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { readImagesBin, readPoints3DBin } from "./colmapBinary.js";
import { runColmap, type StepContext } from "./colmapSteps.js";
import { meanReprojectionError } from "./sceneModel.js";
import { median } from "../util/median.js";

/**
 * Observations further than this many times the model's median point error are dropped. The
 * median point error is about 1.1 σ of the per-axis noise (the median of a Rayleigh is 1.18 σ,
 * a track's mean a little less), so the limit sits near 4–5 σ: Gaussian inliers beyond it are
 * fewer than 1 in 3000.
 */
export const OUTLIER_FACTOR = 4;
/** The mapper's own limit (COLMAP's default filter_max_reproj_error): nothing to do above it. */
export const MAPPER_FILTER_PX = 4;

/** The limit for a model whose points have these mean reprojection errors (px). */
export function outlierThresholdPx(pointErrors: ArrayLike<number>): number {
  return OUTLIER_FACTOR * median(Array.from(pointErrors).filter((e) => e >= 0));
}

/** What the refinement did (the attempt record's `outlier_refinement`). */
export interface OutlierRefinement {
  threshold_px: number;
  points_before: number;
  points_after: number;
  mean_reprojection_error_before: number;
  mean_reprojection_error_after: number;
  /** False when it was skipped or lost an image; the model before it is then kept. */
  kept: boolean;
}

/**
 * Drops the observations of the model in `modelDir` beyond the limit (COLMAP point_filtering)
 * and bundle-adjusts the rest (focal lengths held when `holdFocal`, as the focal decision
 * chose; principal point and distortion held as in the mapper) into `outDir`. Returns the new
 * model's folder, or null with the record when it is skipped (limit at or above the mapper's)
 * or registers fewer images.
 */
export async function refineWithoutOutliers(
  modelDir: string,
  outDir: string,
  holdFocal: boolean,
  c: StepContext,
): Promise<{ dir: string | null; record: OutlierRefinement }> {
  const before = await readPoints3DBin(modelDir);
  const threshold = outlierThresholdPx(before.error);
  const record: OutlierRefinement = {
    threshold_px: threshold,
    points_before: before.count,
    points_after: before.count,
    mean_reprojection_error_before: meanReprojectionError(before),
    mean_reprojection_error_after: meanReprojectionError(before),
    kept: false,
  };
  if (before.count === 0 || !(threshold < MAPPER_FILTER_PX)) return { dir: null, record };
  const [filtered, adjusted] = [join(outDir, "filtered"), join(outDir, "model")];
  await rm(outDir, { recursive: true, force: true });
  await mkdir(filtered, { recursive: true });
  await mkdir(adjusted, { recursive: true });
  await runColmap(
    [
      "point_filtering",
      ...["--input_path", modelDir, "--output_path", filtered],
      ...["--max_reproj_error", String(threshold)],
    ],
    "point filtering",
    c.signal,
  );
  await runColmap(
    [
      "bundle_adjuster",
      ...["--input_path", filtered, "--output_path", adjusted],
      ...["--BundleAdjustment.refine_focal_length", holdFocal ? "0" : "1"],
      ...["--BundleAdjustment.refine_principal_point", "0"],
      ...["--BundleAdjustment.refine_extra_params", "0"],
    ],
    "bundle adjustment without outliers",
    c.signal,
  );
  const after = await readPoints3DBin(adjusted);
  const registered = async (dir: string) => (await readImagesBin(dir)).length;
  const ok = (await registered(adjusted)) >= (await registered(modelDir)) && after.count > 0;
  Object.assign(record, {
    points_after: after.count,
    mean_reprojection_error_after: meanReprojectionError(after),
    kept: ok,
  });
  return { dir: ok ? adjusted : null, record };
}

/** The log line of a refinement. */
export function outlierLine(r: OutlierRefinement): string {
  if (r.points_after === r.points_before && !r.kept)
    return `outliers: none beyond ${r.threshold_px.toFixed(2)} px (${OUTLIER_FACTOR} × the median point error)`;
  return (
    `outliers: observations beyond ${r.threshold_px.toFixed(2)} px (${OUTLIER_FACTOR} × the median ` +
    `point error) dropped, bundle-adjusted again: ${r.points_before} → ${r.points_after} points, ` +
    `${r.mean_reprojection_error_before.toFixed(3)} → ${r.mean_reprojection_error_after.toFixed(3)} px` +
    (r.kept ? "" : ", an image lost: not kept")
  );
}
