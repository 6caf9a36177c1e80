/**
 * Synthetic georeferencing inputs from a corpus capture's true cameras: the truth moved into a
 * made-up "COLMAP" frame by a random similarity (what SfM's arbitrary frame is), GPS fixes drawn
 * around the true centres with the bench's noise and gross outliers, and registered cameras with
 * their image information as the georeferencing step reads them.
 */
import { enuToGeodetic, gaussian, type GeoPoint } from "../../../src/util/geodesy.js";
import type { CaptureTruth, TruthPose } from "../../../src/sample/truth.js";
import type { ImageInfo, RegisteredCamera } from "../../../src/sfm/georef/georeference.js";
import {
  applySimilarity,
  matMul,
  mulMat,
  rotationFromVector,
  transpose,
  unit,
  type Mat3Rows,
  type Similarity,
  type Vec3,
} from "../../../src/sfm/georef/similarity.js";

/** One true camera with a name and the GPS its file carries. */
export type TruthCamera = TruthPose & { name: string; gps: GeoPoint | null };

/** Every camera of a truth file: photos, then each video's frames ("<file>#<index>"). */
export function truthCameras(t: CaptureTruth): TruthCamera[] {
  return [
    ...t.photos.map((p) => ({ ...p, name: p.file })),
    ...t.videos.flatMap((v) => v.frames.map((f) => ({ ...f, name: `${v.file}#${f.index}` }))),
  ];
}

/** A random similarity (scale 0.05–20) taking true ENU metres to a made-up model frame. */
export function randomModelFrame(rand: () => number): Similarity {
  const axis = unit([gaussian(rand), gaussian(rand), gaussian(rand)]);
  const angle = rand() * Math.PI;
  return {
    s: Math.exp((rand() * 2 - 1) * Math.log(20)),
    R: rotationFromVector(axis.map((a) => a * angle)),
    t: [gaussian(rand) * 30, gaussian(rand) * 30, gaussian(rand) * 30],
  };
}

export { noisyFixes, type GpsNoise as FixNoise } from "../../../src/bench/gpsNoise.js";

/** A camera's world→camera rotation re-expressed in the model frame (x_model = M(x_world)). */
export function rotationInModel(cameraRotation: number[][], M: Similarity): Mat3Rows {
  return matMul(cameraRotation as Mat3Rows, transpose(M.R));
}

/** A world→camera 4×4 (row-major) of rotation R and centre c. */
export function viewmatOf(R: Mat3Rows, c: Vec3): number[] {
  const t = mulMat(R, c).map((x) => -x);
  return [...R[0], t[0]!, ...R[1], t[1]!, ...R[2], t[2]!, 0, 0, 0, 1];
}

/**
 * The truth's cameras as a reconstruction in model frame M, with image information whose fixes
 * are `fixes` (world ENU metres from `origin`, null for none) and whose pitch is `pitch(i)`.
 */
export function registeredCameras(
  cams: readonly TruthCamera[],
  M: Similarity,
  o: {
    origin: GeoPoint;
    fixes: readonly (Vec3 | null)[];
    pitch?: (i: number) => number | null;
    source?: string;
  },
): { cams: RegisteredCamera[]; infos: Map<string, ImageInfo> } {
  const infos = new Map<string, ImageInfo>();
  const reg = cams.map((k, i) => {
    const fix = o.fixes[i];
    infos.set(k.name, {
      file: k.name.split("#")[0]!,
      ...(k.name.includes("#") ? { frame: Number(k.name.split("#")[1]), timeSecs: null } : {}),
      gps: fix ? enuToGeodetic(o.origin, fix) : null,
      source: fix ? (o.source ?? "exif") : null,
      heightRef: "msl",
      pitchDeg: o.pitch?.(i) ?? null,
      accuracy: null,
    });
    const R = rotationInModel(k.rotation, M);
    return { name: k.name, viewmat: viewmatOf(R, applySimilarity(M, k.centre)) };
  });
  return { cams: reg, infos };
}

/** The small drone survey the end-to-end tests process (4 rows × 8 nadir photos, 4 obliques). */
export const SMALL_SURVEY = {
  name: "drone-survey-small",
  rows: 4,
  perRow: 8,
  obliques: 4,
  width: 360,
  height: 240,
};
