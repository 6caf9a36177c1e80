/**
 * The mapper runs of one attempt and the choice among them. The incremental mapper can close a
 * ring of look-alike views the wrong way, or bend a straight flight line, and still explain its
 * own matches at a low reprojection error; so each attempt maps a few times (seconds, where
 * extraction and matching are minutes) and keeps the run the independent evidence favours: most
 * images registered, then centres that agree with the GPS fixes within their noise over ones that
 * do not (src/sfm/gpsAgreement.ts), then the most verified matches of the whole database
 * explained (src/sfm/explainedMatches.ts), then the lower reprojection error.
 */
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { readPoints3DBin } from "./colmapBinary.js";
import {
  mergeModels,
  runMapper,
  type ModelInfo,
  type StepContext,
  type VideoFrames,
} from "./colmapSteps.js";
import { explainedMatches } from "./explainedMatches.js";
import type { ImageInfo } from "./georef/georeference.js";
import { PRIOR_SIGMA } from "./georef/gpsFit.js";
import { gpsAgreement, MIN_GPS_FIXES, type GpsAgreement } from "./gpsAgreement.js";
import type { Rung } from "./ladder.js";
import { checkMisplaced, dropPairs } from "./misplaced.js";
import { meanReprojectionError } from "./sceneModel.js";
import type { ScenePoints } from "../contracts/sceneModel.js";
import type { SfmAttempt } from "../contracts/stageResults.js";

/**
 * Mapper runs per attempt. On handheld-photos (same database, three seeds) one run in three
 * came out with a 9.9° median rotation error, showing as fewer observations and a higher
 * reprojection error (0.74 px against 0.56).
 */
export const MAPPER_RUNS = 3;
/**
 * Further runs when every run disagrees with GPS (see `gpsDisagrees`): on drone-video-srt all
 * three runs of one attempt bent the straight flight line (18.8° median rotation error).
 */
export const EXTRA_GPS_RUNS = 3;

/** What the mapping runs need beyond the step context. */
export interface MapContext extends StepContext {
  imageRoot: string;
  videos: VideoFrames[];
  /** Each image's GPS fix by COLMAP name (src/sfm/gpsAgreement.ts fixesByName). */
  fixes: ReadonlyMap<string, ImageInfo>;
}

/** One mapper run's outcome and the evidence it is judged by. */
export interface Mapping {
  models: ModelInfo[];
  merged: ModelInfo | null;
  kept: ModelInfo | undefined;
  points: ScenePoints | null;
  mre: number;
  /** Verified matches of the scoring database among the registered images, and those explained. */
  matches: number;
  explained: number;
  gps: GpsAgreement | null;
}

export type MapperRun = NonNullable<SfmAttempt["mapper_runs"]>[number];
/** What decided between the kept run and the runner-up. */
export type MapperChoice = NonNullable<SfmAttempt["mapper_choice"]>;

/**
 * The run's centres disagree with the fixes beyond their noise: the robust fit had to leave out
 * more than a tenth of them, or its residuals put the receiver's noise (one sigma, horizontal)
 * above a consumer receiver's (PRIOR_SIGMA, 5 m). Within the noise GPS does not rank runs: on
 * drone-video-srt (1.5 m horizontal, 3 m vertical noise) the true cameras and a mapping bent by
 * 18° fit the fixes with the same median residual (2.78 m), where the bent one explains 97.5 % of
 * the verified matches and the true one 99.6 %.
 */
export function gpsDisagrees(g: GpsAgreement | null): boolean {
  if (!g) return false;
  return g.inliers < 0.9 * g.fixes || g.sigma_m > PRIOR_SIGMA.horizontal;
}

/** Compares two runs: whether a is better than b, and by what evidence. */
export function compareRuns(a: Mapping, b: Mapping): { aBetter: boolean; by: MapperChoice } {
  const [ra, rb] = [a.kept?.registered ?? 0, b.kept?.registered ?? 0];
  if (ra !== rb) return { aBetter: ra > rb, by: "registered" };
  const [ga, gb] = [gpsDisagrees(a.gps), gpsDisagrees(b.gps)];
  if (ga !== gb) return { aBetter: gb, by: "gps" };
  if (a.explained !== b.explained) return { aBetter: a.explained > b.explained, by: "explained" };
  return { aBetter: Number.isFinite(a.mre) && !(a.mre >= b.mre), by: "reprojection" };
}

/** The scoring evidence of a mapped model. */
async function evidence(
  o: MapContext,
  scoreDb: string,
  kept: ModelInfo | undefined,
): Promise<Pick<Mapping, "matches" | "explained" | "gps">> {
  if (!kept) return { matches: 0, explained: 0, gps: null };
  const e = await explainedMatches(scoreDb, kept.dir);
  const gps = await gpsAgreement(kept.dir, o.fixes, o.seed ?? 0);
  return { matches: e.matches, explained: e.explained, gps };
}

function runRecord(m: Mapping): MapperRun {
  return {
    registered: m.kept?.registered ?? 0,
    mean_reprojection_error: Number.isFinite(m.mre) ? m.mre : null,
    verified_matches: m.matches,
    explained_matches: m.explained,
    ...(m.gps
      ? {
          gps_median_residual_m: m.gps.median_residual_m,
          gps_inliers: m.gps.inliers,
          gps_fixes: m.gps.fixes,
        }
      : {}),
  };
}

/** One mapper run with the given seed into `dir`. */
async function mapOnce(
  o: MapContext,
  db: string,
  scoreDb: string,
  rung: Rung,
  dir: string,
  seed: number | undefined,
  onProgress: (fraction: number, detail: string) => void,
): Promise<Mapping> {
  const total = o.videos.reduce((n, v) => n + v.images.length, 0);
  const c = { ...o, seed };
  const models = await runMapper(db, o.imageRoot, join(dir, "models"), total, rung, {
    ...c,
    onProgress,
  });
  const merged = await mergeModels(models, join(dir, "merged"), c);
  const kept = merged ?? models[0];
  const points = kept ? await readPoints3DBin(kept.dir) : null;
  const mre = points ? meanReprojectionError(points) : NaN;
  return { models, merged, kept, points, mre, ...(await evidence(o, scoreDb, kept)) };
}

/** The best of several mapper runs, each run's record, and what decided. */
export type BestMapping = Mapping & { runs: MapperRun[]; choice: MapperChoice | null };

/**
 * MAPPER_RUNS mapper runs (seeds seed, seed+1, …) on `db` into `outDir`, judged against the
 * verified matches of `scoreDb` (the full database, when `db` is a copy with pairs dropped);
 * EXTRA_GPS_RUNS more when every run disagrees with GPS. The best one kept.
 */
export async function mapBest(
  o: MapContext,
  db: string,
  scoreDb: string,
  rung: Rung,
  outDir: string,
  onProgress: (fraction: number, detail: string) => void,
): Promise<BestMapping> {
  let best: Mapping | null = null;
  let choice: MapperChoice | null = null;
  const runs: MapperRun[] = [];
  let planned = MAPPER_RUNS;
  // Progress stays monotone: with fixes, the share of the extra runs is set aside up front.
  const most = MAPPER_RUNS + (o.fixes.size >= MIN_GPS_FIXES ? EXTRA_GPS_RUNS : 0);
  for (let r = 0; r < planned; r++) {
    const seed = r === 0 ? o.seed : (o.seed ?? 0) + r;
    const progress = (f: number, d: string) => onProgress(Math.min(1, (r + f) / most), d);
    const m = await mapOnce(o, db, scoreDb, rung, join(outDir, `run_${r + 1}`), seed, progress);
    runs.push(runRecord(m));
    if (!best) best = m;
    else {
      const c = compareRuns(m, best);
      if (c.aBetter) best = m;
      choice = c.by;
    }
    const last = r === planned - 1;
    if (last && planned === MAPPER_RUNS && best.kept && gpsDisagrees(best.gps)) {
      planned += EXTRA_GPS_RUNS;
    }
  }
  return { ...best!, runs, choice };
}

/** Rounds of dropping the pairs that carried misplaced-looking images and mapping again. */
const MISPLACED_ROUNDS = 3;

type MisplacedRound = NonNullable<SfmAttempt["misplaced_rounds"]>[number];

/**
 * Counts the images of the best mapping that look registered in the wrong place
 * (src/sfm/misplaced.ts). With `remap`: drop the pairs that carried them in a copy of the
 * database and map again, up to MISPLACED_ROUNDS times, each round from the last one's mapping
 * and database; keep whichever mapping is best by `compareRuns` against the full database, and
 * only by more than the reprojection error. A round is judged by the matches explained, not by
 * its suspects: a group of photos flipped together shares tracks and no longer looks misplaced,
 * but leaves its true neighbours' matches unexplained; and a round may be worse than the first
 * mapping yet lead to a better one (on handheld-photos: 2 misplaced, then 1 with fewer matches
 * explained, then one more round).
 */
export async function remapMisplaced(
  o: MapContext & { remap: boolean },
  db: string,
  rung: Rung,
  outDir: string,
  first: BestMapping,
  onProgress: (fraction: number, detail: string) => void,
): Promise<{ mapping: BestMapping; rounds: MisplacedRound[]; suspects: number }> {
  let [best, mapping, current] = [first, first, db];
  const rounds: MisplacedRound[] = [];
  let suspects = 0;
  for (let r = 1; r <= MISPLACED_ROUNDS && mapping.kept; r++) {
    const check = await checkMisplaced(current, mapping.kept.dir);
    if (r === 1) suspects = check.suspects.length;
    if (!o.remap || check.suspects.length === 0 || check.carrying.length === 0) break;
    const dir = join(outDir, `remap_${r}`);
    const next = join(dir, "database.db");
    await mkdir(dir, { recursive: true });
    await copyFile(current, next);
    dropPairs(next, check.carrying);
    const within = (f: number, d: string) => onProgress((r - 1 + f) / MISPLACED_ROUNDS, d);
    const m = await mapBest(o, next, db, rung, dir, within);
    const after = m.kept ? (await checkMisplaced(next, m.kept.dir)).suspects.length : 0;
    const c = compareRuns(m, best);
    const kept = m.kept !== undefined && c.aBetter && c.by !== "reprojection";
    rounds.push({
      suspects: check.suspects.length,
      dropped_pairs: check.carrying.length,
      registered: m.kept?.registered ?? 0,
      suspects_after: after,
      kept,
      explained_before: best.explained,
      explained_after: m.explained,
    });
    if (!m.kept) break;
    if (kept) [best, suspects] = [m, after];
    [mapping, current] = [m, next];
  }
  return { mapping: best, rounds, suspects };
}
