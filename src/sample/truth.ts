/**
 * The renderer's true cameras for a corpus capture, written beside the capture as
 * `<capture folder>.truth.json` (format "splatbook-capture-truth", version 1; README, "The
 * capture corpus"). Benchmarks compare reconstructions against it; georeferencing checks use its
 * renderer-world → geographic mapping.
 *
 * World frame: right-handed metres, x east, y north, z up. POV-Ray's scene frame is left-handed
 * with y up; a scene point (x, y, z) is (x, z, y) here. Cameras follow COLMAP's convention:
 * `rotation` (rows) and `translation` map world to camera coordinates (x right, y down, z
 * forward), `centre` = −Rᵀt, `qvec` is R as a unit quaternion (w, x, y, z). Intrinsics are of the
 * upright (displayed) picture in pixels, pixel centres at +0.5 (POV-Ray's and COLMAP's).
 */
import type { GeoPoint } from "../util/geodesy.js";
import { cross, sub, unit, type Vec3 } from "../util/vec3.js";
import type { CameraPose } from "./cameraPaths.js";

/** Format name and version of the truth file. */
export const TRUTH_FORMAT = "splatbook-capture-truth";
export const TRUTH_VERSION = 1;

/** A pinhole camera with square pixels, as the renderer projects. */
export interface TruthIntrinsics {
  model: "PINHOLE";
  width: number;
  height: number;
  fx: number;
  fy: number;
  cx: number;
  cy: number;
}

/** One true camera pose. */
export interface TruthPose {
  centre: [number, number, number];
  /** World → camera rotation, rows. */
  rotation: number[][];
  translation: [number, number, number];
  qvec: [number, number, number, number];
}

/** A photo: its file (relative to the capture folder), pose, intrinsics and written GPS. */
export interface TruthPhoto extends TruthPose {
  file: string;
  intrinsics: TruthIntrinsics;
  /** EXIF orientation the file carries (1: stored upright). */
  orientation: number;
  /** The GPS written into its EXIF (with noise), or null. */
  gps: GeoPoint | null;
}

/** One frame of a video: its 0-based index and presentation time. */
export interface TruthFrame extends TruthPose {
  index: number;
  time_secs: number;
  /** The telemetry fix written for this frame (with noise), or null. */
  gps: GeoPoint | null;
}

/** A video's frames. */
export interface TruthVideo {
  file: string;
  fps: number;
  intrinsics: TruthIntrinsics;
  frames: TruthFrame[];
}

/** How world metres map to the Earth for captures whose files carry GPS. */
export interface TruthGeo {
  /** The geodetic point at the world origin. */
  origin: GeoPoint;
  /** How a world point becomes geodetic. */
  method: string;
  /** Noise added to the written positions (metres, one sigma) and its seed. */
  noise: { horizontal_m: number; vertical_m: number; seed: number };
}

/** The whole truth file. */
export interface CaptureTruth {
  format: typeof TRUTH_FORMAT;
  version: typeof TRUTH_VERSION;
  capture: string;
  world: string;
  camera_convention: string;
  geo: TruthGeo | null;
  photos: TruthPhoto[];
  videos: TruthVideo[];
}

/** The `world` and `camera_convention` lines every truth file carries. */
export const TRUTH_WORLD =
  "right-handed metres: x east, y north, z up; POV-Ray scene point (x, y, z) is (x, z, y)";
export const TRUTH_CAMERA_CONVENTION =
  "COLMAP: rotation (rows) and translation map world to camera (x right, y down, z forward); " +
  "centre = -rotation^T translation; qvec = rotation as (w, x, y, z)";

/** A POV-Ray scene vector in the truth's world frame. */
export function povToWorld(v: Vec3): [number, number, number] {
  return [v[0], v[2], v[1]];
}

/** A rotation matrix as a unit quaternion (w, x, y, z), w ≥ 0. */
export function rotationToQuaternion(r: number[][]): [number, number, number, number] {
  const [m00, m01, m02] = r[0]!;
  const [m10, m11, m12] = r[1]!;
  const [m20, m21, m22] = r[2]!;
  const tr = m00! + m11! + m22!;
  let q: [number, number, number, number];
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    q = [s / 4, (m21! - m12!) / s, (m02! - m20!) / s, (m10! - m01!) / s];
  } else if (m00! > m11! && m00! > m22!) {
    const s = Math.sqrt(1 + m00! - m11! - m22!) * 2;
    q = [(m21! - m12!) / s, s / 4, (m01! + m10!) / s, (m02! + m20!) / s];
  } else if (m11! > m22!) {
    const s = Math.sqrt(1 + m11! - m00! - m22!) * 2;
    q = [(m02! - m20!) / s, (m01! + m10!) / s, s / 4, (m12! + m21!) / s];
  } else {
    const s = Math.sqrt(1 + m22! - m00! - m11!) * 2;
    q = [(m10! - m01!) / s, (m02! + m20!) / s, (m12! + m21!) / s, s / 4];
  }
  return q[0] < 0 ? (q.map((x) => -x) as typeof q) : q;
}

/**
 * The true camera of a POV-Ray pose (`location`, `look_at`, `sky`): POV-Ray points `right` along
 * sky × direction and `up` along direction × right; image x runs along right, image y against up.
 */
export function truthPose(pose: CameraPose): TruthPose {
  const d = unit(sub(pose.lookAt, pose.location));
  const right = unit(cross(pose.sky, d));
  const up = cross(d, right);
  const down: Vec3 = [-up[0], -up[1], -up[2]];
  const rotation = [povToWorld(right), povToWorld(down), povToWorld(d)];
  const centre = povToWorld(pose.location);
  const translation = rotation.map(
    (row) => -(row[0]! * centre[0] + row[1]! * centre[1] + row[2]! * centre[2]),
  ) as [number, number, number];
  return { centre, rotation, translation, qvec: rotationToQuaternion(rotation) };
}

/** Square-pixel intrinsics of a `width`×`height` picture with horizontal field of view `fovDeg`. */
export function truthIntrinsics(width: number, height: number, fovDeg: number): TruthIntrinsics {
  const f = width / 2 / Math.tan((fovDeg * Math.PI) / 360);
  return { model: "PINHOLE", width, height, fx: f, fy: f, cx: width / 2, cy: height / 2 };
}

/** A truth file's skeleton with the fixed lines filled in. */
export function emptyTruth(capture: string, geo: TruthGeo | null = null): CaptureTruth {
  return {
    format: TRUTH_FORMAT,
    version: TRUTH_VERSION,
    capture,
    world: TRUTH_WORLD,
    camera_convention: TRUTH_CAMERA_CONVENTION,
    geo,
    photos: [],
    videos: [],
  };
}

/** The truth of a video rendered from `poses` (frame i at time i / fps). */
export function truthVideo(
  file: string,
  fps: number,
  intrinsics: TruthIntrinsics,
  poses: readonly CameraPose[],
  gps: readonly (GeoPoint | null)[] = [],
): TruthVideo {
  return {
    file,
    fps,
    intrinsics,
    frames: poses.map((p, index) => ({
      index,
      time_secs: index / fps,
      ...truthPose(p),
      gps: gps[index] ?? null,
    })),
  };
}
