/**
 * GPS noise for benchmarks and tests: Gaussian scatter (horizontal and vertical sigmas apart) and
 * gross outliers, a 50 m jump in a uniformly random direction, drawn from a seeded generator so a
 * run can be repeated.
 */
import { gaussian } from "../util/geodesy.js";
import { mulberry32 } from "../util/random.js";

/** The noise to add. */
export interface GpsNoise {
  /** One sigma, metres. */
  horizontal: number;
  vertical: number;
  /** Fraction of fixes given a gross error. */
  outlierFraction: number;
  /** Size of a gross error, metres (default 50). */
  outlierMetres?: number;
  seed: number;
}

/** The bench's noise: 2 m horizontal, 4 m vertical, 10 % gross outliers of 50 m. */
export const BENCH_NOISE: Omit<GpsNoise, "seed"> = {
  horizontal: 2,
  vertical: 4,
  outlierFraction: 0.1,
  outlierMetres: 50,
};

type V3 = [number, number, number];

/**
 * Noisy copies of true positions (east, north, up metres) and the indices given gross errors
 * (round(fraction × n) of them, chosen at random).
 */
export function noisyFixes(
  truth: readonly (readonly number[])[],
  o: GpsNoise,
): { fixes: V3[]; outliers: Set<number> } {
  const rand = mulberry32(o.seed);
  const outliers = new Set<number>();
  const want = Math.min(truth.length, Math.round(o.outlierFraction * truth.length));
  while (outliers.size < want) outliers.add(Math.floor(rand() * truth.length));
  const jump = o.outlierMetres ?? 50;
  const fixes = truth.map((c, i): V3 => {
    const p: V3 = [
      c[0]! + gaussian(rand) * o.horizontal,
      c[1]! + gaussian(rand) * o.horizontal,
      c[2]! + gaussian(rand) * o.vertical,
    ];
    if (!outliers.has(i)) return p;
    const d = [gaussian(rand), gaussian(rand), gaussian(rand)];
    const n = Math.hypot(d[0]!, d[1]!, d[2]!) || 1;
    return [p[0] + (jump * d[0]!) / n, p[1] + (jump * d[1]!) / n, p[2] + (jump * d[2]!) / n];
  });
  return { fixes, outliers };
}
