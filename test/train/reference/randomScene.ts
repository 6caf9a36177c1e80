/** Seeded random tiny scenes for the reference tests (seeds from test/seed.ts). */
import {
  groupWidths,
  shCoeffCount,
  type GaussianParams,
  type ParamArrays,
} from "../../../src/contracts/gaussians.js";
import type { Camera } from "../../../src/train/types.js";
import { makeRandom } from "../../seed.js";

function uniform(rand: () => number, lo: number, hi: number): number {
  return lo + (hi - lo) * rand();
}

/** Rotation matrix (row-major) from axis-angle. */
function rotation(axis: number[], angle: number): number[] {
  const n = Math.hypot(...axis);
  const [x, y, z] = axis.map((v) => v / n) as [number, number, number];
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const t = 1 - c;
  return [
    t * x * x + c,
    t * x * y - s * z,
    t * x * z + s * y,
    t * x * y + s * z,
    t * y * y + c,
    t * y * z - s * x,
    t * x * z - s * y,
    t * y * z + s * x,
    t * z * z + c,
  ];
}

/**
 * A camera looking roughly along +z from near the origin, with a slightly rotated world, and
 * `count` splats in front of it.
 */
export function randomScene(
  seed: number,
  options: { count?: number; width?: number; height?: number; maxShDegree?: number } = {},
): { params: GaussianParams<Float64Array>; camera: Camera; target: Float64Array } {
  const rand = makeRandom(seed);
  const width = options.width ?? 24 + Math.floor(rand() * 16);
  const height = options.height ?? 20 + Math.floor(rand() * 16);
  const count = options.count ?? 6;
  const maxShDegree = options.maxShDegree ?? 3;
  const r = rotation([rand() - 0.5, rand() - 0.5, rand() - 0.5], uniform(rand, 0, 0.2));
  const tvec = [uniform(rand, -0.2, 0.2), uniform(rand, -0.2, 0.2), uniform(rand, -0.2, 0.2)];
  const viewmat = [
    r[0]!,
    r[1]!,
    r[2]!,
    tvec[0]!,
    r[3]!,
    r[4]!,
    r[5]!,
    tvec[1]!,
    r[6]!,
    r[7]!,
    r[8]!,
    tvec[2]!,
    0,
    0,
    0,
    1,
  ];
  const fx = uniform(rand, 0.8, 1.2) * width;
  const camera: Camera = {
    width,
    height,
    fx,
    fy: fx * uniform(rand, 0.95, 1.05),
    cx: width / 2 + uniform(rand, -2, 2),
    cy: height / 2 + uniform(rand, -2, 2),
    viewmat,
  };
  const K = shCoeffCount(maxShDegree);
  const arrays = Object.fromEntries(
    Object.entries(groupWidths(maxShDegree)).map(([g, width]) => [
      g,
      new Float64Array(count * width),
    ]),
  ) as ParamArrays<Float64Array>;
  const params: GaussianParams<Float64Array> = {
    count,
    shDegree: maxShDegree,
    maxShDegree,
    ...arrays,
  };
  // World points whose camera-space position is inside the view: p_world = Rᵀ(p_cam − t).
  for (let i = 0; i < count; i++) {
    const z = uniform(rand, 2, 5);
    const pc = [uniform(rand, -0.4, 0.4) * z, uniform(rand, -0.35, 0.35) * z, z];
    const d = pc.map((v, k) => v - tvec[k]!);
    for (let k = 0; k < 3; k++) {
      params.means[i * 3 + k] = r[k]! * d[0]! + r[3 + k]! * d[1]! + r[6 + k]! * d[2]!;
    }
    for (let k = 0; k < 3; k++) params.logScales[i * 3 + k] = Math.log(uniform(rand, 0.08, 0.4));
    for (let k = 0; k < 4; k++) params.quats[i * 4 + k] = uniform(rand, -1, 1);
    params.quats[i * 4] = 1 + rand(); // keep away from a zero-norm quaternion
    params.opacityLogits[i] = uniform(rand, -1.5, 1.5);
    for (let c = 0; c < 3; c++) params.sh[i * K * 3 + c] = uniform(rand, -0.8, 1.2);
    for (let j = 3; j < K * 3; j++) params.sh[i * K * 3 + j] = uniform(rand, -0.25, 0.25);
  }
  const target = new Float64Array(width * height * 3).map(() => rand());
  return { params, camera, target };
}
