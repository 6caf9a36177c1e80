import { outlierLine } from "./outlierRefine.js";
import { trimLine } from "./residualTrim.js";
import { trackLine } from "./trackTest.js";
import { existsSync } from "node:fs";
import { cp, mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { ManifestSchema, type Manifest, type ManifestVideo } from "../contracts/manifest.js";
import type { StageContext, StageDefinition } from "../contracts/stage.js";
import { readJsonFile } from "../util/atomicFile.js";
import { SplatbookError } from "../util/errors.js";
import { reconstructWithLadder, undistortToPinhole, type VideoFrames } from "./colmapRunner.js";
import { readImageSize } from "./imageSize.js";
import { describePairs, ladderRungs } from "./ladder.js";
import type { Layout } from "./pairs.js";
import { geodeticToEnu } from "../util/geodesy.js";
import { chooseSiftSettings, strongerSift, type SiftSettings } from "./siftSettings.js";
import { georeferenceStep } from "./georef/step.js";
import { focalLines } from "./focalHold.js";
import { globalStartLine } from "./globalStart.js";
import { describePrecalibrated } from "../contracts/precalibrated.js";
import type { ColmapReconstructionResult, SfmAttempt } from "../contracts/stageResults.js";

/** The largest frame size among the videos' first frames. */
async function largestFrame(
  videos: VideoFrames[],
  framesRoot: string,
): Promise<{ width: number; height: number }> {
  let best = { width: 0, height: 0 };
  for (const v of videos) {
    const size = await readImageSize(join(framesRoot, v.images[0]!));
    if (size.width * size.height > best.width * best.height) best = size;
  }
  return best;
}

/**
 * The first attempt's SIFT settings (the `maxFeatures` parameter overrides the chosen cap) and
 * the stronger rungs' (twice the larger of the two caps, upsampled).
 */
function siftFor(
  params: StageContext["params"],
  size: { width: number; height: number },
  frames: number,
): { first: SiftSettings; strong: SiftSettings } {
  const chosen = chooseSiftSettings(size, frames);
  const given = params.maxFeatures;
  const first = given ? { ...chosen, maxNumFeatures: given } : chosen;
  // A cap given above the chosen one raises the stronger attempts' too (never lowers them).
  const strong = strongerSift(
    given !== undefined && given > chosen.maxNumFeatures ? first : chosen,
  );
  return { first, strong };
}

/** The evidence the kept mapper run was chosen by, for the attempt's log line. */
function evidenceText(a: SfmAttempt): string {
  const parts: string[] = [];
  if (a.verified_matches) {
    const pct = (100 * (a.explained_matches ?? 0)) / a.verified_matches;
    parts.push(`${pct.toFixed(1)} % of ${a.verified_matches} verified matches explained`);
  }
  if (a.gps) {
    parts.push(
      `GPS median residual ${a.gps.median_residual_m.toFixed(2)} m (${a.gps.inliers}/${a.gps.fixes} fixes kept)`,
    );
  }
  const runs = a.mapper_runs?.length ?? 0;
  if (a.mapper_choice && runs > 1) parts.push(`run chosen of ${runs} by ${a.mapper_choice}`);
  return parts.length ? `; ${parts.join(", ")}` : "";
}

/** One log line of an attempt's figures. */
export function attemptLine(a: SfmAttempt): string {
  const mre = a.mean_reprojection_error;
  return (
    `${a.settings} → registered ${a.registered}/${a.total}, ` +
    `${a.model_sizes.length} model(s)` +
    (a.model_sizes.length > 1
      ? ` (${a.model_sizes.join(", ")}${a.merged ? ", merged" : ""})`
      : "") +
    `, ${a.points} points, mean reprojection error ${mre === null ? "–" : mre.toFixed(3)} px, ` +
    `${a.seconds.toFixed(1)} s` +
    (a.reused_features ? " (features reused)" : "") +
    evidenceText(a) +
    (a.misplaced_suspects
      ? `; ${a.misplaced_suspects} image(s) look registered in the wrong place (few of their matches in tracks)`
      : "") +
    (a.misplaced_rounds ?? [])
      .map(
        (r) =>
          `; ${r.suspects} image(s) looked misplaced, ${r.dropped_pairs} pair(s) dropped → ` +
          `${r.registered} registered, ${r.suspects_after} suspect(s)` +
          (r.explained_after !== undefined
            ? `, ${r.explained_before ?? "?"} → ${r.explained_after} matches explained`
            : "") +
          (r.kept ? ", kept" : ", not kept"),
      )
      .join("")
  );
}

/** Where the manifest lives: the checkpoint's manifest_path, else `<output>/manifest.json`. */
function manifestPath(ctx: StageContext): string {
  const upstream = ctx.resultOf("ManifestGeneration");
  if (upstream) return upstream.manifest_path;
  return ctx.checkpoint.completed_stages.manifest_path ?? join(ctx.outputFolder, "manifest.json");
}

/**
 * COLMAP camera prior for one camera group, scaled from the manifest's intrinsics to the size of
 * the extracted frames (extraction may have downscaled them).
 */
export async function cameraPrior(
  video: Pick<ManifestVideo, "intrinsics">,
  firstFrame: string,
): Promise<VideoFrames["camera"]> {
  const { width, height } = await readImageSize(firstFrame);
  const k = video.intrinsics;
  const sx = width / k.width;
  const sy = height / k.height;
  const [fx, fy, cx, cy] = [k.fx * sx, k.fy * sy, k.cx * sx, k.cy * sy];
  // One focal length (SIMPLE_RADIAL): pixels are square on every phone, drone and camera this
  // takes. With PINHOLE COLMAP refines fx and fy apart; on the square-pixel handheld-photos
  // capture that gave fx/fy 353.0/356.0 against a true 346.7 px (and on a hidden capture fx ≠ fy
  // by 1.5 %), a freedom that only absorbs errors of the reconstruction.
  return { model: "SIMPLE_RADIAL", params: [(fx + fy) / 2, cx, cy, 0] };
}

/** A manifest path made relative to frames/ (COLMAP's image root); refuses anything outside. */
function underFrames(path: string, owner: string, file: string): string {
  const rel = path.replace(/\\/g, "/").replace(/^(\.\/)?frames\//, "");
  if (rel === path.replace(/\\/g, "/") || rel.startsWith("../")) {
    throw new SplatbookError(`${file}: frame ${path} of ${owner} is not under frames/`, { file });
  }
  return rel;
}

/**
 * Per-camera image lists from a manifest, videos first, then one list per photo camera group;
 * every listed image must exist. Photos carry their GPS (for spatial pairs).
 */
export async function videoFramesFromManifest(
  manifest: Manifest,
  outputFolder: string,
  file: string,
): Promise<VideoFrames[]> {
  const framesRoot = join(outputFolder, "frames");
  const videos: VideoFrames[] = [];
  const photoGroups = (manifest.camera_groups ?? []).filter((g) => g.kind === "photos");
  const lists = [
    ...manifest.videos.map((v) => ({
      owner: v.filename,
      group: `video:${v.filename}`,
      intrinsics: v.intrinsics,
      unordered: false,
      items: v.frames.map((f) => ({ path: f.path, gps: f.gps ?? null })),
    })),
    ...photoGroups.map((g) => ({
      owner: `camera group ${g.id}`,
      group: g.id,
      intrinsics: g.intrinsics,
      unordered: true,
      items: (manifest.photos ?? []).filter((p) => p.camera_group === g.id),
    })),
  ];
  for (const list of lists) {
    if (list.items.length === 0) continue;
    const images = list.items.map((f) => underFrames(f.path, list.owner, file));
    const missing = images.find((rel) => !existsSync(join(framesRoot, rel)));
    if (missing) {
      throw new SplatbookError(
        `${join(framesRoot, missing)}: frame listed in the manifest is missing`,
        {
          file: join(framesRoot, missing),
        },
      );
    }
    videos.push({
      images,
      camera: await cameraPrior(list, join(framesRoot, images[0]!)),
      unordered: list.unordered,
      gps: list.items.map((f) => f.gps),
      ...{ group: list.group, priorFirm: list.intrinsics.source === "metadata" },
    });
  }
  return videos;
}

/**
 * The pairing layout of the camera groups: photo groups are unordered; positions in metres (east,
 * north, up from the first located image) where every photo has GPS.
 */
export function layoutOfGroups(groups: readonly VideoFrames[]): Layout {
  const gps = groups.flatMap((g) => g.gps ?? g.images.map(() => null));
  const origin = gps.find((g) => g !== null);
  const positions = gps.map((g) =>
    g && origin
      ? geodeticToEnu(
          { ...origin, altitude: origin.altitude ?? 0 },
          { ...g, altitude: g.altitude ?? origin.altitude ?? 0 },
        )
      : null,
  );
  return {
    counts: groups.map((g) => g.images.length),
    unordered: groups.map((g) => g.unordered === true),
    positions,
  };
}

/** Replaces `target` by a fully written copy: write beside it, then swap. */
async function replaceFolder(target: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${target}.partial`;
  await rm(tmp, { recursive: true, force: true });
  await write(tmp);
  await rm(target, { recursive: true, force: true });
  await rename(tmp, target);
}

async function run(ctx: StageContext): Promise<ColmapReconstructionResult> {
  const file = manifestPath(ctx);
  const manifest = await readJsonFile(file, ManifestSchema);
  const resumed = ctx.savedStep?.<ColmapReconstructionResult>("sfm");
  if (resumed && existsSync(resumed.sparse_path) && existsSync(resumed.undistorted_path)) {
    ctx.log.info("COLMAP: the interrupted run's reconstruction is reused; georeferencing it");
    return withGeoreference(ctx, manifest, resumed);
  }
  const videos = await videoFramesFromManifest(manifest, ctx.outputFolder, file);
  const total = videos.reduce((n, v) => n + v.images.length, 0);
  if (total === 0) throw new SplatbookError(`${file}: the manifest lists no frames`, { file });
  const framesRoot = join(ctx.outputFolder, "frames");
  const sift = siftFor(ctx.params, await largestFrame(videos, framesRoot), total);
  const matcher = ctx.params.matcher;
  const layout = layoutOfGroups(videos);
  const rungs = ladderRungs(layout, sift.first, matcher, sift.strong).slice(
    0,
    ctx.params.sfmAttempts,
  );
  const first = rungs[0]!.pairs;
  ctx.log.info(
    `COLMAP: ${total} images in ${videos.length} camera group(s), ${first.kind} matching first ` +
      `(${describePairs(first)}), up to ${rungs.length} attempt(s)` +
      (ctx.params.sfmSeed !== undefined ? `, seed ${ctx.params.sfmSeed}` : ""),
  );
  const sparse = await reconstructWithLadder({
    imageRoot: framesRoot,
    videos,
    workDir: join(ctx.tempFolder, "colmap"),
    rungs,
    layout,
    minRegisteredFraction: ctx.params.minRegisteredFraction,
    signal: ctx.signal,
    seed: ctx.params.sfmSeed,
    onProgress: (f, detail) => ctx.progress(f * 0.95, detail),
    onLog: (line) => ctx.log.debug(`COLMAP: ${line}`),
    onAttempt: (a, i) => ctx.log.info(`COLMAP attempt ${i + 1}: ${attemptLine(a)}`),
  });
  const focal = sparse.attempts.at(-1)?.focal;
  for (const line of focal ? focalLines(focal) : []) ctx.log.info(`COLMAP: ${line}`);
  const global = sparse.attempts.at(-1)?.global_start;
  if (global) ctx.log.info(`COLMAP: ${globalStartLine(global)}`);
  for (const line of refinementLines(sparse.attempts.at(-1))) ctx.log.info(`COLMAP: ${line}`);
  ctx.log.info(
    `COLMAP: registered ${sparse.registered}/${total} frames, ${sparse.points} points` +
      (sparse.models > 1 ? ` (largest of ${sparse.models} models)` : ""),
  );

  const colmapDir = join(ctx.outputFolder, "colmap");
  await mkdir(colmapDir, { recursive: true });
  const sparsePath = join(colmapDir, "sparse");
  await replaceFolder(sparsePath, (tmp) => cp(sparse.modelDir, tmp, { recursive: true }));
  ctx.progress(0.96, "undistorting");
  const undistortedPath = join(colmapDir, "undistorted");
  const u0 = performance.now();
  await replaceFolder(undistortedPath, (tmp) =>
    undistortToPinhole(framesRoot, sparsePath, tmp, ctx.signal),
  );
  const undistort = (performance.now() - u0) / 1000;
  await rm(join(ctx.tempFolder, "colmap"), { recursive: true, force: true });
  ctx.progress(0.98, `registered ${sparse.registered}/${total}; georeferencing`);
  const result: ColmapReconstructionResult = {
    sparse_path: sparsePath,
    undistorted_path: undistortedPath,
    registered_images: sparse.registered,
    total_images: total,
    points: sparse.points,
    mean_reprojection_error: Number.isFinite(sparse.meanReprojectionError)
      ? sparse.meanReprojectionError
      : null,
    matcher: sparse.attempts.at(-1)!.pairs,
    models: sparse.models,
    seconds: { ...sparse.seconds, undistort },
    attempts: sparse.attempts,
  };
  await ctx.saveStep?.("sfm", result);
  return withGeoreference(ctx, manifest, result);
}

/** The reconstruction with its georeference; the training model rewritten in the local frame. */
async function withGeoreference(
  ctx: StageContext,
  manifest: Manifest,
  sfm: ColmapReconstructionResult,
): Promise<ColmapReconstructionResult> {
  const metadata = ctx.resultOf("MetadataExtraction");
  const georef = await georeferenceStep({
    manifest,
    metadataPath: metadata?.metadata_path ?? join(ctx.outputFolder, "metadata.json"),
    sparsePath: sfm.sparse_path,
    undistortedPath: sfm.undistorted_path,
    log: ctx.log,
    signal: ctx.signal,
  });
  ctx.progress(1, `registered ${sfm.registered_images}/${sfm.total_images}; ${georef.frame}`);
  return { ...sfm, georef };
}

/** The log lines of the adjustments after the mapper: outlier refinement, trim, track test. */
function refinementLines(a: SfmAttempt | undefined): string[] {
  return [
    ...(a?.outlier_refinement ? [outlierLine(a.outlier_refinement)] : []),
    ...(a?.residual_trim ? [trimLine(a.residual_trim)] : []),
    ...(a?.track_test ? [trackLine(a.track_test)] : []),
  ];
}

/** Stage 4: COLMAP sparse reconstruction of the extracted frames, undistorted for training. */
export const colmapReconstructionStage: StageDefinition<ColmapReconstructionResult> = {
  name: "ColmapReconstruction",
  fingerprintInputs: (ctx) => ({
    // The engine fingerprints the resolved parameters too; these name how they are used, so a
    // change of the choice rules or the ladder invalidates an older reconstruction.
    sfm: "adaptive-sift-capture-pairs-ladder-3-simple-radial-k0-best-of-3-focal-hold-spread-3-trim-3-median-tracks-chi2-99",
    mapper: "ba-global-tol-1e-6-ratio-1.4",
    georef: "umeyama-msac-gravity-1",
    manifest: manifestPath(ctx),
  }),
  run,
  summarize: (r) => ({ colmap_sparse_path: r.sparse_path, colmap_points: r.points }),
  // Validation decided whether the input ships its cameras; this stage follows that decision.
  skipReason: (ctx) => {
    const found = ctx.resultOf("Validation")?.precalibrated;
    return found ? describePrecalibrated(found) : null;
  },
};

/** The reader of the model this stage writes, for the stage table to hand to Training. */
export { loadSceneModel } from "./load.js";
