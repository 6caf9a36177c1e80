/**
 * A sparse reconstruction that escalates: each attempt of the ladder (src/sfm/ladder.ts) runs
 * until one registers the required fraction of the frames in one model. Attempts with the same
 * features share one database, so a retry pays only for its new pairs and the mapper.
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { SplatbookError } from "../util/errors.js";
import { readPoints3DBin } from "./colmapBinary.js";
import { focalFigures, settleFocal } from "./focalSettle.js";
import { trimResiduals, type TrimRecord } from "./residualTrim.js";
import { testTracks, type TrackTestRecord } from "./trackTest.js";
import {
  clearMatches,
  extractFeatures,
  matchFeatures,
  type MatchRequest,
  type StepContext,
  type VideoFrames,
} from "./colmapSteps.js";
import { describePairs, describeRung, pairCount, type PairChoice, type Rung } from "./ladder.js";
import { capturePairs, type Layout } from "./pairs.js";
import { meanReprojectionError } from "./sceneModel.js";
import { fixesByName } from "./gpsAgreement.js";
import { globalStart, type GlobalStartRecord } from "./globalStart.js";
import { mapBest, remapMisplaced, type MapContext, type Mapping } from "./mapperRuns.js";
import { refineWithoutOutliers, type OutlierRefinement } from "./outlierRefine.js";
import type { FocalRecord, SfmAttempt } from "../contracts/stageResults.js";

export { undistortToPinhole } from "./undistort.js";
export type { VideoFrames } from "./colmapSteps.js";

/** Options of one adaptive reconstruction. */
export interface LadderOptions extends StepContext {
  /** Folder the image names are relative to. */
  imageRoot: string;
  videos: VideoFrames[];
  /** Scratch folder for databases and models (emptied first). */
  workDir: string;
  rungs: Rung[];
  /** How the images form videos and photo groups (default: every group a video). */
  layout?: Layout;
  /** Fraction of the frames the kept model must register. */
  minRegisteredFraction: number;
  /**
   * Drop the pairs that carried misplaced-looking images and map again, keeping the mapping that
   * explains the most verified matches (default on; src/sfm/mapperRuns.ts remapMisplaced). It
   * was off while rounds were judged by their suspects: a group of 5 flipped together showed
   * none. handheld-photos, same database: 2 misplaced (45 955 of 57 894 matches explained), a
   * round with 1 misplaced (45 306), a second round with none (46 512; the true poses 46 515).
   */
  remapMisplaced?: boolean;
  /** Called with each attempt's figures as it ends. */
  onAttempt?: (a: SfmAttempt, index: number) => void;
}

/** What the successful attempt produced. */
export interface LadderResult {
  /** Folder of the kept model (cameras.bin, images.bin, points3D.bin). */
  modelDir: string;
  registered: number;
  total: number;
  points: number;
  meanReprojectionError: number;
  /** Number of models the successful attempt's mapper made. */
  models: number;
  attempts: SfmAttempt[];
  /** Wall seconds per phase, summed over the attempts. */
  seconds: { extract: number; match: number; map: number; total: number };
}

/** One database per feature setting, with what has been matched in it. */
interface Database {
  path: string;
  guided: boolean | null;
  /** The pair choices matched so far (describePairs), with the current `guided`. */
  matched: Set<string>;
}

const siftKey = (r: Rung) =>
  [
    ...[r.sift.maxNumFeatures, r.sift.firstOctave, r.sift.maxImageSize],
    ...[r.sift.peakThreshold ?? "", r.sift.domainSizePooling ? 1 : 0],
    r.sift.estimateAffineShape ? 1 : 0,
  ].join("_");

/** The COLMAP match request of a pair choice (video pairs become a pairs list over all images). */
export function matchRequest(p: PairChoice, videos: VideoFrames[], layout: Layout): MatchRequest {
  if (p.kind !== "video") return p;
  return {
    kind: "pairs",
    pairs: capturePairs(layout, p.density),
    names: videos.flatMap((v) => v.images),
  };
}

/** The database holding the features of the rung's SIFT settings, extracted on first use. */
async function featuresFor(
  o: LadderOptions,
  dbs: Map<string, Database>,
  rung: Rung,
  onProgress: (fraction: number, detail: string) => void,
): Promise<{ db: Database; reused: boolean }> {
  const known = dbs.get(siftKey(rung));
  if (known) return { db: known, reused: true };
  const path = join(o.workDir, `features_${dbs.size}`, "database.db");
  const db: Database = { path, guided: null, matched: new Set() };
  await mkdir(join(db.path, ".."), { recursive: true });
  await extractFeatures(db.path, o.imageRoot, o.videos, rung.sift, { ...o, onProgress });
  dbs.set(siftKey(rung), db);
  return { db, reused: false };
}

/**
 * Matches the rung's pairs in `db` (a change of guided matching clears earlier matches first). A
 * retry with the same matches (a relaxed mapper) skips matching altogether.
 */
async function matchesFor(
  o: LadderOptions,
  db: Database,
  rung: Rung,
  onProgress: (fraction: number, detail: string) => void,
): Promise<void> {
  if (db.guided !== null && db.guided !== rung.guided) {
    await clearMatches(db.path, o);
    db.matched.clear();
  }
  db.guided = rung.guided;
  if (db.matched.has(describePairs(rung.pairs))) return;
  const layout = o.layout ?? { counts: o.videos.map((v) => v.images.length) };
  await matchFeatures(db.path, matchRequest(rung.pairs, o.videos, layout), rung.guided, {
    ...o,
    onProgress,
  });
  db.matched.add(describePairs(rung.pairs));
}

/**
 * The kept mapping after the focal decision (src/sfm/focalSettle.ts): the reseated model when
 * the focal lengths were held, else `best`; then the global start from per-frame GPS where the
 * fixes allow (src/sfm/globalStart.ts), kept only when it beats that mapping; then a last bundle
 * adjustment without the outlying observations (src/sfm/outlierRefine.ts) and the rounds that
 * trim the tail left (src/sfm/residualTrim.ts), then the track test on whole points
 * (src/sfm/trackTest.ts), the focal lengths held where either step held them.
 */
async function withFocal(
  o: MapContext,
  db: string,
  best: Mapping,
  outDir: string,
): Promise<{
  mapping: Mapping;
  record: FocalRecord;
  global?: GlobalStartRecord;
  outliers: OutlierRefinement;
  /** The records of the trim and the track test, as the attempt's `residual_trim` and `track_test`. */
  trim: { residual_trim?: TrimRecord; track_test?: TrackTestRecord };
}> {
  const kept = best.kept!;
  const settled = await settleFocal(o.videos, { ...kept, mre: best.mre }, join(outDir, "held"), o);
  let mapping = best;
  const replace = async (m: Mapping, dir: string): Promise<Mapping> => {
    const points = await readPoints3DBin(dir);
    return {
      ...m,
      points,
      kept: { dir, registered: m.kept!.registered },
      mre: meanReprojectionError(points),
    };
  };
  if (settled.heldDir) mapping = await replace(best, settled.heldDir);
  const global = await globalStart(o, db, join(outDir, "global"), mapping);
  if (global) mapping = global.mapping;
  const hold = settled.record.decision === "hold" || global?.record.kept === true;
  const refined = await refineWithoutOutliers(mapping.kept!.dir, join(outDir, "inliers"), hold, o);
  if (refined.dir) mapping = await replace(mapping, refined.dir);
  // One round leaves a tail that still pulls on small frames: trim until it stops moving.
  const trimDir = join(outDir, "trimmed");
  const trim = await trimResiduals(mapping.kept!.dir, trimDir, hold, o);
  if (trim?.kept) mapping = await replace(mapping, trimDir);
  // Observations each within the trim's limit still pull together where a feature slides:
  // test whole tracks.
  const tracksDir = join(outDir, "tracks");
  const tracks = await testTracks(mapping.kept!.dir, tracksDir, hold, o);
  if (tracks?.kept) mapping = await replace(mapping, tracksDir);
  let record = settled.record;
  if (trim?.kept || tracks?.kept) {
    const figures = await focalFigures(o.videos, mapping.kept!.dir);
    const groups = record.groups.map((g, i) => ({ ...g, final_px: figures.groups[i]!.refinedPx }));
    record = { ...record, groups };
  }
  return {
    mapping,
    record,
    ...(global ? { global: global.record } : {}),
    outliers: refined.record,
    trim: { ...(trim ? { residual_trim: trim } : {}), ...(tracks ? { track_test: tracks } : {}) },
  };
}

/**
 * Runs the rungs in order until one registers `minRegisteredFraction` of the frames in its
 * largest (possibly merged) model. Throws SplatbookError naming every attempt when none does.
 */
export async function reconstructWithLadder(o: LadderOptions): Promise<LadderResult> {
  const counts = o.videos.map((v) => v.images.length);
  const total = counts.reduce((n, c) => n + c, 0);
  await rm(o.workDir, { recursive: true, force: true });
  await mkdir(o.workDir, { recursive: true });
  const dbs = new Map<string, Database>();
  const mc: MapContext = { ...o, fixes: fixesByName(o.videos) };
  const attempts: SfmAttempt[] = [];
  const seconds = { extract: 0, match: 0, map: 0, total: 0 };
  for (const [i, rung] of o.rungs.entries()) {
    // The first attempt spans 0..0.9 of the progress, later ones split what is left.
    const [lo, hi] = i === 0 ? [0, 0.9] : [1 - 0.1 / 2 ** (i - 1), 1 - 0.1 / 2 ** i];
    const phase = (a: number, b: number) => (f: number, detail: string) =>
      o.onProgress?.(lo + (hi - lo) * (a + (b - a) * Math.min(1, Math.max(0, f))), detail);
    const t0 = performance.now();
    const { db, reused } = await featuresFor(o, dbs, rung, phase(0, 0.2));
    const t1 = performance.now();
    await matchesFor(o, db, rung, phase(0.2, 0.8));
    const t2 = performance.now();
    const attemptDir = join(o.workDir, `attempt_${i + 1}`);
    const best = await mapBest(mc, db.path, db.path, rung, attemptDir, phase(0.8, 0.9));
    const { mapping, rounds, suspects } = await remapMisplaced(
      { ...mc, remap: o.remapMisplaced !== false },
      db.path,
      rung,
      attemptDir,
      best,
      phase(0.9, 1),
    );
    const enough =
      (mapping.kept?.registered ?? 0) >= o.minRegisteredFraction * total && mapping.points;
    const settled = enough ? await withFocal(mc, db.path, mapping, attemptDir) : null;
    const { models, merged, kept, points } = settled?.mapping ?? mapping;
    const t3 = performance.now();
    Object.assign(seconds, {
      extract: seconds.extract + (t1 - t0) / 1000,
      match: seconds.match + (t2 - t1) / 1000,
      map: seconds.map + (t3 - t2) / 1000,
      total: seconds.total + (t3 - t0) / 1000,
    });
    const mre = points ? meanReprojectionError(points) : NaN;
    const attempt: SfmAttempt = {
      settings: describeRung(rung, o.layout ?? counts),
      max_num_features: rung.sift.maxNumFeatures,
      first_octave: rung.sift.firstOctave,
      pairs: rung.pairs.kind,
      pair_count: pairCount(rung.pairs, o.layout ?? counts),
      guided_matching: rung.guided,
      relaxed_mapper: rung.relaxed,
      reused_features: reused,
      registered: kept?.registered ?? 0,
      total,
      model_sizes: models.map((m) => m.registered),
      merged: merged !== null,
      mapper_runs: mapping.runs,
      ...(mapping.choice ? { mapper_choice: mapping.choice } : {}),
      verified_matches: mapping.matches,
      explained_matches: mapping.explained,
      ...(mapping.gps ? { gps: mapping.gps } : {}),
      misplaced_suspects: suspects,
      misplaced_rounds: rounds,
      points: points?.count ?? 0,
      mean_reprojection_error: Number.isFinite(mre) ? mre : null,
      seconds: (t3 - t0) / 1000,
      ...(settled ? { focal: settled.record } : {}),
      ...(settled?.global ? { global_start: settled.global } : {}),
      ...(settled ? { outlier_refinement: settled.outliers, ...settled.trim } : {}),
    };
    attempts.push(attempt);
    o.onAttempt?.(attempt, i);
    if (settled && kept && points) {
      return {
        modelDir: kept.dir,
        ...{ registered: kept.registered, total, points: points.count },
        ...{ meanReprojectionError: mre, models: models.length, attempts, seconds },
      };
    }
  }
  throw ladderError(attempts, total, o.minRegisteredFraction);
}

/** The final error: the best registration and what each attempt tried. */
function ladderError(attempts: SfmAttempt[], total: number, fraction: number): SplatbookError {
  const best = Math.max(0, ...attempts.map((a) => a.registered));
  const tried = attempts
    .map(
      (a, i) =>
        `${i + 1}. ${a.settings} → ${a.registered}/${total}` +
        (a.model_sizes.length > 1
          ? ` in ${a.model_sizes.length} models (${a.model_sizes.join(", ")})`
          : ""),
    )
    .join("; ");
  const what =
    best === 0
      ? `COLMAP reconstructed no model from ${total} frames`
      : `only ${best}/${total} frames registered (${Math.ceil(fraction * total)} required)`;
  return new SplatbookError(
    `${what} after ${attempts.length} attempt${attempts.length === 1 ? "" : "s"} [${tried}]: ` +
      `the capture may lack parallax or texture`,
  );
}
