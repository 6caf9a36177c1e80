/** Central finite differences of the reference loss, guarded against discontinuities. */
import type { GaussianParams } from "../../../src/contracts/gaussians.js";
import type { Camera } from "../../../src/train/types.js";
import { lossReference, renderReference } from "../../../src/train/reference/index.js";

/**
 * The loss plus a signature of every discrete decision the forward made (which splats contribute
 * where, the α clamp, the colour clamp, the Jacobian clamp, the L1 sign). A central difference
 * whose two sides have different signatures straddles a kink or a jump and is not comparable.
 */
export function lossWithSignature(
  params: GaussianParams<Float64Array>,
  camera: Camera,
  target: Float64Array,
): { loss: number; signature: string } {
  const render = renderReference(params, camera);
  const loss = lossReference(render.image, target, camera.width, camera.height);
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
  for (let i = 0; i < target.length; i++) signs += render.image[i]! >= target[i]! ? "1" : "0";
  parts.push(signs);
  return { loss: loss.loss, signature: parts.join("|") };
}

export type GroupKey = "means" | "logScales" | "quats" | "opacityLogits" | "sh";

/** FD estimate of dL/d params[key][index], or null when the step crosses a discontinuity. */
export function finiteDifference(
  params: GaussianParams<Float64Array>,
  camera: Camera,
  target: Float64Array,
  key: GroupKey,
  index: number,
  h: number,
  baseSignature: string,
): number | null {
  const arr = params[key];
  const saved = arr[index]!;
  arr[index] = saved + h;
  const plus = lossWithSignature(params, camera, target);
  arr[index] = saved - h;
  const minus = lossWithSignature(params, camera, target);
  arr[index] = saved;
  if (plus.signature !== baseSignature || minus.signature !== baseSignature) return null;
  return (plus.loss - minus.loss) / (2 * h);
}
