import type { SceneCamera } from "../contracts/sceneModel.js";
import { SplatbookError } from "../util/errors.js";

/** A COLMAP camera model: its numeric id in the binary format, name and parameter count. */
export interface CameraModelInfo {
  id: number;
  name: string;
  numParams: number;
}

/** COLMAP's camera models (src/colmap/sensor/models.h), in id order. */
export const CAMERA_MODELS: readonly CameraModelInfo[] = [
  { id: 0, name: "SIMPLE_PINHOLE", numParams: 3 }, // f, cx, cy
  { id: 1, name: "PINHOLE", numParams: 4 }, // fx, fy, cx, cy
  { id: 2, name: "SIMPLE_RADIAL", numParams: 4 }, // f, cx, cy, k
  { id: 3, name: "RADIAL", numParams: 5 }, // f, cx, cy, k1, k2
  { id: 4, name: "OPENCV", numParams: 8 }, // fx, fy, cx, cy, k1, k2, p1, p2
  { id: 5, name: "OPENCV_FISHEYE", numParams: 8 }, // fx, fy, cx, cy, k1, k2, k3, k4
  { id: 6, name: "FULL_OPENCV", numParams: 12 }, // fx, fy, cx, cy, k1..k2, p1, p2, k3..k6
  { id: 7, name: "FOV", numParams: 5 }, // fx, fy, cx, cy, omega
  { id: 8, name: "SIMPLE_RADIAL_FISHEYE", numParams: 4 }, // f, cx, cy, k
  { id: 9, name: "RADIAL_FISHEYE", numParams: 5 }, // f, cx, cy, k1, k2
  { id: 10, name: "THIN_PRISM_FISHEYE", numParams: 12 }, // fx, fy, cx, cy, k1, k2, p1, p2, k3, k4, sx1, sy1
  { id: 11, name: "RAD_TAN_THIN_PRISM_FISHEYE", numParams: 16 }, // COLMAP ≥ 3.11
];

const byId = new Map(CAMERA_MODELS.map((m) => [m.id, m]));
const byName = new Map(CAMERA_MODELS.map((m) => [m.name, m]));

/** Model by binary id; throws naming the file when unknown. */
export function cameraModelById(id: number, file: string): CameraModelInfo {
  const m = byId.get(id);
  if (!m) throw new SplatbookError(`${file}: unknown COLMAP camera model id ${id}`, { file });
  return m;
}

/** Model by name; throws naming the file when unknown. */
export function cameraModelByName(name: string, file: string): CameraModelInfo {
  const m = byName.get(name);
  if (!m) throw new SplatbookError(`${file}: unknown COLMAP camera model "${name}"`, { file });
  return m;
}

/**
 * Focal lengths and principal point of a model's parameters: the single-focal models (SIMPLE_*,
 * RADIAL*) store f, cx, cy first; every other model stores fx, fy, cx, cy first.
 */
export function pinholePart(
  model: string,
  params: readonly number[],
): { fx: number; fy: number; cx: number; cy: number } {
  const singleFocal =
    model.startsWith("SIMPLE_") || model === "RADIAL" || model === "RADIAL_FISHEYE";
  if (singleFocal) return { fx: params[0]!, fy: params[0]!, cx: params[1]!, cy: params[2]! };
  return { fx: params[0]!, fy: params[1]!, cx: params[2]!, cy: params[3]! };
}

/** A camera as both COLMAP model formats describe it, with its pinhole part read from `params`. */
export function sceneCamera(
  id: number,
  model: string,
  width: number,
  height: number,
  params: number[],
): SceneCamera {
  return { id, model, width, height, params, ...pinholePart(model, params) };
}
