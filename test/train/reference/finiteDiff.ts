/** Central finite differences of the reference loss, guarded against discontinuities. */
import type { GaussianParams } from "../../../src/contracts/gaussians.js";
import type { Camera } from "../../../src/train/types.js";
import {
  applyAppearance,
  lossReference,
  renderReference,
  type LossOptions,
} from "../../../src/train/reference/index.js";

/**
 * The loss plus a signature of every discrete decision the forward made (which splats contribute
 * where, the α clamp, the colour clamp, the Jacobian clamp, the appearance clip, the L1 sign). A central difference
 * whose two sides have different signatures straddles a kink or a jump and is not comparable.
 */
export function lossWithSignature(
  params: GaussianParams<Float64Array>,
  camera: Camera,
  target: Float64Array,
  opts: LossOptions = {},
): { loss: number; signature: string } {
  const render = renderReference(params, camera, opts);
  const shown = opts.appearance ? applyAppearance(render.image, opts.appearance) : render.image;
  const loss = lossReference(shown, target, camera.width, camera.height);
  const parts: string[] = [];
  for (const list of render.fragments) {
    parts.push(
      list.map((f) => `${render.projected[f.slot]!.index}${f.clamped ? "c" : ""}`).join(","),
    );
  }
  for (const ps of render.projected) {
    parts.push(
      `${ps.index}:${ps.rawRgb.map((v) => (v >= 0 ? "+" : "-")).join("")}${ps.clampedX}${ps.clampedY}`,
    );
  }
  let signs = "";
  for (let i = 0; i < target.length; i++) signs += shown[i]! >= target[i]! ? "1" : "0";
  parts.push(signs);
  // The appearance transform clips its output to [0, 1]: which pixels sit on a bound is a kink.
  if (opts.appearance)
    parts.push(Array.from(shown, (v) => (v <= 0 ? "l" : v >= 1 ? "h" : "m")).join(""));
  return { loss: loss.loss, signature: parts.join("|") };
}

export type GroupKey = "means" | "logScales" | "quats" | "opacityLogits" | "sh" | "appearance";

/** FD estimate of dL/d params[key][index], or null when the step crosses a discontinuity. */
export function finiteDifference(
  params: GaussianParams<Float64Array>,
  camera: Camera,
  target: Float64Array,
  key: GroupKey,
  index: number,
  h: number,
  baseSignature: string,
  opts: LossOptions = {},
): number | null {
  const arr = key === "appearance" ? (opts.appearance as Float64Array) : params[key];
  const saved = arr[index]!;
  arr[index] = saved + h;
  const plus = lossWithSignature(params, camera, target, opts);
  arr[index] = saved - h;
  const minus = lossWithSignature(params, camera, target, opts);
  arr[index] = saved;
  if (plus.signature !== baseSignature || minus.signature !== baseSignature) return null;
  return (plus.loss - minus.loss) / (2 * h);
}
