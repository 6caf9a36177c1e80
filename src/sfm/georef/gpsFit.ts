/**
 * Robust fit of COLMAP's camera centres to their GPS fixes (local ENU metres):
 *
 * 1. hypotheses from minimal samples (3 fixes; 2 fixes and the cameras' up when the fixes lie on
 *    a line), seeded, all of them when there are few;
 * 2. least median of squares picks one without any threshold; the GPS accuracy (one sigma,
 *    horizontal and vertical apart) is estimated robustly from its residuals (never below an
 *    RTK-grade floor), or taken from what the files declare when larger, or a consumer-GNSS
 *    prior when there are too few fixes to estimate it;
 * 3. a fix is an inlier when its residual, whitened by those sigmas, is within the 99.9 % χ²
 *    bound for 3 degrees of freedom (so the metric threshold follows the accuracy, and altitude,
 *    usually noisier, gets a wider one); MSAC re-scores the hypotheses with it;
 * 4. weighted Gauss–Newton refinement on the inliers (altitude down-weighted by its sigma),
 *    alternating with reclassification until the inlier set is stable, then once more with the
 *    sigmas re-estimated from the inliers;
 * 5. the cameras' gravity constraints join the refinement when they agree with the GPS fit
 *    (their robust spread under 5°): they pin the tilt better than noisy altitudes and the roll
 *    about a straight flight line, which positions leave free.
 */
import { mulberry32 } from "../../util/random.js";
import { constraintError, robustSigma, type GravityConstraint } from "./gravity.js";
import { precisionOf, refineSimilarity, type Refined } from "./refine.js";
import {
  add,
  applySimilarity,
  centroid,
  matMul,
  mulMat,
  rotationFromVector,
  scale,
  norm,
  sub,
  umeyama,
  type Similarity,
  type Vec3,
} from "./similarity.js";
import { principalAxis, singularValues } from "./spread.js";
import { median } from "../../util/median.js";

/** χ² bound (99.9 %, 3 degrees of freedom) on a whitened GPS residual. */
export const INLIER_CHI2 = 16.27;
/** Consumer GNSS when nothing better is known: 5 m horizontal, 10 m vertical (one sigma). */
export const PRIOR_SIGMA = { horizontal: 5, vertical: 10 } as const;
/**
 * The least GPS accuracy (one sigma, metres) an estimate is allowed: RTK receivers quote about
 * 1 cm + 1 ppm horizontal and 1.5 cm + 1 ppm vertical, and on top of that a fix is the antenna's,
 * not the camera's centre (a lever arm of centimetres to decimetres), taken at a time a moving
 * drone's shutter misses by milliseconds (1 cm per ms at 10 m/s), and compared with SfM's own
 * camera centres (centimetres on a survey). Without a floor, exact fixes make the estimate the
 * reconstruction's centimetre scatter and flag images that are off by centimetres.
 */
export const MIN_SIGMA = { horizontal: 0.05, vertical: 0.1 } as const;
/** Fewer fixes than this and the accuracy is not estimated from the residuals. */
export const MIN_FIXES_TO_ESTIMATE = 8;
/** Gravity constraints spread wider than this (radians) disagree with GPS and are not used. */
const MAX_GRAVITY_SPREAD = (5 * Math.PI) / 180;
const MIN_GRAVITY_SPREAD = (0.05 * Math.PI) / 180;
/**
 * Systematic limit of the cameras' up as a whole (radians): a gimbal's pitch calibration and
 * SfM's rotation drift do not average out over cameras. 0.05° is what the drone survey's
 * reconstruction gives against its true cameras.
 */
const GRAVITY_FLOOR = (0.05 * Math.PI) / 180;
const MAX_HYPOTHESES = 1500;

/** What to fit. */
export interface GpsFitInput {
  /** Camera centres in COLMAP's frame. */
  model: readonly Vec3[];
  /** The same cameras' GPS fixes in the local ENU frame, metres. */
  gps: readonly Vec3[];
  /** Accuracy (one sigma, metres) the files declare, if they do. */
  declared?: { horizontal: number; vertical: number } | null;
  /** The cameras' gravity constraints (COLMAP frame), and the up they give. */
  gravity?: { constraints: readonly GravityConstraint[]; up: Vec3 } | null;
  seed: number;
}

/** GPS accuracy the thresholds come from. */
export interface GpsSigma {
  horizontal: number;
  vertical: number;
  source: "estimated" | "declared" | "prior";
}

/** The outcome of a fit. */
export interface GpsFit {
  T: Similarity;
  inlier: boolean[];
  sigma: GpsSigma;
  threshold: { horizontal: number; vertical: number };
  /** Distances between fitted positions and fixes, metres, per pair. */
  residuals: number[];
  rmse: number;
  max: number;
  precision: ReturnType<typeof precisionOf>;
  /** Gravity constraints used in the refinement, and their robust spread (radians). */
  gravity: { used: number; spread: number | null; note: string | null };
  /** The fixes lie on a line: the roll about it comes from the cameras' gravity, if at all. */
  collinear: boolean;
  warnings: string[];
}

type Residual = { h: number; v: number };

function residualsOf(T: Similarity, inp: GpsFitInput): Residual[] {
  return inp.model.map((c, i) => {
    const d = sub(inp.gps[i]!, applySimilarity(T, c));
    return { h: Math.hypot(d[0], d[1]), v: Math.abs(d[2]) };
  });
}

const whitened = (r: Residual, s: { horizontal: number; vertical: number }) =>
  (r.h / s.horizontal) ** 2 + (r.v / s.vertical) ** 2;

/** Index samples of size k: all of them when few, else seeded random distinct draws. */
function samples(n: number, k: number, seed: number): number[][] {
  let count = 1;
  for (let i = 0; i < k; i++) count = (count * (n - i)) / (i + 1);
  const out: number[][] = [];
  if (count <= MAX_HYPOTHESES) {
    const rec = (start: number, acc: number[]) => {
      if (acc.length === k) return void out.push([...acc]);
      for (let i = start; i < n; i++) rec(i + 1, [...acc, i]);
    };
    rec(0, []);
    return out;
  }
  const rand = mulberry32(seed);
  while (out.length < MAX_HYPOTHESES) {
    const pick = new Set<number>();
    while (pick.size < k) pick.add(Math.floor(rand() * n));
    out.push([...pick]);
  }
  return out;
}

/** Similarity hypotheses from minimal samples. */
function hypotheses(inp: GpsFitInput, collinear: boolean): Similarity[] {
  const n = inp.model.length;
  const out: Similarity[] = [];
  const up = inp.gravity?.up;
  for (const idx of samples(n, collinear ? 2 : 3, inp.seed)) {
    const src = idx.map((i) => inp.model[i]!);
    const dst = idx.map((i) => inp.gps[i]!);
    if (!collinear) {
      const sv = singularValues(dst);
      if (!(sv[0]! > 0) || sv[1]! < 0.1 * sv[0]!) continue; // a sliver: rotation ill-defined
    }
    const T = umeyama(src, dst, {
      direction: collinear && up ? { from: up, to: [0, 0, 1], weight: 1 } : undefined,
    });
    if (T) out.push(T);
  }
  return out;
}

/** Robust sigmas from residuals: Rayleigh median for the horizontal norm, MAD for the vertical. */
function estimateSigma(res: readonly Residual[]): { horizontal: number; vertical: number } {
  const k = 1 + 5 / Math.max(1, res.length - 3); // small-sample correction (Rousseeuw)
  return {
    horizontal: (k * median(res.map((r) => r.h))) / Math.sqrt(2 * Math.LN2),
    vertical: k * 1.4826 * median(res.map((r) => r.v)),
  };
}

/** The accuracy the thresholds use: estimated (never below what the files declare) or a prior. */
function chooseSigma(inp: GpsFitInput, res: readonly Residual[], spread: number): GpsSigma {
  // Beyond the fixed floor, one that grows with the fixes' extent keeps a huge survey's exact
  // fixes (synthetic, or far apart) numerically sane.
  const ppm = 1e-5 * spread;
  const d = inp.declared;
  if (res.length < MIN_FIXES_TO_ESTIMATE) {
    return d ? { ...d, source: "declared" } : { ...PRIOR_SIGMA, source: "prior" };
  }
  const e = estimateSigma(res);
  const h = Math.max(e.horizontal, MIN_SIGMA.horizontal, ppm);
  const v = Math.max(e.vertical, MIN_SIGMA.vertical, ppm);
  if (d && (d.horizontal > h || d.vertical > v)) {
    return {
      horizontal: Math.max(h, d.horizontal),
      vertical: Math.max(v, d.vertical),
      source: "declared",
    };
  }
  return { horizontal: h, vertical: v, source: "estimated" };
}

function classify(T: Similarity, inp: GpsFitInput, s: GpsSigma): boolean[] {
  return residualsOf(T, inp).map((r) => whitened(r, s) <= INLIER_CHI2);
}

/** The hypothesis with the least median squared residual (altitude halved, as GNSS is). */
function leastMedian(hyps: readonly Similarity[], inp: GpsFitInput): Similarity {
  let best = hyps[0]!;
  let bestCost = Infinity;
  for (const T of hyps) {
    const cost = median(residualsOf(T, inp).map((r) => r.h ** 2 + (r.v / 2) ** 2));
    if (cost < bestCost) [best, bestCost] = [T, cost];
  }
  return best;
}

/** MSAC: the hypothesis with the least truncated whitened cost. */
function msac(hyps: readonly Similarity[], inp: GpsFitInput, s: GpsSigma): Similarity {
  let best = hyps[0]!;
  let bestCost = Infinity;
  for (const T of hyps) {
    const cost = residualsOf(T, inp).reduce((a, r) => a + Math.min(whitened(r, s), INLIER_CHI2), 0);
    if (cost < bestCost) [best, bestCost] = [T, cost];
  }
  return best;
}

/** Alternates refinement and reclassification until the inlier set stops changing. */
function refineLoop(
  inp: GpsFitInput,
  start: Similarity,
  sigma: GpsSigma,
  gravity: Parameters<typeof refineSimilarity>[0]["gravity"],
): { refined: Refined; inlier: boolean[] } {
  let inlier = classify(start, inp, sigma);
  let refined: Refined = { T: start, covariance: null };
  for (let round = 0; round < 10; round++) {
    if (inlier.filter(Boolean).length < 3) break;
    refined = refineSimilarity(
      { model: inp.model, gps: inp.gps, use: inlier, sigma, gravity },
      refined.T,
    );
    const next = classify(refined.T, inp, sigma);
    if (next.every((v, i) => v === inlier[i])) break;
    inlier = next;
  }
  return { refined, inlier };
}

/** The gravity constraints a refinement uses, the sigma they enter with, and why none. */
interface GravityAgreement {
  constraints: GravityConstraint[];
  sigma: number;
  spread: number | null;
  note: string | null;
}
const NO_GRAVITY: GravityAgreement = { constraints: [], sigma: 0, note: null, spread: null };

/**
 * The cameras' gravity constraints when they agree with the GPS fit T, with the sigma they enter
 * the refinement with; none when they disagree. Their spread is measured about the cameras' own
 * up (how well they agree with each other), not about T's: about T it would also hold T's own
 * tilt error, the same for every camera, and weigh gravity down to the GPS's level. Agreement is
 * the angle between that up and T's z, within 5 standard errors of the two (`gpsTilt`: T's tilt
 * standard error in radians from the positions alone; null when they leave it free).
 */
function agreeingGravity(
  inp: GpsFitInput,
  T: Similarity,
  gpsTilt: number | null,
): GravityAgreement {
  const cs = inp.gravity?.constraints ?? [];
  if (cs.length === 0 || !inp.gravity) return NO_GRAVITY;
  const own = inp.gravity.up;
  const errors = cs.map((c) => constraintError(c, own));
  const spread = Math.max(MIN_GRAVITY_SPREAD, robustSigma(errors));
  const deg = (a: number) => ((a * 180) / Math.PI).toFixed(2);
  if (spread > MAX_GRAVITY_SPREAD) {
    const note = `the cameras' horizons disagree with each other (spread ${deg(spread)}°): not used`;
    return { constraints: [], sigma: spread, spread, note };
  }
  const kept = cs.filter((_, i) => errors[i]! <= 3 * spread);
  // No set of horizons pins up better than GRAVITY_FLOOR, however many cameras share it.
  const sigma = Math.max(spread, GRAVITY_FLOOR * Math.sqrt(kept.length));
  const precision = sigma / Math.sqrt(Math.max(1, kept.length));
  const angle = Math.acos(Math.min(1, Math.max(-1, mulMat(T.R, own)[2])));
  // 5 standard errors: a false rejection costs the tilt (a degree on a survey), a false
  // acceptance little, as the weights then let the better of the two decide.
  const allowed = gpsTilt === null ? Infinity : 5 * Math.hypot(gpsTilt, precision);
  if (angle > allowed) {
    const note = `the cameras' up is ${deg(angle)}° from the GPS fit's (5 standard errors: ${deg(allowed)}°): not used`;
    return { constraints: [], sigma, spread, note };
  }
  return { constraints: kept, sigma, spread, note: null };
}

/** Singular values of the fixes' spread with altitude scaled to horizontal accuracy. */
function fixSpread(gps: readonly Vec3[], prior: { horizontal: number; vertical: number }) {
  const k = prior.horizontal / prior.vertical;
  return singularValues(gps.map((g) => [g[0], g[1], g[2] * k] as Vec3));
}

/**
 * Fits the similarity taking the model's camera centres onto their GPS fixes (see the module
 * comment). Needs at least 3 pairs; returns null when no hypothesis could be formed.
 */
export function fitGps(inp: GpsFitInput): GpsFit | null {
  const n = inp.model.length;
  if (n < 3) return null;
  const prior = inp.declared ?? PRIOR_SIGMA;
  const sv = fixSpread(inp.gps, prior);
  // Roll about the principal axis is known to about σ / (spread across it) radians.
  const collinear = sv[1]! < 20 * prior.horizontal;
  const hyps = hypotheses(inp, collinear);
  if (hyps.length === 0) return null;
  const first = leastMedian(hyps, inp);
  let sigma = chooseSigma(inp, residualsOf(first, inp), sv[0]!);
  const best = msac(hyps, inp, sigma);
  const start = collinear ? levelRoll(best, inp) : best;
  // On a line the roll comes from gravity from the start; elsewhere the GPS fit comes first, so
  // that the cameras' agreement is judged against a tilt the positions already fixed.
  let grav = collinear ? agreeingGravity(inp, start, null) : NO_GRAVITY;
  let { refined, inlier } = refineLoop(inp, start, sigma, usable(grav));
  const kept = residualsOf(refined.T, inp).filter((_, i) => inlier[i]);
  sigma = chooseSigma(inp, kept, sv[0]!);
  for (let round = 0; round < 2; round++) {
    const gpsTilt = collinear ? null : tiltOf(inp, refined.T, inlier, sigma);
    grav = agreeingGravity(inp, refined.T, gpsTilt);
    ({ refined, inlier } = refineLoop(inp, refined.T, sigma, usable(grav)));
  }
  return summarize(inp, refined, inlier, sigma, collinear, grav);
}

/**
 * On a line, the roll about it that best levels the cameras' gravity constraints (the cameras'
 * own up pointing up decides between the two levelling rolls half a turn apart); T itself when
 * there are no constraints.
 */
function levelRoll(T: Similarity, inp: GpsFitInput): Similarity {
  const cs = inp.gravity?.constraints ?? [];
  if (cs.length === 0) return T;
  const fixes = inp.gps;
  const g0 = centroid(fixes);
  const axis = principalAxis(fixes);
  let best = T;
  let bestCost = Infinity;
  for (let k = 0; k < 720; k++) {
    const Rot = rotationFromVector(scale(axis, (k * Math.PI) / 360));
    const R = matMul(Rot, T.R);
    if (mulMat(R, inp.gravity!.up)[2] <= 0) continue;
    const cost = cs.reduce(
      (a, c) => a + constraintError({ ...c, axis: mulMat(R, c.axis) }, [0, 0, 1]) ** 2,
      0,
    );
    if (cost < bestCost) {
      bestCost = cost;
      best = { s: T.s, R, t: add(mulMat(Rot, sub(T.t, g0)), g0) };
    }
  }
  return best;
}

/** T's tilt standard error (radians) from the positions alone, null when they leave it free. */
function tiltOf(inp: GpsFitInput, T: Similarity, use: boolean[], sigma: GpsSigma): number | null {
  const cov = refineSimilarity({ model: inp.model, gps: inp.gps, use, sigma }, T).covariance;
  return cov ? Math.sqrt(cov[0]![0]! + cov[1]![1]!) : null;
}

const usable = (g: GravityAgreement) =>
  g.constraints.length ? { constraints: g.constraints, sigma: g.sigma } : undefined;

function summarize(
  inp: GpsFitInput,
  refined: Refined,
  inlier: boolean[],
  sigma: GpsSigma,
  collinear: boolean,
  grav: GravityAgreement,
): GpsFit {
  const residuals = inp.model.map((c, i) => norm(sub(inp.gps[i]!, applySimilarity(refined.T, c))));
  const kept = residuals.filter((_, i) => inlier[i]);
  const warnings: string[] = [];
  if (collinear && grav.constraints.length === 0) {
    warnings.push(
      "the GPS fixes lie on a line and the cameras give no usable up: the roll about the line is not determined",
    );
  }
  if (sigma.source === "prior") {
    warnings.push(
      `only ${inp.model.length} GPS fixes: the inlier threshold uses a consumer-GNSS accuracy (${PRIOR_SIGMA.horizontal} m horizontal, ${PRIOR_SIGMA.vertical} m vertical)`,
    );
  }
  const r = Math.sqrt(INLIER_CHI2);
  return {
    T: refined.T,
    inlier,
    sigma,
    threshold: { horizontal: r * sigma.horizontal, vertical: r * sigma.vertical },
    residuals,
    rmse: Math.sqrt(kept.reduce((a, d) => a + d * d, 0) / Math.max(1, kept.length)),
    max: kept.length ? Math.max(...kept) : 0,
    precision: precisionOf(refined.covariance),
    gravity: { used: grav.constraints.length, spread: grav.spread, note: grav.note },
    collinear,
    warnings,
  };
}
