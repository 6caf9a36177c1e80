/**
 * Weighted least-squares refinement of a similarity (COLMAP frame → local ENU) by Gauss–Newton
 * with Levenberg damping: GPS position residuals whitened by their horizontal and vertical sigmas
 * (so altitude, usually twice as noisy, weighs less), plus the cameras' gravity constraints in
 * radians over their spread. Parameters: a small rotation ω applied on the left, ln s, and t.
 */
import { Matrix, solve } from "ml-matrix";
import type { GravityConstraint } from "./gravity.js";
import {
  add,
  cross,
  matMul,
  mulMat,
  rotationFromVector,
  scale,
  sub,
  type Similarity,
  type Vec3,
} from "./similarity.js";

/** What the refinement fits. */
export interface RefineProblem {
  model: readonly Vec3[];
  gps: readonly Vec3[];
  /** Which pairs take part. */
  use: readonly boolean[];
  sigma: { horizontal: number; vertical: number };
  /** Gravity constraints (COLMAP frame) and their sigma in radians; none: positions only. */
  gravity?: { constraints: readonly GravityConstraint[]; sigma: number };
}

/** A refined similarity with the parameters' covariance (null when they are not all determined). */
export interface Refined {
  T: Similarity;
  /** 7×7 covariance of (ω, ln s, t): rotation about the local axes in radians. */
  covariance: number[][] | null;
}

type Row = { r: number; j: number[] };

/** The whitened residuals and their Jacobian rows at T. */
function rows(p: RefineProblem, T: Similarity): Row[] {
  const out: Row[] = [];
  const sig = [p.sigma.horizontal, p.sigma.horizontal, p.sigma.vertical];
  p.model.forEach((c, i) => {
    if (!p.use[i]) return;
    const q = scale(mulMat(T.R, c), T.s); // s·R·c
    const e = sub(p.gps[i]!, add(q, T.t));
    for (let k = 0; k < 3; k++) {
      // d(pred_k)/dω = (ω × q)_k; d/d ln s = q_k; d/dt = e_k. Residual = (gps − pred)/σ.
      const unitK: Vec3 = [k === 0 ? 1 : 0, k === 1 ? 1 : 0, k === 2 ? 1 : 0];
      const dOmega = cross(q, unitK); // (ω × q)·e_k = ω · (q × e_k)
      out.push({
        r: e[k]! / sig[k]!,
        j: [...dOmega, q[k]!, ...unitK].map((v) => -v / sig[k]!),
      });
    }
  });
  for (const c of p.gravity?.constraints ?? []) {
    const s = p.gravity!.sigma;
    const v = mulMat(T.R, c.axis);
    if (c.kind === "level") {
      out.push({ r: v[2] / s, j: [v[1] / s, -v[0] / s, 0, 0, 0, 0, 0] });
    } else {
      out.push({ r: v[0] / s, j: [0, v[2] / s, -v[1] / s, 0, 0, 0, 0] });
      out.push({ r: v[1] / s, j: [-v[2] / s, 0, v[0] / s, 0, 0, 0, 0] });
    }
  }
  return out;
}

function normalEquations(rs: readonly Row[]): { A: number[][]; b: number[]; cost: number } {
  const A = Array.from({ length: 7 }, () => new Array<number>(7).fill(0));
  const b = new Array<number>(7).fill(0);
  let cost = 0;
  for (const { r, j } of rs) {
    cost += r * r;
    for (let a = 0; a < 7; a++) {
      b[a]! -= j[a]! * r;
      for (let c = 0; c < 7; c++) A[a]![c]! += j[a]! * j[c]!;
    }
  }
  return { A, b, cost };
}

function step(T: Similarity, d: readonly number[]): Similarity {
  return {
    R: matMul(rotationFromVector(d.slice(0, 3)), T.R),
    s: T.s * Math.exp(d[3]!),
    t: add(T.t, d.slice(4, 7)),
  };
}

function costOf(p: RefineProblem, T: Similarity): number {
  return rows(p, T).reduce((a, { r }) => a + r * r, 0);
}

/** The inverse of a symmetric positive definite matrix, or null when it is (nearly) singular. */
function inverse(A: number[][]): number[][] | null {
  const diag = A.map((r, i) => r[i]!);
  const maxDiag = Math.max(...diag);
  if (!(maxDiag > 0) || diag.some((d) => d <= maxDiag * 1e-14)) return null;
  try {
    const inv = solve(new Matrix(A), Matrix.eye(7)).to2DArray();
    return inv.every((r, i) => Number.isFinite(r[i]!) && r[i]! > 0) ? inv : null;
  } catch {
    return null;
  }
}

/** Refines T for the problem (at most 30 Gauss–Newton steps, damped when a step does not help). */
export function refineSimilarity(p: RefineProblem, start: Similarity): Refined {
  let T = start;
  let cost = costOf(p, T);
  let lambda = 1e-6;
  for (let it = 0; it < 30; it++) {
    const { A, b } = normalEquations(rows(p, T));
    const damped = A.map((r, i) => r.map((v, k) => (i === k ? v * (1 + lambda) + 1e-12 : v)));
    let d: number[];
    try {
      d = solve(new Matrix(damped), Matrix.columnVector(b)).to1DArray();
    } catch {
      break;
    }
    const next = step(T, d);
    const nextCost = costOf(p, next);
    if (nextCost <= cost) {
      const gain = cost - nextCost;
      T = next;
      cost = nextCost;
      lambda = Math.max(1e-9, lambda / 10);
      if (gain <= 1e-12 * (1 + cost) && Math.hypot(...d) < 1e-10) break;
    } else {
      lambda *= 10;
      if (lambda > 1e8) break;
    }
  }
  return { T, covariance: inverse(normalEquations(rows(p, T)).A) };
}

/** Standard errors from a covariance: heading and tilt in degrees, scale in percent. */
export function precisionOf(cov: number[][] | null): {
  heading_deg: number | null;
  tilt_deg: number | null;
  scale_pct: number | null;
} {
  if (!cov) return { heading_deg: null, tilt_deg: null, scale_pct: null };
  const deg = 180 / Math.PI;
  return {
    heading_deg: Math.sqrt(cov[2]![2]!) * deg,
    tilt_deg: Math.sqrt(cov[0]![0]! + cov[1]![1]!) * deg,
    scale_pct: Math.sqrt(cov[3]![3]!) * 100,
  };
}
