/**
 * Rotation errors in the gauge of the rotations themselves. A reconstruction is defined up to a
 * similarity; a fit to the camera centres fixes its rotation only as well as the centres' spread
 * allows: on a walk or a near-straight pass the turn about the path is set by centre errors of a
 * fraction of a percent, and that turn then shows as rotation error on every camera. The standard
 * rotation figure (as rotation-averaging evaluations report it) is therefore taken after the
 * global rotation that best aligns the cameras' rotations: the robust chordal (L1) mean, argmin
 * over A of Σ‖R_est,i·A − R_true,i‖_F (iteratively reweighted L2 means), so that one badly placed
 * camera does not turn the rest (an L2 mean would hand 1/n of its error to every other). The relative rotation error of every pair of cameras needs no
 * gauge at all; it is reported beside it as a check (≈ √2 × the absolute error when the errors
 * are independent).
 */

type V3 = [number, number, number];
type M3 = number[][];

/** A camera's estimated and true world → camera rotations. */
export interface RotationPair {
  estR: M3;
  trueR: M3;
}

const mul = (A: M3, B: M3): M3 =>
  A.map((r) => [0, 1, 2].map((j) => r[0]! * B[0]![j]! + r[1]! * B[1]![j]! + r[2]! * B[2]![j]!));
const transpose = (A: M3): M3 => [0, 1, 2].map((i) => [A[0]![i]!, A[1]![i]!, A[2]![i]!]);

/** Angle of a rotation matrix in degrees. */
export function angleDeg(R: M3): number {
  const c = (R[0]![0]! + R[1]![1]! + R[2]![2]! - 1) / 2;
  return (Math.acos(Math.max(-1, Math.min(1, c))) * 180) / Math.PI;
}

type Fit = (src: readonly V3[], dst: readonly V3[]) => M3;

/**
 * The rotation A with R_est·A ≈ R_true, each pair weighted (weighted chordal L2 mean): each row k
 * of R_true maps onto row k of R_est by A, so A is the rotation of a point-set fit (Horn) between
 * the rows, scaled by √weight, the sets kept centred by adding each row's negative.
 * `fitRotation` is that point-set fit.
 */
function weightedChordal(pairs: readonly RotationPair[], w: readonly number[], fit: Fit): M3 {
  const [v, u] = [[], []] as [V3[], V3[]];
  for (const [i, p] of pairs.entries())
    for (let k = 0; k < 3; k++) {
      const q = Math.sqrt(w[i]!);
      const [rt, re] = [p.trueR[k]!.map((x) => q * x) as V3, p.estR[k]!.map((x) => q * x) as V3];
      v.push(rt, rt.map((x) => -x) as V3);
      u.push(re, re.map((x) => -x) as V3);
    }
  return fit(v, u);
}

/** IRLS rounds of the L1 mean, and the chord below which a camera's weight stops growing. */
const L1_ROUNDS = 50;
const MIN_CHORD = 1e-7;

/**
 * The rotation A with R_est·A ≈ R_true for every pair: the robust chordal L1 mean, by
 * iteratively reweighted L2 means (weights 1 / chord), started from the L2 mean (`rounds` 0:
 * the L2 mean itself).
 */
export function chordalAlignment(
  pairs: readonly RotationPair[],
  fitRotation: Fit,
  rounds = L1_ROUNDS,
): M3 {
  let A = weightedChordal(
    pairs,
    pairs.map(() => 1),
    fitRotation,
  );
  for (let round = 0; round < rounds; round++) {
    const w = pairs.map((p) => {
      const D = mul(p.estR, A);
      let sq = 0;
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++) sq += (D[i]![j]! - p.trueR[i]![j]!) ** 2;
      return 1 / Math.max(MIN_CHORD, Math.sqrt(sq));
    });
    A = weightedChordal(pairs, w, fitRotation);
  }
  return A;
}

/** Per pair: the angle of R_est·A·R_trueᵀ (degrees). */
export function rotationErrors(pairs: readonly RotationPair[], A: M3): number[] {
  return pairs.map((p) => angleDeg(mul(mul(p.estR, A), transpose(p.trueR))));
}

/**
 * Relative rotation errors of all pairs of cameras i < j: the angle between R_est,i·R_est,jᵀ and
 * R_true,i·R_true,jᵀ. Free of any gauge. Above `maxCameras` a seeded stride keeps it quadratic
 * in at most that many.
 */
export function relativeRotationErrors(pairs: readonly RotationPair[], maxCameras = 200): number[] {
  const step = Math.max(1, Math.ceil(pairs.length / maxCameras));
  const used = pairs.filter((_, i) => i % step === 0);
  const out: number[] = [];
  for (let i = 0; i < used.length; i++)
    for (let j = i + 1; j < used.length; j++) {
      const [a, b] = [used[i]!, used[j]!];
      const est = mul(a.estR, transpose(b.estR));
      const tru = mul(a.trueR, transpose(b.trueR));
      out.push(angleDeg(mul(est, transpose(tru))));
    }
  return out;
}
