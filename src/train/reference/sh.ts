/**
 * Real spherical harmonics up to degree 3 with the INRIA 3DGS constants and sign conventions
 * (`computeColorFromSH`). Colour = max(0, Σ_k SH_k(dir)·coef_k + 0.5) per channel, where dir is the
 * unit vector from the camera centre to the splat mean.
 */

export const SH_C1 = 0.4886025119029199;
export const SH_C2 = [
  1.0925484305920792, -1.0925484305920792, 0.31539156525252005, -1.0925484305920792,
  0.5462742152960396,
] as const;
export const SH_C3 = [
  -0.5900435899266435, 2.890611442640554, -0.4570457994644658, 0.3731763325901154,
  -0.4570457994644658, 1.445305721320277, -0.5900435899266435,
] as const;

/** The basis values SH_k(dir) for k < (degree+1)², dir a unit vector. */
export function shBasis(degree: number, dir: readonly number[]): number[] {
  const [x, y, z] = dir as [number, number, number];
  const b = [SH_C0];
  if (degree < 1) return b;
  b.push(-SH_C1 * y, SH_C1 * z, -SH_C1 * x);
  if (degree < 2) return b;
  const xx = x * x,
    yy = y * y,
    zz = z * z;
  b.push(
    SH_C2[0] * x * y,
    SH_C2[1] * y * z,
    SH_C2[2] * (2 * zz - xx - yy),
    SH_C2[3] * x * z,
    SH_C2[4] * (xx - yy),
  );
  if (degree < 3) return b;
  b.push(
    SH_C3[0] * y * (3 * xx - yy),
    SH_C3[1] * x * y * z,
    SH_C3[2] * y * (4 * zz - xx - yy),
    SH_C3[3] * z * (2 * zz - 3 * xx - 3 * yy),
    SH_C3[4] * x * (4 * zz - xx - yy),
    SH_C3[5] * z * (xx - yy),
    SH_C3[6] * x * (xx - 3 * yy),
  );
  return b;
}

/**
 * d SH_k / d(x, y, z) for each basis function (rows of 3), treating x, y, z as independent
 * (the normalisation is differentiated separately).
 */
export function shBasisJacobian(
  degree: number,
  dir: readonly number[],
): [number, number, number][] {
  const [x, y, z] = dir as [number, number, number];
  const j: [number, number, number][] = [[0, 0, 0]];
  if (degree < 1) return j;
  j.push([0, -SH_C1, 0], [0, 0, SH_C1], [-SH_C1, 0, 0]);
  if (degree < 2) return j;
  const xx = x * x,
    yy = y * y,
    zz = z * z;
  j.push(
    [SH_C2[0] * y, SH_C2[0] * x, 0],
    [0, SH_C2[1] * z, SH_C2[1] * y],
    [-2 * SH_C2[2] * x, -2 * SH_C2[2] * y, 4 * SH_C2[2] * z],
    [SH_C2[3] * z, 0, SH_C2[3] * x],
    [2 * SH_C2[4] * x, -2 * SH_C2[4] * y, 0],
  );
  if (degree < 3) return j;
  j.push(
    [SH_C3[0] * 6 * x * y, SH_C3[0] * (3 * xx - 3 * yy), 0],
    [SH_C3[1] * y * z, SH_C3[1] * x * z, SH_C3[1] * x * y],
    [-2 * SH_C3[2] * x * y, SH_C3[2] * (4 * zz - xx - 3 * yy), 8 * SH_C3[2] * y * z],
    [-6 * SH_C3[3] * x * z, -6 * SH_C3[3] * y * z, SH_C3[3] * (6 * zz - 3 * xx - 3 * yy)],
    [SH_C3[4] * (4 * zz - 3 * xx - yy), -2 * SH_C3[4] * x * y, 8 * SH_C3[4] * x * z],
    [2 * SH_C3[5] * x * z, -2 * SH_C3[5] * y * z, SH_C3[5] * (xx - yy)],
    [SH_C3[6] * (3 * xx - 3 * yy), -6 * SH_C3[6] * x * y, 0],
  );
  return j;
}

/** Result of evaluating one splat's view-dependent colour. */
export interface ShColour {
  /** Clamped colour max(0, raw). */
  rgb: [number, number, number];
  /** Σ SH·coef + 0.5 before the clamp (the backward needs the sign). */
  raw: [number, number, number];
}

/**
 * Colour of one splat: `coefs` holds its K×3 coefficients, coefficient-major (coefs[k*3 + c]);
 * only the first (degree+1)² are used.
 */
export function evalShColour(
  degree: number,
  coefs: ArrayLike<number>,
  dir: readonly number[],
): ShColour {
  const basis = shBasis(degree, dir);
  const raw: [number, number, number] = [0.5, 0.5, 0.5];
  for (let k = 0; k < basis.length; k++) {
    for (let c = 0; c < 3; c++) raw[c] += basis[k]! * coefs[k * 3 + c]!;
  }
  return { raw, rgb: [Math.max(0, raw[0]), Math.max(0, raw[1]), Math.max(0, raw[2])] };
}

/**
 * Backward of {@link evalShColour}. The clamp passes the gradient where raw ≥ 0 and blocks it
 * where raw < 0 (INRIA's `clamped = result < 0`). Returns dL/dcoef (K×3, zero above `degree`)
 * and dL/ddir (the unit direction, before the normalisation backward).
 */
export function evalShColourBackward(
  degree: number,
  maxK: number,
  coefs: ArrayLike<number>,
  dir: readonly number[],
  raw: readonly number[],
  dRgb: readonly number[],
): { dCoefs: Float64Array; dDir: [number, number, number] } {
  const dRaw = dRgb.map((g, c) => (raw[c]! >= 0 ? g : 0));
  const basis = shBasis(degree, dir);
  const jac = shBasisJacobian(degree, dir);
  const dCoefs = new Float64Array(maxK * 3);
  const dDir: [number, number, number] = [0, 0, 0];
  for (let k = 0; k < basis.length; k++) {
    let dBasis = 0;
    for (let c = 0; c < 3; c++) {
      dCoefs[k * 3 + c] = basis[k]! * dRaw[c]!;
      dBasis += coefs[k * 3 + c]! * dRaw[c]!;
    }
    for (let a = 0; a < 3; a++) dDir[a] += jac[k]![a]! * dBasis;
  }
  return { dCoefs, dDir };
}
import { SH_C0 } from "../../contracts/gaussians.js";
