/** Random tiny scenes for the GPU-vs-reference tests (seeds from test/seed.ts). */
import {
  allocateParams,
  shCoeffCount,
  type GaussianParams,
} from "../../../src/contracts/gaussians.js";
import { type Camera, type ImageRGB } from "../../../src/train/types.js";

/** A camera at the origin looking down +z, slightly rotated so all matrix terms matter. */
export function randomCamera(rand: () => number, width: number, height: number): Camera {
  const a = (rand() - 0.5) * 0.2;
  const b = (rand() - 0.5) * 0.2;
  const ca = Math.cos(a),
    sa = Math.sin(a),
    cb = Math.cos(b),
    sb = Math.sin(b);
  // R = Ry(b)·Rx(a)
  const r = [cb, sb * sa, sb * ca, 0, ca, -sa, -sb, cb * sa, cb * ca];
  const t = [(rand() - 0.5) * 0.2, (rand() - 0.5) * 0.2, (rand() - 0.5) * 0.2];
  const f = 0.9 * width;
  return {
    width,
    height,
    fx: f,
    fy: f * (0.95 + 0.1 * rand()),
    cx: width / 2 + (rand() - 0.5) * 2,
    cy: height / 2 + (rand() - 0.5) * 2,
    viewmat: [
      r[0]!,
      r[1]!,
      r[2]!,
      t[0]!,
      r[3]!,
      r[4]!,
      r[5]!,
      t[1]!,
      r[6]!,
      r[7]!,
      r[8]!,
      t[2]!,
      0,
      0,
      0,
      1,
    ],
  };
}

/** `count` splats spread in front of the camera (some partly off-screen). */
export function randomParams(
  rand: () => number,
  count: number,
  maxShDegree: number,
  shDegree = maxShDegree,
): GaussianParams {
  const K = shCoeffCount(maxShDegree);
  const p = allocateParams(count, maxShDegree, shDegree);
  for (let i = 0; i < count; i++) {
    const z = 2 + rand() * 3;
    p.means.set([(rand() - 0.5) * 1.4 * z, (rand() - 0.5) * 1.1 * z, z], i * 3);
    for (let k = 0; k < 3; k++) p.logScales[i * 3 + k] = Math.log(0.03 + rand() * 0.15);
    for (let k = 0; k < 4; k++) p.quats[i * 4 + k] = rand() * 2 - 1;
    p.opacityLogits[i] = (rand() - 0.3) * 4;
    for (let k = 0; k < K * 3; k++) p.sh[i * K * 3 + k] = (rand() - 0.5) * (k < 3 ? 2 : 0.5);
  }
  return p;
}

/** A random smooth-ish target image. */
export function randomImage(rand: () => number, width: number, height: number): ImageRGB {
  const data = new Float32Array(width * height * 3);
  const f = [rand() * 0.3, rand() * 0.3, rand() * 0.3];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++)
        data[(y * width + x) * 3 + c] =
          0.5 + 0.4 * Math.sin(x * f[c]! + y * f[(c + 1) % 3]! + c) * rand();
  return { width, height, data };
}

/** max |a − b| / max(max |b|, floor): relative error on the scale of the reference values. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-12): number {
  let maxDiff = 0;
  let maxRef = floor;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    maxDiff = Number.isNaN(d) ? Infinity : Math.max(maxDiff, d);
    maxRef = Math.max(maxRef, Math.abs(b[i]!));
  }
  if (a.length !== b.length) return Infinity;
  return maxDiff / maxRef;
}
