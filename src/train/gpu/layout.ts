/**
 * Host-side layouts shared with the WGSL kernels: the flat parameter array (groups in
 * GaussianParams order) and the camera uniform block.
 */
import {
  PARAM_GROUPS,
  floatsPerSplat,
  groupWidths,
  shCoeffCount,
  type ParamArrays,
} from "../../contracts/gaussians.js";
import { TILE_SIZE, type AdamState, type Camera } from "../types.js";

/** Total floats of the flat array for `count` splats (groups in PARAM_GROUPS order). */
export function flatLength(count: number, maxShDegree: number): number {
  return count * floatsPerSplat(maxShDegree);
}

/** Packs grouped arrays (params, moments or gradients) into one flat Float32Array. */
export function packFlat(
  groups: ParamArrays<Float32Array | Float64Array>,
  count: number,
  maxShDegree: number,
): Float32Array {
  const out = new Float32Array(flatLength(count, maxShDegree));
  const widths = groupWidths(maxShDegree);
  let offset = 0;
  for (const g of PARAM_GROUPS) {
    const n = count * widths[g];
    if (groups[g].length < n) throw new Error(`parameter group ${g} is too short`);
    out.set(groups[g].subarray(0, n), offset);
    offset += n;
  }
  return out;
}

/** Splits a flat array back into groups (views copied into fresh arrays). */
export function unpackFlat(flat: Float32Array, count: number, maxShDegree: number): ParamArrays {
  const widths = groupWidths(maxShDegree);
  let offset = 0;
  const out = {} as ParamArrays;
  for (const g of PARAM_GROUPS) {
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
  flags = 0,
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
  u[25] = flags;
  return u;
}

/** Zero Adam state shaped like `count` splats. */
export function zeroAdamState(count: number, maxShDegree: number): AdamState {
  const zeros = () =>
    unpackFlat(new Float32Array(flatLength(count, maxShDegree)), count, maxShDegree);
  return { step: 0, m: zeros(), v: zeros() };
}
