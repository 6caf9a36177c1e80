/**
 * The focal-length step after the mapper: measure the kept model (src/sfm/focalHold.ts), and on
 * a hold reseat it on the priors and bundle-adjust with the focal lengths held
 * (src/sfm/focalReseat.ts); the held model is kept when it fits about as well.
 */
import { join } from "node:path";
import type { FocalRecord } from "../contracts/stageResults.js";
import { readCamerasBin, readImagesBin, readPoints3DBin } from "./colmapBinary.js";
import type { StepContext, VideoFrames } from "./colmapSteps.js";
import { decideFocal, groupFigures, HELD_ERROR_TOLERANCE, type FocalGroup } from "./focalHold.js";
import { reseatOnPriors } from "./focalReseat.js";
import { meanReprojectionError } from "./sceneModel.js";

/** The camera groups as the decision sees them: names, images, priors, whether firm. */
function focalGroups(videos: readonly VideoFrames[]) {
  return videos.map((v, i) => ({
    id: v.group ?? `camera ${i + 1}`,
    images: v.images,
    priorPx: v.camera ? v.camera.params[0]! : null,
    firm: v.priorFirm === true && v.camera !== null,
  }));
}

/** The camera groups' figures (spread, focal length per group) in the binary model in `dir`. */
export async function focalFigures(videos: readonly VideoFrames[], dir: string) {
  return groupFigures(focalGroups(videos), await readImagesBin(dir), await readCamerasBin(dir));
}

/**
 * The stretch that carries the refined focal lengths to their priors: one scene takes one
 * stretch, so with several cameras the image-weighted geometric mean of prior / refined.
 */
function stretchFactor(groups: readonly FocalGroup[], images: readonly { length: number }[]) {
  let [sum, n] = [0, 0];
  for (const [i, g] of groups.entries()) {
    if (g.priorPx === null || g.refinedPx === null) continue;
    sum += images[i]!.length * Math.log(g.priorPx / g.refinedPx);
    n += images[i]!.length;
  }
  return n > 0 ? Math.exp(sum / n) : 1;
}

/**
 * Decides for the model in `kept.dir` (mean reprojection error `kept.mre`); on a hold writes the
 * held model into `outDir` and returns it as `heldDir` when it registers as many images at no
 * more than HELD_ERROR_TOLERANCE × the error, else `heldDir` is null (keep the refined model).
 */
export async function settleFocal(
  videos: readonly VideoFrames[],
  kept: { dir: string; registered: number; mre: number },
  outDir: string,
  c: StepContext,
): Promise<{ heldDir: string | null; record: FocalRecord }> {
  const groups = focalGroups(videos);
  const figures = async (dir: string) =>
    groupFigures(groups, await readImagesBin(dir), await readCamerasBin(dir));
  const refined = await figures(kept.dir);
  const proposal = decideFocal(refined.groups, refined.spreadDeg);
  let [final, reason, heldDir] = [refined, proposal.reason, null as string | null];
  let heldRun: FocalRecord["held_run"] = null;
  if (proposal.decision === "hold") {
    const priors = new Map<number, number>();
    for (const g of refined.groups)
      if (g.cameraId != null && g.priorPx !== null) priors.set(g.cameraId, g.priorPx);
    const a = stretchFactor(
      refined.groups,
      groups.map((g) => g.images),
    );
    const dir = join(outDir, "model");
    await reseatOnPriors(kept.dir, dir, priors, refined.direction, a, c);
    const mre = meanReprojectionError(await readPoints3DBin(dir));
    const registered = (await readImagesBin(dir)).length;
    const ok = registered >= kept.registered && mre <= kept.mre * HELD_ERROR_TOLERANCE;
    heldRun = { registered, mean_reprojection_error: Number.isFinite(mre) ? mre : null, kept: ok };
    if (ok) [final, heldDir] = [await figures(dir), dir];
    else
      reason +=
        `; held, the model fit worse (${mre.toFixed(3)} px against ${kept.mre.toFixed(3)} px): ` +
        "refined kept";
  }
  const record: FocalRecord = {
    decision: heldDir ? "hold" : "refine",
    reason,
    view_spread_deg: refined.spreadDeg,
    groups: refined.groups.map((g, i) => ({
      ...{ id: g.id, prior_px: g.priorPx, firm: g.firm, refined_px: g.refinedPx },
      ...{ view_spread_deg: g.spreadDeg, final_px: final.groups[i]!.refinedPx },
    })),
    held_run: heldRun,
  };
  return { heldDir, record };
}
