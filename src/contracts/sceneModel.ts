/**
 * The one camera/scene description every reader produces (COLMAP binary, COLMAP text, nerfstudio
 * transforms.json; src/sfm) and the trainer consumes (src/train). Cameras follow OpenCV/COLMAP
 * (x right, y down, z forward) with a row-major world→camera `viewmat`.
 */

import type { Vec3 } from "../util/vec3.js";

export type { Vec3 };

/** Camera centre in world coordinates, c = −Rᵀt, of a row-major world→camera `viewmat`. */
export function cameraCentre(viewmat: ArrayLike<number>): Vec3 {
  const v = viewmat;
  const t = [v[3]!, v[7]!, v[11]!];
  return [
    -(v[0]! * t[0]! + v[4]! * t[1]! + v[8]! * t[2]!),
    -(v[1]! * t[0]! + v[5]! * t[1]! + v[9]! * t[2]!),
    -(v[2]! * t[0]! + v[6]! * t[1]! + v[10]! * t[2]!),
  ];
}

/** A camera (intrinsics) shared by one or more images. */
export interface SceneCamera {
  id: number;
  /** COLMAP model name, e.g. PINHOLE, SIMPLE_RADIAL, OPENCV. */
  model: string;
  width: number;
  height: number;
  /** The model's parameters in COLMAP order (focal lengths, principal point, distortion). */
  params: number[];
  fx: number;
  fy: number;
  cx: number;
  cy: number;
}

/** One posed image. */
export interface SceneImage {
  id: number;
  /** Name as stored in the model (relative to the images folder, may contain sub-folders). */
  name: string;
  /** Absolute path of the image file. */
  imagePath: string;
  cameraId: number;
  /** World→camera, row-major 4×4 (OpenCV convention). */
  viewmat: Float64Array;
}

/** Sparse points (COLMAP points3D or a nerfstudio point cloud). */
export interface ScenePoints {
  count: number;
  /** Point ids (COLMAP point3D_id; the index for point clouds). */
  ids: Float64Array;
  /** x, y, z per point. */
  xyz: Float64Array;
  /** r, g, b per point. */
  rgb: Uint8Array;
  /** Mean reprojection error per point in pixels; -1 where unknown. */
  error: Float64Array;
  /** Number of observations per point; 0 where unknown. */
  trackLength: Uint32Array;
  /**
   * The image ids observing each point, concatenated in point order (point i's run is
   * trackLength[i] long): which views really see a point. Absent where the source has no tracks.
   */
  trackImageIds?: Uint32Array;
}

/** A calibrated scene: cameras, posed images and sparse points. */
export interface SceneModel {
  /** Which reader produced it. */
  format: "colmap-bin" | "colmap-txt" | "transforms";
  /** The folder or file the model was read from. */
  modelPath: string;
  /** Folder image names are relative to. */
  imagesDir: string;
  cameras: Map<number, SceneCamera>;
  /** Sorted by name, so held-out selection (every n-th image) is stable across readers. */
  images: SceneImage[];
  points: ScenePoints;
}
