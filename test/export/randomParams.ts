/** Random float32 Gaussian parameters for the exporter tests (seeds from test/seed.ts). */
import { type GaussianParams, allocateParams } from "../../src/contracts/gaussians.js";
import { makeRandom } from "../seed.js";

export function randomParams(seed: number, count: number, maxShDegree: number): GaussianParams {
  const rand = makeRandom(seed);
  const u = (lo: number, hi: number) => lo + (hi - lo) * rand();
  const p = allocateParams(count, maxShDegree);
  p.means.forEach((_, i) => (p.means[i] = u(-10, 10)));
  p.logScales.forEach((_, i) => (p.logScales[i] = u(-6, 1)));
  p.quats.forEach((_, i) => (p.quats[i] = u(-2, 2)));
  p.opacityLogits.forEach((_, i) => (p.opacityLogits[i] = u(-6, 6)));
  p.sh.forEach((_, i) => (p.sh[i] = u(-2, 2)));
  return p;
}
