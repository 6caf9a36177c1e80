/**
 * Gravity from the cameras. People and gimbals hold cameras with a level horizon, so each
 * camera's x axis is horizontal ("level" observations); where the files give a gimbal pitch (DJI
 * XMP) the whole up direction in the camera is known ("up" observations: up = (0, −cos p, sin p)
 * in camera coordinates, x right, y down, z forward). Used for the up direction of a capture
 * without GPS and, beside the GPS positions, for the tilt and for the roll about a straight
 * flight line, which positions alone leave free.
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import {
  dot,
  mulMat,
  norm,
  scale,
  sub,
  transpose,
  unit,
  type Mat3Rows,
  type Vec3,
} from "./similarity.js";

/** What one camera says about gravity. */
export interface AttitudeObservation {
  /** World → camera rotation in COLMAP's frame (rows). */
  rotation: Mat3Rows;
  /** Elevation of the optical axis in degrees (−90: nadir) from a gimbal that keeps roll level, else null. */
  pitchDeg: number | null;
}

/** One camera's gravity constraint in COLMAP's frame. */
export type GravityConstraint =
  | { kind: "level"; axis: Vec3 } // this direction is horizontal
  | { kind: "up"; axis: Vec3 }; // this direction is up

/** The camera's constraint: its x axis level, or its known up direction (from the pitch). */
export function constraintOf(o: AttitudeObservation): GravityConstraint {
  const camToWorld = transpose(o.rotation);
  if (o.pitchDeg === null) return { kind: "level", axis: mulMat(camToWorld, [1, 0, 0]) };
  const p = (o.pitchDeg * Math.PI) / 180;
  return { kind: "up", axis: unit(mulMat(camToWorld, [0, -Math.cos(p), Math.sin(p)])) };
}

/** The camera's own up (−y axis) in COLMAP's frame: only to choose a sign. */
export function cameraUp(o: AttitudeObservation): Vec3 {
  return mulMat(transpose(o.rotation), [0, -1, 0]);
}

/** Angle (radians) by which a constraint misses when `up` is the up direction. */
export function constraintError(c: GravityConstraint, up: readonly number[]): number {
  if (c.kind === "level") return Math.asin(Math.min(1, Math.abs(dot(c.axis, up))));
  return Math.acos(Math.max(-1, Math.min(1, dot(c.axis, up))));
}

/** Robust standard deviation of residual angles (1.4826 × median absolute value). */
export function robustSigma(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const a = values.map(Math.abs).sort((x, y) => x - y);
  const m = a.length % 2 ? a[(a.length - 1) / 2]! : (a[a.length / 2 - 1]! + a[a.length / 2]!) / 2;
  return 1.4826 * m;
}

/** Eigen-decomposition of a symmetric 3×3 matrix, ascending eigenvalues with their vectors. */
function symmetricEigen(M: number[][]): { values: number[]; vectors: Vec3[] } {
  const e = new EigenvalueDecomposition(new Matrix(M), { assumeSymmetric: true });
  const V = e.eigenvectorMatrix;
  const order = e.realEigenvalues.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  return {
    values: order.map(([v]) => v),
    vectors: order.map(([, i]) => unit([V.get(0, i), V.get(1, i), V.get(2, i)])),
  };
}

/** Up from a set of constraints: the direction most nearly ⊥ the level axes and ∥ the up axes. */
function upFrom(cs: readonly GravityConstraint[], hint: Vec3) {
  const M = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (const c of cs) {
    const a = c.axis;
    for (let r = 0; r < 3; r++) {
      for (let k = 0; k < 3; k++) {
        // level: (u·a)² = uᵀ a aᵀ u; up: |u × a|² = uᵀ (I − a aᵀ) u.
        const aa = a[r]! * a[k]!;
        M[r]![k]! += c.kind === "level" ? aa : (r === k ? 1 : 0) - aa;
      }
    }
  }
  const n = Math.max(1, cs.length);
  const { values, vectors } = symmetricEigen(M.map((row) => row.map((v) => v / n)));
  const u = vectors[0]!;
  return { up: dot(u, hint) < 0 ? scale(u, -1) : u, values, vectors };
}

/** An up direction in COLMAP's frame with how it was found. */
export interface UpEstimate {
  up: Vec3;
  method: "cameras" | "mean_up";
  /** Cameras whose constraint was kept. */
  used: number;
  /** Robust spread of the kept constraints' errors, radians. */
  spread: number;
  /** Expected error of `up`, radians. */
  precision: number;
  note: string | null;
}

/** Smallest spread assumed for the cameras' horizons: no gimbal is better than this. */
const MIN_SPREAD = (0.1 * Math.PI) / 180;

/**
 * Up in COLMAP's frame from the cameras: the direction best ⊥ to the level axes and ∥ to the up
 * axes, constraints beyond 3 robust sigmas dropped. When the constraints leave a rotation free
 * (every x axis parallel and no pitch: a straight pass at one heading), the mean of the cameras'
 * up vectors, kept ⊥ to the x axes, decides. Null when there are no cameras.
 */
export function estimateUp(obs: readonly AttitudeObservation[]): UpEstimate | null {
  if (obs.length === 0) return null;
  const all = obs.map(constraintOf);
  const hint = unit(obs.map(cameraUp).reduce((a, b) => [a[0] + b[0], a[1] + b[1], a[2] + b[2]]));
  let kept = all;
  let est = upFrom(kept, hint);
  let spread = MIN_SPREAD;
  for (let round = 0; round < 3; round++) {
    const errors = all.map((c) => constraintError(c, est.up));
    spread = Math.max(MIN_SPREAD, robustSigma(errors));
    const next = all.filter((_, i) => errors[i]! <= Math.max(3 * spread, (1 * Math.PI) / 180));
    if (next.length < 2 || next.length === kept.length) break;
    kept = next;
    est = upFrom(kept, hint);
  }
  // The second-smallest eigenvalue measures how well the up's rotation is pinned down.
  const precision = spread / Math.sqrt(Math.max(1e-12, kept.length * est.values[1]!));
  if (precision <= (2 * Math.PI) / 180) {
    return { up: est.up, method: "cameras", used: kept.length, spread, precision, note: null };
  }
  // Every constraint is (nearly) the same level axis: keep up ⊥ to it, lean it on the mean up.
  const axis = est.vectors[2]!;
  const leaned = sub(hint, scale(axis, dot(hint, axis)));
  const up = norm(leaned) > 1e-9 ? unit(leaned) : est.up;
  return {
    up,
    method: "mean_up",
    used: kept.length,
    spread,
    precision,
    note: "the cameras' horizons are all parallel (one heading): up is their mean up vector",
  };
}
