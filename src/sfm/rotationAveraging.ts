/**
 * Global rotations from pairwise ones. The incremental mapper builds a flat site seen along a
 * straight pass one image at a time and bends it (drone-video-srt: 9–22° of rotation drift)
 * where every pair's own relative rotation is accurate; averaging all verified pairs at once
 * spreads each pair's small error instead of accumulating it.
 */
import type { Mat3Rows, Vec3 } from "./georef/similarity.js";
import { cross, dot, norm } from "../util/vec3.js";

export type M3 = number[][];

const mul = (A: M3, B: M3): M3 =>
  A.map((r) => [0, 1, 2].map((j) => r[0]! * B[0]![j]! + r[1]! * B[1]![j]! + r[2]! * B[2]![j]!));
const tr = (A: M3): M3 => [0, 1, 2].map((i) => [0, 1, 2].map((j) => A[j]![i]!));
const det = (A: M3): number =>
  A[0]![0]! * (A[1]![1]! * A[2]![2]! - A[1]![2]! * A[2]![1]!) -
  A[0]![1]! * (A[1]![0]! * A[2]![2]! - A[1]![2]! * A[2]![0]!) +
  A[0]![2]! * (A[1]![0]! * A[2]![1]! - A[1]![1]! * A[2]![0]!);
export { mul as mulM3, tr as transposeM3 };

/** Eigen-decomposition of a symmetric 3×3 matrix by Jacobi sweeps: values descending, vectors as columns. */
export function eigSym3(S: M3): { values: number[]; vectors: M3 } {
  const A = S.map((r) => [...r]);
  let V: M3 = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = Math.abs(A[0]![1]!) + Math.abs(A[0]![2]!) + Math.abs(A[1]![2]!);
    if (off < 1e-15 * (Math.abs(A[0]![0]!) + Math.abs(A[1]![1]!) + Math.abs(A[2]![2]!) + 1e-300))
      break;
    for (const [p, q] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ] as const) {
      if (Math.abs(A[p]![q]!) < 1e-300) continue;
      const theta = (A[q]![q]! - A[p]![p]!) / (2 * A[p]![q]!);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      const J: M3 = [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ];
      J[p]![p] = c;
      J[q]![q] = c;
      J[p]![q] = s;
      J[q]![p] = -s;
      const B = mul(mul(tr(J), A), J);
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) A[i]![j] = B[i]![j]!;
      V = mul(V, J);
    }
  }
  const order = [0, 1, 2].sort((a, b) => A[b]![b]! - A[a]![a]!);
  return {
    values: order.map((i) => A[i]![i]!),
    vectors: [0, 1, 2].map((r) => order.map((i) => V[r]![i]!)),
  };
}

/** M = U diag(s) Vᵀ with U, V proper rotations (the last singular value takes the sign). */
export function svd3(M: M3): { U: M3; s: number[]; V: M3 } {
  const { values, vectors: V } = eigSym3(mul(tr(M), M));
  const col = (A: M3, j: number) => [A[0]![j]!, A[1]![j]!, A[2]![j]!];
  const s = values.map((v) => Math.sqrt(Math.max(0, v)));
  const u0 = col(mul(M, V), 0).map((x) => x / (s[0] || 1));
  let u1 = col(mul(M, V), 1);
  // Orthogonalise against u0 (rank-deficient inputs such as an essential matrix).
  const d01 = dot(u1, u0);
  u1 = u1.map((x, k) => x - d01 * u0[k]!);
  const n1 = norm(u1);
  u1 =
    n1 > 1e-300 ? u1.map((x) => x / n1) : cross(u0, Math.abs(u0[0]!) < 0.9 ? [1, 0, 0] : [0, 1, 0]);
  const u2 = cross(u0, u1);
  const U = [0, 1, 2].map((r) => [u0[r]!, u1[r]!, u2[r]!]);
  const Vp = V.map((r) => [...r]);
  if (det(Vp) < 0) for (const r of Vp) r[2] = -r[2]!;
  const s2 = col(mul(M, Vp), 2).reduce((a, x, k) => a + x * u2[k]!, 0);
  return { U, s: [s[0]!, s[1]!, s2], V: Vp };
}

/** The rotation nearest to M in the Frobenius norm. */
export function projectToRotation(M: M3): M3 {
  const { U, V } = svd3(M);
  return mul(U, tr(V));
}

/** Angle of a rotation matrix, degrees. */
export function rotationAngleDeg(R: M3): number {
  const c = (R[0]![0]! + R[1]![1]! + R[2]![2]! - 1) / 2;
  return (Math.acos(Math.max(-1, Math.min(1, c))) * 180) / Math.PI;
}

/** A verified pair's relative rotation: R_b ≈ R · R_a (world → camera rotations). */
export interface RelativeRotation {
  a: number;
  b: number;
  R: M3;
  weight: number;
}

/** Solves dense A x = b (Gaussian elimination with partial pivoting). */
export function solveLinear(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((r, i) => [...r, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    const piv = M[c]![c]!;
    if (Math.abs(piv) < 1e-300) continue;
    for (let r = c + 1; r < n; r++) {
      const f = M[r]![c]! / piv;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) M[r]![k] = M[r]![k]! - f * M[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= M[r]![k]! * x[k]!;
    x[r] = Math.abs(M[r]![r]!) < 1e-300 ? 0 : s / M[r]![r]!;
  }
  return x;
}

/** The chordal least-squares rotations (image 0 fixed), projected onto rotations. */
function chordalStart(n: number, rel: readonly RelativeRotation[]): M3[] {
  const lambda = 1e3;
  const cols: number[][] = [];
  for (let c = 0; c < 3; c++) {
    const N = 3 * n;
    const A = Array.from({ length: N }, () => new Array<number>(N).fill(0));
    const rhs = new Array<number>(N).fill(0);
    // Gauge: image 0's column c is e_c, held by a stiff prior.
    for (let k = 0; k < 3; k++) {
      A[k]![k]! += lambda;
      rhs[k]! += k === c ? lambda : 0;
    }
    for (const { a, b, R, weight: w } of rel) {
      // Residual x_b − R x_a, 3 rows.
      for (let r = 0; r < 3; r++) {
        const coef = new Map<number, number>();
        coef.set(3 * b + r, 1);
        for (let k = 0; k < 3; k++) coef.set(3 * a + k, (coef.get(3 * a + k) ?? 0) - R[r]![k]!);
        for (const [i, ci] of coef) for (const [j, cj] of coef) A[i]![j]! += w * ci * cj;
      }
    }
    cols.push(solveLinear(A, rhs));
  }
  return Array.from({ length: n }, (_, i) =>
    projectToRotation([0, 1, 2].map((r) => [0, 1, 2].map((c) => cols[c]![3 * i + r]!))),
  );
}

const I3 = (): M3 => [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
];

/** Rotations chained along the maximum-weight spanning tree from image 0 (Prim). */
function treeStart(n: number, rel: readonly RelativeRotation[]): M3[] {
  const Rs: (M3 | null)[] = Array.from({ length: n }, () => null);
  Rs[0] = I3();
  for (;;) {
    let best: { e: RelativeRotation; forward: boolean } | null = null;
    for (const e of rel) {
      const forward = Rs[e.a] !== null && Rs[e.b] === null;
      const backward = Rs[e.b] !== null && Rs[e.a] === null;
      if ((forward || backward) && (!best || e.weight > best.e.weight)) best = { e, forward };
    }
    if (!best) break;
    const { e, forward } = best;
    if (forward) Rs[e.b] = mul(e.R, Rs[e.a]!);
    else Rs[e.a] = mul(tr(e.R), Rs[e.b]!);
  }
  return Rs.map((R) => R ?? I3());
}

/** Iteratively reweighted local averaging (Cauchy weights at `robust` degrees), in place. */
function refine(Rs: M3[], rel: readonly RelativeRotation[], iterations: number, robust: number) {
  for (let it = 0; it < iterations; it++) {
    for (let i = 1; i < Rs.length; i++) {
      const acc: M3 = [
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ];
      let any = false;
      for (const { a, b, R, weight } of rel) {
        let est: M3 | null = null;
        if (b === i) est = mul(R, Rs[a]!);
        else if (a === i) est = mul(tr(R), Rs[b]!);
        if (!est) continue;
        const e = rotationAngleDeg(mul(est, tr(Rs[i]!)));
        const w = weight / (1 + (e / robust) ** 2);
        for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) acc[r]![c]! += w * est[r]![c]!;
        any = true;
      }
      if (any) Rs[i] = projectToRotation(acc);
    }
  }
}

/** The robust (Cauchy) cost of absolute rotations against the relative ones. */
function robustCost(Rs: M3[], rel: readonly RelativeRotation[], robust: number): number {
  let cost = 0;
  for (const { a, b, R, weight } of rel) {
    const e = rotationAngleDeg(mul(mul(R, Rs[a]!), tr(Rs[b]!)));
    cost += weight * Math.log(1 + (e / robust) ** 2);
  }
  return cost;
}

/**
 * Absolute rotations of images 0…n−1 (image 0 fixed to the identity) from relative ones. Two
 * starts, the chordal least-squares solution and the chain along the heaviest pairs, each refined
 * by iteratively reweighted local averaging with Cauchy weights (a wrong pair, e.g. a look-alike
 * view matched across a ring, weighs little once it disagrees by more than `robustDeg`); the one
 * with the lower robust cost is kept. Wrong pairs pull the least-squares start far enough (a
 * ring's look-alike pairs are off by half a turn) that refining it alone can stay wrong.
 */
export function averageRotations(
  n: number,
  rel: readonly RelativeRotation[],
  opts: { iterations?: number; robustDeg?: number } = {},
): M3[] {
  const robust = opts.robustDeg ?? 2;
  const iterations = opts.iterations ?? 100;
  let best: { Rs: M3[]; cost: number } | null = null;
  for (const Rs of [chordalStart(n, rel), treeStart(n, rel)]) {
    refine(Rs, rel, iterations, robust);
    const cost = robustCost(Rs, rel, robust);
    if (!best || cost < best.cost) best = { Rs, cost };
  }
  return best!.Rs;
}

/** Rotation rows for the georef helpers' type. */
export const asRows = (R: M3): Mat3Rows => R.map((r) => [r[0]!, r[1]!, r[2]!] as Vec3) as Mat3Rows;
