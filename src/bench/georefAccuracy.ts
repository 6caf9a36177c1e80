/**
 * How right a georeference is, against the renderer's true cameras: the fitted camera positions
 * against the true ones in the record's own ENU frame (through WGS84, so a different origin is
 * no excuse), the orientation (heading about z, tilt of z) from the cameras' rotations, and the
 * scale against the one the true centres give.
 */
import type { Georef } from "../contracts/georef.js";
import type { CaptureTruth, TruthPose } from "../sample/truth.js";
import { cameraCentre } from "../sfm/sceneModel.js";
import {
  applySimilarity,
  matMul,
  mulMat,
  norm,
  sub,
  transpose,
  umeyama,
  type Mat3Rows,
  type Similarity,
  type Vec3,
} from "../sfm/georef/similarity.js";
import { enuToGeodetic, geodeticToEnu } from "../util/geodesy.js";
import { Matrix, SingularValueDecomposition } from "ml-matrix";

/** A reconstructed camera with its true pose. */
export interface TruthPair {
  name: string;
  /** COLMAP's world → camera matrix (4×4 row-major). */
  viewmat: ArrayLike<number>;
  truth: TruthPose;
}

/** The figures of one georeference. */
export interface GeorefAccuracy {
  /** Camera position error, metres: RMSE in 3-D and horizontally, mean vertical offset. */
  rmse: number;
  rmseHorizontal: number;
  verticalBias: number;
  /** Orientation error, degrees: rotation about z, and angle between the frame's z and up. */
  headingDeg: number;
  tiltDeg: number;
  /** Scale error, percent (null when the record has no scale). */
  scalePct: number | null;
}

const DEG = 180 / Math.PI;

/** The rotation (rows) of a 4×4 row-major world → camera matrix. */
export function rotationOf(v: ArrayLike<number>): Mat3Rows {
  return [0, 1, 2].map((r) => [v[r * 4]!, v[r * 4 + 1]!, v[r * 4 + 2]!]) as Mat3Rows;
}

/** The rotation nearest to the sum of rotations (their chordal mean). */
function meanRotation(rs: readonly Mat3Rows[]): Mat3Rows {
  const S = [0, 1, 2].map((r) => [0, 1, 2].map((c) => rs.reduce((a, R) => a + R[r]![c]!, 0)));
  const svd = new SingularValueDecomposition(new Matrix(S));
  const R = svd.leftSingularVectors.mmul(svd.rightSingularVectors.transpose()).to2DArray();
  return R as Mat3Rows;
}

/** True centres in the record's ENU frame (through the truth's geodetic mapping). */
function truthInRecordFrame(g: Georef, truth: CaptureTruth, pairs: readonly TruthPair[]): Vec3[] {
  const o = g.origin;
  if (!o || !truth.geo) return pairs.map((p) => p.truth.centre);
  const origin = { latitude: o.lat, longitude: o.lon, altitude: o.height };
  return pairs.map((p) => geodeticToEnu(origin, enuToGeodetic(truth.geo!.origin, p.truth.centre)));
}

/**
 * The accuracy of the similarity `T` (COLMAP → local) the record `g` describes. Positions are
 * compared only for a GPS frame (a gravity frame has no place on Earth); orientation always.
 */
export function georefAccuracy(
  g: Georef,
  T: Similarity,
  truth: CaptureTruth,
  pairs: readonly TruthPair[],
): GeorefAccuracy {
  const fitted = pairs.map((p) => applySimilarity(T, cameraCentre(p.viewmat)));
  const real = truthInRecordFrame(g, truth, pairs);
  const d = fitted.map((f, i) => sub(f, real[i]!));
  const rms = (xs: number[]) =>
    Math.sqrt(xs.reduce((a, x) => a + x * x, 0) / Math.max(1, xs.length));
  // Camera → local rotation, estimated and true; their mean difference is the frame's error.
  const deltas = pairs.map((p) => {
    const est = matMul(T.R, transpose(rotationOf(p.viewmat)));
    return matMul(est, p.truth.rotation as Mat3Rows);
  });
  const D = meanRotation(deltas);
  const z = mulMat(D, [0, 0, 1]);
  const trueScale = umeyama(
    pairs.map((p) => cameraCentre(p.viewmat)),
    pairs.map((p) => p.truth.centre),
  )?.s;
  const gps = g.method === "gps";
  return {
    rmse: gps ? rms(d.map(norm)) : Number.NaN,
    rmseHorizontal: gps ? rms(d.map((v) => Math.hypot(v[0], v[1]))) : Number.NaN,
    verticalBias: gps ? d.reduce((a, v) => a + v[2], 0) / Math.max(1, d.length) : Number.NaN,
    headingDeg: Math.atan2(D[1][0] - D[0][1], D[0][0] + D[1][1]) * DEG,
    tiltDeg: Math.acos(Math.min(1, Math.max(-1, z[2]))) * DEG,
    scalePct: g.scale !== null && trueScale ? (T.s / trueScale - 1) * 100 : null,
  };
}
