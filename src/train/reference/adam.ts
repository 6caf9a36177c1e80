/**
 * Reference Adam step (PyTorch/3DGS form, dense: every parameter is updated each step, zero
 * gradients included, so moments of unseen splats decay as in INRIA's optimiser).
 */
import { shCoeffCount, type GaussianParams } from "../../contracts/gaussians.js";
import { type LearningRates } from "../types.js";
import { REFERENCE_CONVENTIONS } from "./conventions.js";

/** Learning rates per parameter group (shDC = coefficient 0, shRest = coefficients ≥ 1). */
export type AdamGroupRates = LearningRates;

type Arrays = Omit<
  GaussianParams<Float32Array | Float64Array>,
  "count" | "shDegree" | "maxShDegree" | "antialiased"
>;

/**
 * One Adam step in place on `params`, `m` and `v`; `step` is the number of steps taken before this
 * one (the bias correction uses step + 1). Returns the new step count.
 */
export function adamStepReference(
  params: GaussianParams<Float32Array | Float64Array>,
  grads: Arrays,
  m: Arrays,
  v: Arrays,
  step: number,
  lr: LearningRates,
): number {
  const { adamBeta1: b1, adamBeta2: b2, adamEps: eps } = REFERENCE_CONVENTIONS;
  const t = step + 1;
  const bc1 = 1 - b1 ** t;
  const bc2 = 1 - b2 ** t;
  const update = (key: keyof Arrays, index: number, rate: number) => {
    const g = grads[key][index]!;
    const mi = b1 * m[key][index]! + (1 - b1) * g;
    const vi = b2 * v[key][index]! + (1 - b2) * g * g;
    m[key][index] = mi;
    v[key][index] = vi;
    params[key][index] = params[key][index]! - (rate * (mi / bc1)) / (Math.sqrt(vi / bc2) + eps);
  };
  const simple: [keyof Arrays, number][] = [
    ["means", lr.means],
    ["logScales", lr.logScales],
    ["quats", lr.quats],
    ["opacityLogits", lr.opacityLogits],
  ];
  for (const [key, rate] of simple) {
    for (let i = 0; i < params[key].length; i++) update(key, i, rate);
  }
  const K3 = shCoeffCount(params.maxShDegree) * 3;
  for (let i = 0; i < params.sh.length; i++) update("sh", i, i % K3 < 3 ? lr.shDC : lr.shRest);
  return t;
}
