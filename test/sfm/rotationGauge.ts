/** Rotation errors of estimated poses against the truth, up to the global rotation they leave free. */
import {
  mulM3,
  projectToRotation,
  rotationAngleDeg,
  transposeM3,
  type M3,
} from "../../src/sfm/rotationAveraging.js";

/**
 * Each estimate's angle (degrees) from truth_i·Q, where Q is the rotation that fits
 * estimates ≈ truth·Q best (the projection of Σ truth_iᵀ·estimate_i onto the rotations).
 */
export function rotationErrorsUpToGauge(estimates: readonly M3[], truth: readonly M3[]): number[] {
  const S: M3 = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  estimates.forEach((R, i) => {
    const m = mulM3(transposeM3(truth[i]!), R);
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) S[r]![c]! += m[r]![c]!;
  });
  const Q = projectToRotation(S);
  return estimates.map((R, i) => rotationAngleDeg(mulM3(R, transposeM3(mulM3(truth[i]!, Q)))));
}
