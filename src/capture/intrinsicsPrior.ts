/** The pinhole prior of a camera from its 35 mm-equivalent focal length or a default field of view. */
import type { Intrinsics } from "../contracts/manifest.js";
import { ManifestGenerationParamsSchema } from "../contracts/params.js";

/** Field of view assumed along the long side of the frame when a video records no focal length. */
export const DEFAULT_FOV_DEG = ManifestGenerationParamsSchema.shape.defaultFovDeg.def.defaultValue;
/** Width of 35 mm film; a 35 mm-equivalent focal length is taken relative to it. */
const FILM_LONG_SIDE_MM = 36;

function deg(rad: number): number {
  return (rad * 180) / Math.PI;
}

/**
 * Pinhole prior for frames of `width`×`height`, square pixels, principal point at the centre.
 *
 * - With a 35 mm-equivalent focal length f35 (phones record it): the frame's long side stands
 *   for the 36 mm side of the film, so f_px = f35 / 36 · long side.
 * - Otherwise a default field of view across the long side (65° by default, a typical phone main
 *   camera in landscape): f_px = (long side / 2) / tan(fov / 2). Using the long side keeps
 *   portrait videos from getting a lens twice as wide.
 */
export function intrinsicsPrior(
  width: number,
  height: number,
  focal35mm: number | null,
  defaultFovDeg: number = DEFAULT_FOV_DEG,
): Intrinsics {
  const longSide = Math.max(width, height);
  const fromMetadata = focal35mm !== null && focal35mm > 0;
  const f = fromMetadata
    ? (focal35mm / FILM_LONG_SIDE_MM) * longSide
    : longSide / 2 / Math.tan(((defaultFovDeg / 2) * Math.PI) / 180);
  return {
    model: "PINHOLE",
    fx: f,
    fy: f,
    cx: width / 2,
    cy: height / 2,
    width,
    height,
    source: fromMetadata ? "metadata" : "default_fov",
    horizontal_fov_deg: 2 * deg(Math.atan(width / 2 / f)),
  };
}
