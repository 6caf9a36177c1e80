/**
 * Small float64 helpers for the CPU reference: 3×3 matrices are row-major `number[]` of length 9.
 * Clarity over speed — the reference only ever sees tiny scenes.
 */
import type { Vec3 } from "../../contracts/sceneModel.js";

export type Mat3 = number[];

/** C = A·B for 3×3 matrices. */
export function mul3(a: Mat3, b: Mat3): Mat3 {
  const c = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += a[i * 3 + k]! * b[k * 3 + j]!;
      c[i * 3 + j] = s;
    }
  }
  return c;
}

/** Aᵀ. */
export function transpose3(a: Mat3): Mat3 {
  return [a[0]!, a[3]!, a[6]!, a[1]!, a[4]!, a[7]!, a[2]!, a[5]!, a[8]!];
}

/** A + B. */
export function add3(a: Mat3, b: Mat3): Mat3 {
  return a.map((v, i) => v + b[i]!);
}

/** A·v. */
export function mulVec3(a: Mat3, v: readonly number[]): Vec3 {
  return [
    a[0]! * v[0]! + a[1]! * v[1]! + a[2]! * v[2]!,
    a[3]! * v[0]! + a[4]! * v[1]! + a[5]! * v[2]!,
    a[6]! * v[0]! + a[7]! * v[1]! + a[8]! * v[2]!,
  ];
}

/** The rotation part R and translation t of a row-major 4×4 world→camera matrix. */
export function splitViewmat(viewmat: ArrayLike<number>): { r: Mat3; t: Vec3 } {
  const m = viewmat;
  return {
    r: [m[0]!, m[1]!, m[2]!, m[4]!, m[5]!, m[6]!, m[8]!, m[9]!, m[10]!],
    t: [m[3]!, m[7]!, m[11]!],
  };
}

/**
 * Rotation matrix of the normalised quaternion (w, x, y, z) — the INRIA/gsplat formula.
 * The caller normalises.
 */
export function quatToMat(w: number, x: number, y: number, z: number): Mat3 {
  return [
    1 - 2 * (y * y + z * z),
    2 * (x * y - w * z),
    2 * (x * z + w * y),
    2 * (x * y + w * z),
    1 - 2 * (x * x + z * z),
    2 * (y * z - w * x),
    2 * (x * z - w * y),
    2 * (y * z + w * x),
    1 - 2 * (x * x + y * y),
  ];
}

/**
 * Backward of {@link quatToMat}: given dL/dR (row-major), returns dL/d(w, x, y, z) of the
 * normalised quaternion.
 */
export function quatToMatBackward(
  w: number,
  x: number,
  y: number,
  z: number,
  dR: Mat3,
): [number, number, number, number] {
  const [g00, g01, g02, g10, g11, g12, g20, g21, g22] = dR as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const dw = 2 * (-z * g01 + y * g02 + z * g10 - x * g12 - y * g20 + x * g21);
  const dx =
    2 * (y * g01 + z * g02 + y * g10 - 2 * x * g11 - w * g12 + z * g20 + w * g21 - 2 * x * g22);
  const dy =
    2 * (-2 * y * g00 + x * g01 + w * g02 + x * g10 + z * g12 - w * g20 + z * g21 - 2 * y * g22);
  const dz =
    2 * (-2 * z * g00 - w * g01 + x * g02 + w * g10 - 2 * z * g11 + y * g12 + x * g20 + y * g21);
  return [dw, dx, dy, dz];
}

/** Backward of v̂ = v/|v|: dL/dv = (dL/dv̂ − v̂ (v̂·dL/dv̂)) / |v|. */
export function normalizeBackward(v: readonly number[], dHat: readonly number[]): number[] {
  const n = Math.hypot(...v);
  const hat = v.map((x) => x / n);
  const dot = hat.reduce((s, h, i) => s + h * dHat[i]!, 0);
  return hat.map((h, i) => (dHat[i]! - h * dot) / n);
}
