/**
 * Host-side layouts shared with the WGSL kernels: the flat parameter array (groups in
 * GaussianParams order) and the camera uniform block.
 */
import {
  TILE_SIZE,
  shCoeffCount,
  type AdamState,
  type Camera,
  type GaussianParams,
} from "../types.js";

/** Parameter groups in the order they are laid out in the flat GPU array. */
export const GROUPS = ["means", "logScales", "quats", "opacityLogits", "sh"] as const;
export type Group = (typeof GROUPS)[number];

/** Floats per splat of each group. */
export function groupWidths(maxShDegree: number): Record<Group, number> {
  return { means: 3, logScales: 3, quats: 4, opacityLogits: 1, sh: shCoeffCount(maxShDegree) * 3 };
}

/** Total floats of the flat array for `count` splats. */
export function flatLength(count: number, maxShDegree: number): number {
  return count * (11 + shCoeffCount(maxShDegree) * 3);
}

/** Packs grouped arrays (params, moments or gradients) into one flat Float32Array. */
export function packFlat(
  groups: Pick<GaussianParams<Float32Array | Float64Array>, Group>,
  count: number,
  maxShDegree: number,
): Float32Array {
  const out = new Float32Array(flatLength(count, maxShDegree));
  const widths = groupWidths(maxShDegree);
  let offset = 0;
  for (const g of GROUPS) {
    const n = count * widths[g];
    if (groups[g].length < n) throw new Error(`parameter group ${g} is too short`);
    out.set(groups[g].subarray(0, n), offset);
    offset += n;
  }
  return out;
}

/** Splits a flat array back into groups (views copied into fresh arrays). */
export function unpackFlat(
  flat: Float32Array,
  count: number,
  maxShDegree: number,
): Pick<GaussianParams, Group> {
  const widths = groupWidths(maxShDegree);
  let offset = 0;
  const out = {} as Pick<GaussianParams, Group>;
  for (const g of GROUPS) {
    const n = count * widths[g];
    out[g] = flat.slice(offset, offset + n);
    offset += n;
  }
  return out;
}

/** Tiles across and down for an image size. */
export function tileGrid(width: number, height: number): [number, number] {
  return [Math.ceil(width / TILE_SIZE), Math.ceil(height / TILE_SIZE)];
}

/** The `Camera` uniform block of splat_common.wgsl (112 bytes). */
export function cameraUniform(
  camera: Camera,
  count: number,
  shDegree: number,
  maxShDegree: number,
): Uint32Array {
  const u = new Uint32Array(28);
  const f = new Float32Array(u.buffer);
  const m = camera.viewmat;
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) f[r * 4 + c] = m[r * 4 + c]!;
  f[12] = camera.fx;
  f[13] = camera.fy;
  f[14] = camera.cx;
  f[15] = camera.cy;
  f[16] = camera.width;
  f[17] = camera.height;
  const [tx, ty] = tileGrid(camera.width, camera.height);
  u[18] = tx;
  u[19] = ty;
  u[20] = camera.width;
  u[21] = camera.height;
  u[22] = count;
  u[23] = Math.min(shDegree, maxShDegree);
  u[24] = shCoeffCount(maxShDegree);
  return u;
}

/** Zero Adam state shaped like `count` splats. */
export function zeroAdamState(count: number, maxShDegree: number): AdamState {
  const zeros = () =>
    unpackFlat(new Float32Array(flatLength(count, maxShDegree)), count, maxShDegree);
  return { step: 0, m: zeros(), v: zeros() };
}
