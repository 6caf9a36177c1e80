/** The pinhole prior of a camera from its 35 mm-equivalent focal length or a default field of view. */
import type { Intrinsics } from "../contracts/manifest.js";
import { ManifestGenerationParamsSchema } from "../contracts/params.js";

/** Field of view assumed along the long side of the frame when a video records no focal length. */
export const DEFAULT_FOV_DEG = ManifestGenerationParamsSchema.shape.defaultFovDeg.def.defaultValue;
/**
 * Diagonal of the 36 × 24 mm frame of 35 mm film (43.27 mm). A 35 mm-equivalent focal length
 * (EXIF FocalLengthIn35mmFormat, QuickTime's 35mm_equivalent) gives the picture the diagonal
 * field of view that focal length gives on that frame: makers and exiftool scale by the ratio of
 * diagonals (the crop factor), so on a 4:3 or 16:9 picture the long side does not span 36 mm.
 */
export const FILM_DIAGONAL_MM = Math.hypot(36, 24);

/** Focal length in pixels of a `width`×`height` picture whose 35 mm equivalent is `f35` mm. */
export function focalPxFrom35mm(f35: number, width: number, height: number): number {
  return (f35 / FILM_DIAGONAL_MM) * Math.hypot(width, height);
}

function deg(rad: number): number {
  return (rad * 180) / Math.PI;
}

/**
 * Pinhole prior for frames of `width`×`height`, square pixels, principal point at the centre.
 *
 * - With a 35 mm-equivalent focal length f35 (phones record it): the picture's diagonal stands
 *   for the film frame's 43.27 mm diagonal, so f_px = f35 / 43.27 · diagonal in pixels (on a
 *   3:2 picture the same as f35 / 36 · long side; on a 4:3 one 4 % longer).
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
    ? focalPxFrom35mm(focal35mm, width, height)
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
