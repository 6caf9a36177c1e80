/**
 * Similarity transforms x' = s·R·x + t between 3-D frames: Umeyama's closed-form least-squares
 * fit (with an optional direction pair, Wahba's problem, for a rotation the points leave free),
 * composition with small rotations, and the 4×4 row-major matrix the georef records.
 */
import { determinant, Matrix, SingularValueDecomposition } from "ml-matrix";

import { add, cross, dot, norm, scale, sub, unit, type Vec3 } from "../../util/vec3.js";

// The vector operations live in util/vec3.ts; the georeferencing modules take them from here.
export { add, cross, dot, norm, scale, sub, unit };
export type { Vec3 };
/** A 3×3 matrix as its three rows. */
export type Mat3Rows = [Vec3, Vec3, Vec3];

/** A similarity transform: x' = s·R·x + t. */
export interface Similarity {
  s: number;
  R: Mat3Rows;
  t: Vec3;
}

export const IDENTITY3: Mat3Rows = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
];

/** R·v. */
export function mulMat(R: Mat3Rows, v: readonly number[]): Vec3 {
  return [dot(R[0], v), dot(R[1], v), dot(R[2], v)];
}

/** A·B. */
export function matMul(A: Mat3Rows, B: Mat3Rows): Mat3Rows {
  const col = (j: number): Vec3 => [B[0][j], B[1][j], B[2][j]];
  return A.map((row) => [dot(row, col(0)), dot(row, col(1)), dot(row, col(2))]) as Mat3Rows;
}

/** Aᵀ. */
export function transpose(A: Mat3Rows): Mat3Rows {
  return [0, 1, 2].map((j) => [A[0][j], A[1][j], A[2][j]]) as Mat3Rows;
}

/** s·R·x + t. */
export function applySimilarity(T: Similarity, x: readonly number[]): Vec3 {
  return add(scale(mulMat(T.R, x), T.s), T.t);
}

/** The rotation exp([ω]×) (Rodrigues). */
export function rotationFromVector(w: readonly number[]): Mat3Rows {
  const th = norm(w);
  if (th < 1e-15) return IDENTITY3.map((r) => [...r]) as Mat3Rows;
  const [x, y, z] = scale(w, 1 / th);
  const c = Math.cos(th);
  const s = Math.sin(th);
  const C = 1 - c;
  return [
    [c + x * x * C, x * y * C - z * s, x * z * C + y * s],
    [y * x * C + z * s, c + y * y * C, y * z * C - x * s],
    [z * x * C - y * s, z * y * C + x * s, c + z * z * C],
  ];
}

/** The rotation by the smallest angle taking unit vector `a` onto unit vector `b`. */
export function rotationBetween(a: readonly number[], b: readonly number[]): Mat3Rows {
  const axis = cross(a, b);
  const s = norm(axis);
  const c = dot(a, b);
  if (s < 1e-12) {
    if (c > 0) return IDENTITY3.map((r) => [...r]) as Mat3Rows;
    // Opposite: half a turn about any axis perpendicular to a.
    const helper = Math.abs(a[0]!) < 0.9 ? [1, 0, 0] : [0, 1, 0];
    return rotationFromVector(scale(unit(cross(a, helper)), Math.PI));
  }
  return rotationFromVector(scale(axis, Math.atan2(s, c) / s));
}

/** The 4×4 row-major matrix of a similarity. */
export function similarityMatrix(T: Similarity): number[][] {
  return [
    [...scale(T.R[0], T.s), T.t[0]],
    [...scale(T.R[1], T.s), T.t[1]],
    [...scale(T.R[2], T.s), T.t[2]],
    [0, 0, 0, 1],
  ];
}

/** Rotation nearest (Frobenius) to a 3×3 matrix M, with det +1: U·diag(1,1,±1)·Vᵀ of M's SVD. */
function nearestRotation(M: number[][]): Mat3Rows {
  const svd = new SingularValueDecomposition(new Matrix(M));
  const U = svd.leftSingularVectors;
  const V = svd.rightSingularVectors;
  const d = Math.sign(determinant(U) * determinant(V)) || 1;
  const D = Matrix.diag([1, 1, d]);
  return U.mmul(D).mmul(V.transpose()).to2DArray() as Mat3Rows;
}

/** Weighted centroid. */
export function centroid(points: readonly Vec3[], weights?: readonly number[]): Vec3 {
  let w = 0;
  let c: Vec3 = [0, 0, 0];
  points.forEach((p, i) => {
    const wi = weights?.[i] ?? 1;
    c = add(c, scale(p, wi));
    w += wi;
  });
  return scale(c, 1 / (w || 1));
}

/**
 * Least-squares similarity taking `src` onto `dst` (Umeyama 1991), with per-pair weights. An
 * optional direction pair (`direction.from` in the source frame should point along
 * `direction.to`, weighted by `direction.weight` relative to the points' spread) fixes a rotation
 * the points leave free, e.g. the roll about a straight flight line. Null when the points have no
 * spread.
 */
export function umeyama(
  src: readonly Vec3[],
  dst: readonly Vec3[],
  opts: { weights?: readonly number[]; direction?: { from: Vec3; to: Vec3; weight: number } } = {},
): Similarity | null {
  const w = opts.weights ?? src.map(() => 1);
  const W = w.reduce((a, b) => a + b, 0);
  if (src.length < 2 || W <= 0) return null;
  const cs = centroid(src, w);
  const cd = centroid(dst, w);
  const H = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  let varSrc = 0;
  src.forEach((p, i) => {
    const a = sub(p, cs);
    const b = sub(dst[i]!, cd);
    varSrc += w[i]! * dot(a, a);
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) H[r]![c]! += w[i]! * b[r]! * a[c]!;
  });
  if (varSrc <= 1e-300) return null;
  if (opts.direction) {
    // The direction pair counts like a pair of points at the points' RMS spread.
    const k = opts.direction.weight * Math.sqrt(varSrc / W) * W;
    const a = unit(opts.direction.from);
    const b = unit(opts.direction.to);
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) H[r]![c]! += k * b[r]! * a[c]!;
  }
  const R = nearestRotation(H);
  let num = 0;
  src.forEach((p, i) => {
    num += w[i]! * dot(sub(dst[i]!, cd), mulMat(R, sub(p, cs)));
  });
  const s = num / varSrc;
  if (!(s > 0)) return null;
  return { s, R, t: sub(cd, scale(mulMat(R, cs), s)) };
}

/** The rotation of a quaternion (w, x, y, z), normalised first (as COLMAP does). */
export function rotationFromQuaternion(q: readonly number[]): Mat3Rows {
  const n = Math.hypot(q[0]!, q[1]!, q[2]!, q[3]!) || 1;
  const [w, x, y, z] = [q[0]! / n, q[1]! / n, q[2]! / n, q[3]! / n];
  return [
    [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
    [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
    [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
  ];
}

/** A rotation as a unit quaternion (w, x, y, z), w ≥ 0 (Shepperd's method). */
export function quaternionFromRotation(R: Mat3Rows): [number, number, number, number] {
  const [[a, b, c], [d, e, f], [g, h, i]] = R;
  const tr = a + e + i;
  let q: [number, number, number, number];
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    q = [s / 4, (h - f) / s, (c - g) / s, (d - b) / s];
  } else if (a > e && a > i) {
    const s = Math.sqrt(1 + a - e - i) * 2;
    q = [(h - f) / s, s / 4, (b + d) / s, (c + g) / s];
  } else if (e > i) {
    const s = Math.sqrt(1 + e - a - i) * 2;
    q = [(c - g) / s, (b + d) / s, s / 4, (f + h) / s];
  } else {
    const s = Math.sqrt(1 + i - a - e) * 2;
    q = [(d - b) / s, (c + g) / s, (f + h) / s, s / 4];
  }
  const n = Math.hypot(...q);
  return q.map((v) => (q[0] < 0 ? -v : v) / n) as [number, number, number, number];
}
