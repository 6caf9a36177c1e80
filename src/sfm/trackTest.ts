/**
 * The track test: after the residual trim, drop the whole points whose observations do not agree
 * with one 3D point within the noise, and bundle-adjust again, until a round drops few.
 *
 * The trim (src/sfm/residualTrim.ts) judges each observation alone, at 3 × the median residual.
 * A feature that is not a fixed point of the scene (a corner made by two edges at different
 * depths, a texture aliased at the frame's scale) slides a little from view to view: each of its
 * observations stays under the limit, yet together they pull the poses a consistent way. Its
 * point's sum of squared residuals gives it away. With per-axis noise σ, a point seen n times
 * has 2n residual coordinates and 3 free coordinates, so for a true point SSR / σ² follows χ²
 * with 2n − 3 degrees of freedom; the test drops the points beyond its TRACK_QUANTILE (99 %).
 * σ comes from the median residual (Rayleigh median 1.177 σ, scaled up for the degrees of
 * freedom the fit took), so the test needs no threshold in pixels.
 *
 * Measured on three mapper runs of one database each, after the whole chain before it (rotation
 * gauge median): courtyard-phone 0.139 / 0.129 / 0.187° → 0.104 / 0.090 / 0.117°, courtyard-duo
 * 0.099 / 0.091 / 0.105° → 0.062 / 0.066 / 0.069°. At the 95 % quantile it overshot (0.15–0.26° on
 * two of the phone runs: a fifth of the points gone); without the trim before it, 0.23–0.27°.
 */
import { adjustInRounds, type Cut, type RoundsRecord, type TextModel } from "./adjustRounds.js";
import type { StepContext } from "./colmapSteps.js";
import { residualsOf } from "./residualTrim.js";

/** Standard normal quantile of the test: 2.326 is the 99 % one-sided quantile. */
export const TRACK_QUANTILE_Z = 2.326;
/** Rounds stop once a round drops less than this share of the points. */
export const TRACK_CONVERGED = 0.005;
/** At most this many rounds. */
export const TRACK_MAX_ROUNDS = 8;
/** Never more than this share of the points in all (a guard against a model that is mostly tail). */
export const TRACK_MAX_DROPPED = 0.3;

/** The χ² quantile of `k` degrees of freedom at the normal quantile `z` (Wilson–Hilferty). */
export function chiSquareQuantile(k: number, z: number): number {
  const a = 2 / (9 * k);
  return k * (1 - a + z * Math.sqrt(a)) ** 3;
}

/** What one round of the test did. */
export interface TrackRound {
  /** The per-axis noise σ the test used (px). */
  sigma_px: number;
  points: number;
  dropped: number;
}

/** The model without the points that fail the test; null for a camera model it cannot project. */
export function trackTestText(m: TextModel): Cut<TrackRound> | null {
  const images = residualsOf(m);
  if (!images) return null;
  const ssr = new Map<number, number>();
  const seen = new Map<number, number>();
  const lengths: number[] = [];
  for (const im of images) {
    for (const [k, e] of im.residuals.entries()) {
      if (Number.isNaN(e)) continue;
      const pid = im.obs[3 * k + 2]!;
      ssr.set(pid, (ssr.get(pid) ?? 0) + e * e);
      seen.set(pid, (seen.get(pid) ?? 0) + 1);
      lengths.push(e);
    }
  }
  lengths.sort((a, b) => a - b);
  let [coords, dof] = [0, 0];
  for (const n of seen.values()) [coords, dof] = [coords + 2 * n, dof + 2 * n - 3];
  const median = lengths.length ? lengths[lengths.length >> 1]! : 0;
  const sigma = dof > 0 ? (median / 1.1774) * Math.sqrt(coords / dof) : 0;
  const failed = new Set<number>();
  for (const [pid, n] of seen) {
    const k = 2 * n - 3;
    if (
      sigma > 0 &&
      k >= 1 &&
      ssr.get(pid)! / (sigma * sigma) > chiSquareQuantile(k, TRACK_QUANTILE_Z)
    )
      failed.add(pid);
  }
  const imageLines = images.map((im) => {
    const triples: string[] = [];
    for (let k = 0; 3 * k + 2 < im.obs.length; k++) {
      const pid = im.obs[3 * k + 2]!;
      triples.push(`${im.obs[3 * k]} ${im.obs[3 * k + 1]} ${failed.has(pid) ? -1 : pid}`);
    }
    return `${im.pose}\n${triples.join(" ")}`;
  });
  const pointLines = m.points
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("#") && !failed.has(Number(l.split(" ")[0])));
  return {
    model: {
      cameras: m.cameras,
      images: imageLines.join("\n") + "\n",
      points: pointLines.join("\n") + "\n",
    },
    round: { sigma_px: sigma, points: seen.size, dropped: failed.size },
    dropped: failed.size,
    total: seen.size,
  };
}

/** When the test's rounds stop, and where they work. */
const TRACK_ROUNDS = {
  maxRounds: TRACK_MAX_ROUNDS,
  converged: TRACK_CONVERGED,
  maxDropped: TRACK_MAX_DROPPED,
  scratchName: "track_rounds",
};

/** The record of the test: its rounds, and whether the tested model was kept. */
export type TrackTestRecord = RoundsRecord<TrackRound>;

/**
 * Tests the tracks of the binary model in `modelDir` round by round (each round: drop the points
 * that fail, bundle-adjust with the focal lengths refined unless `holdFocal`), writing the result
 * in `outDir`. Null when a camera model is one it cannot project.
 */
export async function testTracks(
  modelDir: string,
  outDir: string,
  holdFocal: boolean,
  c: StepContext,
): Promise<TrackTestRecord | null> {
  return adjustInRounds(modelDir, outDir, holdFocal, c, TRACK_ROUNDS, trackTestText);
}

/** The log line of a track test. */
export function trackLine(r: TrackTestRecord): string {
  const first = r.rounds[0];
  if (!first || !r.kept) return "track test: every point consistent with its observations";
  const last = r.rounds.at(-1)!;
  const dropped = r.rounds.reduce((n, x) => n + x.dropped, 0);
  return (
    `track test in ${r.rounds.length} round${r.rounds.length === 1 ? "" : "s"} (χ² at 99 %, ` +
    `σ ${first.sigma_px.toFixed(3)} → ${last.sigma_px.toFixed(3)} px): ${dropped} of ` +
    `${first.points} points dropped`
  );
}
