/**
 * Pose accuracy of a reconstruction against the renderer's true cameras (the corpus truth file).
 * Centres: a similarity fitted to the camera centres (Horn's closed form; images registered in
 * the wrong place are counted and left out), each centre's error as % of the extent of the true
 * centres (the largest distance between two). Rotations: the error after the global rotation
 * that best aligns the rotations (src/bench/rotationGauge.ts, the standard figure), with the
 * error under the centre fit and the gauge-free relative error beside it. Per COLMAP camera: its
 * focal lengths against the true one.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Manifest } from "../contracts/manifest.js";
import type { SceneModel } from "../contracts/sceneModel.js";
import { loadColmapModel } from "../sfm/load.js";
import type { CaptureTruth, TruthIntrinsics, TruthPose } from "../sample/truth.js";
import { mulberry32 } from "../util/random.js";
import { fitSimilarity } from "./similarity.js";
import {
  angleDeg,
  chordalAlignment,
  relativeRotationErrors,
  rotationErrors,
  type RotationPair,
} from "./rotationGauge.js";
import { median } from "../util/median.js";

type V3 = [number, number, number];
type M3 = number[][];

/** One reconstructed image matched to its true camera. */
export interface PosePair {
  name: string;
  estR: M3;
  estC: V3;
  truth: TruthPose;
  intrinsics: TruthIntrinsics;
  cameraId: number;
}

/** The figures of one reconstruction. */
export interface PoseAccuracy {
  matched: number;
  /**
   * Images left out of the similarity fit as registered in the wrong place (beyond MISPLACED_PCT
   * or MISPLACED_DEG); the medians and maxima below still cover every matched image.
   */
  misplaced: number;
  /**
   * Rotation error after the global rotation that best aligns the cameras' rotations (chordal
   * mean over the images not misplaced; src/bench/rotationGauge.ts): the standard figure.
   */
  rotationDeg: { median: number; max: number };
  /** Rotation error after the similarity fitted to the centres (the figure reported before). */
  rotationCentreFitDeg: { median: number; max: number };
  /** Gauge-free: median angle between estimated and true relative rotations of camera pairs. */
  relativeRotationDeg: { median: number };
  /** The image with the largest rotation error (rotation gauge). */
  worstImage: string;
  centrePct: { median: number; max: number };
  /** Largest distance between two true camera centres (metres). */
  extent: number;
  /** Per COLMAP camera: focal lengths relative to the truth (fx/f − 1, fy/f − 1) in %. */
  focal: {
    cameraId: number;
    model: string;
    fx: number;
    fy: number;
    f: number;
    fxErrPct: number;
    fyErrPct: number;
    /** Median rotation error (rotation gauge) of this camera's images. */
    rotationMedianDeg: number;
  }[];
}

export { fitSimilarity };

/** Reads a truth file. */
export async function readTruth(path: string): Promise<CaptureTruth> {
  return JSON.parse(await readFile(path, "utf8")) as CaptureTruth;
}

/** A true camera and its intrinsics (of the rendered picture). */
export interface TruthCamera {
  pose: TruthPose;
  k: TruthIntrinsics;
}

/**
 * Every image of a job with its true camera, keyed by its name under `frames/`: a photo by its
 * source file, a video frame by its video and time (frame index = round(time × fps)).
 */
export function truthByImageName(
  manifest: Manifest,
  truth: CaptureTruth,
): Map<string, TruthCamera> {
  const byPath = new Map<string, TruthCamera>();
  for (const p of manifest.photos ?? []) {
    const t = truth.photos.find((x) => x.file === p.source);
    if (t) byPath.set(p.path.replace(/^frames\//, ""), { pose: t, k: t.intrinsics });
  }
  for (const v of manifest.videos) {
    const tv = truth.videos.find((x) => x.file === v.filename);
    if (!tv) continue;
    for (const f of v.frames) {
      if (f.timestamp_secs === null) continue;
      const frame = tv.frames[Math.round(f.timestamp_secs * tv.fps)];
      if (frame) byPath.set(f.path.replace(/^frames\//, ""), { pose: frame, k: tv.intrinsics });
    }
  }
  return byPath;
}

/** Pairs every image of the model with its true camera through the manifest. */
export function matchToTruth(
  model: SceneModel,
  manifest: Manifest,
  truth: CaptureTruth,
): PosePair[] {
  const byPath = truthByImageName(manifest, truth);
  const out: PosePair[] = [];
  for (const img of model.images) {
    const t = byPath.get(img.name);
    if (!t) continue;
    const m = img.viewmat;
    const R: M3 = [0, 1, 2].map((r) => [m[r * 4]!, m[r * 4 + 1]!, m[r * 4 + 2]!]);
    const tr = [m[3]!, m[7]!, m[11]!];
    const C = [0, 1, 2].map(
      (k) => -(R[0]![k]! * tr[0]! + R[1]![k]! * tr[1]! + R[2]![k]! * tr[2]!),
    ) as V3;
    out.push({
      name: img.name,
      estR: R,
      estC: C,
      truth: t.pose,
      intrinsics: t.k,
      cameraId: img.cameraId,
    });
  }
  return out;
}

const mul = (A: M3, B: M3): M3 =>
  A.map((r) => [0, 1, 2].map((j) => r[0]! * B[0]![j]! + r[1]! * B[1]![j]! + r[2]! * B[2]![j]!));
const transpose = (A: M3): M3 => [0, 1, 2].map((i) => [A[0]![i]!, A[1]![i]!, A[2]![i]!]);
const rotationPairs = (pairs: readonly PosePair[]): RotationPair[] =>
  pairs.map((p) => ({ estR: p.estR, trueR: p.truth.rotation }));

/** RMS distance of points from the line through the two farthest apart, over that distance. */
function offLine(ps: readonly V3[]): number {
  let [a, b, extent] = [ps[0]!, ps[0]!, 0];
  for (const p of ps)
    for (const q of ps) {
      const d = Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
      if (d > extent) [a, b, extent] = [p, q, d];
    }
  const u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]].map((x) => x / (extent || 1));
  const sq = ps.map((p) => {
    const d = [p[0] - a[0], p[1] - a[1], p[2] - a[2]];
    const along = d[0]! * u[0]! + d[1]! * u[1]! + d[2]! * u[2]!;
    return d[0]! ** 2 + d[1]! ** 2 + d[2]! ** 2 - along * along;
  });
  return Math.sqrt(Math.max(0, sq.reduce((x, y) => x + y, 0) / ps.length)) / (extent || 1);
}

/** Centres this close to a line (RMS, fraction of the extent) leave a turn about it free. */
const COLLINEAR = 0.01;

/**
 * The similarity true → estimated frame: fitted to the camera centres; where the true centres lie
 * on a line (a straight drone pass), whose turn about that line the centres cannot fix, its
 * rotation is the one best matching the cameras' rotations (R_est·A ≈ R_true, chordal mean by
 * Horn's fit of their rows) and scale and offset follow from the centres.
 */
function alignment(pairs: readonly PosePair[]): { s: number; R: M3; t: V3 } {
  const trueC = pairs.map((p) => p.truth.centre);
  const estC = pairs.map((p) => p.estC);
  const fit = fitSimilarity(trueC, estC);
  if (offLine(trueC) >= COLLINEAR) return fit;
  // The L2 mean, as before: this fit is the centre-fit figure's (least squares throughout).
  const R = chordalAlignment(rotationPairs(pairs), (a, b) => fitSimilarity(a, b).R, 0);
  const mean = (ps: readonly V3[]) =>
    [0, 1, 2].map((k) => ps.reduce((acc, q) => acc + q[k]!, 0) / ps.length) as V3;
  const [mt, me] = [mean(trueC), mean(estC)];
  const rotated = trueC.map((c) =>
    R.map((r) => r[0]! * (c[0] - mt[0]) + r[1]! * (c[1] - mt[1]) + r[2]! * (c[2] - mt[2])),
  );
  let [num, den] = [0, 0];
  for (const [i, a] of rotated.entries()) {
    const d = estC[i]!.map((x, k) => x - me[k]!);
    num += a[0]! * d[0]! + a[1]! * d[1]! + a[2]! * d[2]!;
    den += a[0]! ** 2 + a[1]! ** 2 + a[2]! ** 2;
  }
  const scale = den > 0 ? num / den : fit.s;
  const Rm = R.map((r) => r[0]! * mt[0] + r[1]! * mt[1] + r[2]! * mt[2]);
  return { s: scale, R, t: [0, 1, 2].map((k) => me[k]! - scale * Rm[k]!) as V3 };
}

/**
 * An image whose centre lies further than this from the truth after the fit (% of the extent),
 * or whose rotation is off more than MISPLACED_DEG, is counted as misplaced (registered in the
 * wrong place, e.g. on a repeated façade) and left out of the fit: a least-squares fit over all
 * images lets two photos put on the far side of a ring turn every other one by ~1°.
 */
export const MISPLACED_PCT = 5;
export const MISPLACED_DEG = 5;

/** Per image: rotation error (°) and centre error (% of extent) under a similarity fit. */
function errorsUnder(
  pairs: readonly PosePair[],
  fit: { s: number; R: M3; t: V3 },
  extent: number,
): { rot: number[]; centre: number[] } {
  const { s, R: A, t: b } = fit;
  // true → estimated: C_est ≈ s·A·C_true + b, so R_est·A ≈ R_true.
  const rot = pairs.map((p) => angleDeg(mul(mul(p.estR, A), transpose(p.truth.rotation))));
  const At = transpose(A);
  const centre = pairs.map((p) => {
    const d = p.estC.map((x, k) => (x - b[k]!) / s);
    const back = At.map((r) => r[0]! * d[0]! + r[1]! * d[1]! + r[2]! * d[2]!);
    const c = p.truth.centre;
    return (100 * Math.hypot(back[0]! - c[0], back[1]! - c[1], back[2]! - c[2])) / extent;
  });
  return { rot, centre };
}

/** Triples of images tried as starting fits: all of them up to this many, else a seeded sample. */
const START_TRIPLES = 400;

/**
 * The similarity fitted to the images that are not misplaced. Start: of the fit to all images
 * and fits to triples of images, the one with the least median centre error (least median of
 * squares: robust while fewer than half are misplaced). Then keep the images within the
 * misplaced limits or 5× the median centre error (whichever is larger), refit, until the set
 * holds (at most 10 rounds; at least three images stay).
 */
function trimmedFit(pairs: readonly PosePair[], extent: number) {
  const fitOn = (used: readonly PosePair[]) => alignment(used);
  const n = pairs.length;
  const triples: [number, number, number][] = [];
  if ((n * (n - 1) * (n - 2)) / 6 <= START_TRIPLES) {
    for (let a = 0; a < n; a++)
      for (let b = a + 1; b < n; b++) for (let c = b + 1; c < n; c++) triples.push([a, b, c]);
  } else {
    const rand = mulberry32(n);
    while (triples.length < START_TRIPLES) {
      const t = [0, 0, 0].map(() => Math.floor(rand() * n)) as [number, number, number];
      if (new Set(t).size === 3) triples.push(t);
    }
  }
  let fit = fitOn(pairs);
  let best = median(errorsUnder(pairs, fit, extent).centre);
  for (const t of triples) {
    const f = fitOn(t.map((i) => pairs[i]!));
    if (!Number.isFinite(f.s) || f.s <= 0) continue;
    const m = median(errorsUnder(pairs, f, extent).centre);
    if (m < best) [fit, best] = [f, m];
  }
  let keep: boolean[] = [];
  for (let round = 0; round < 10; round++) {
    const e = errorsUnder(pairs, fit, extent);
    const limit = Math.max(MISPLACED_PCT, 5 * median(e.centre));
    const next = pairs.map((_, i) => e.centre[i]! <= limit && e.rot[i]! <= MISPLACED_DEG);
    if (next.filter(Boolean).length < 3 || next.every((k, i) => k === keep[i])) break;
    keep = next;
    fit = fitOn(pairs.filter((_, i) => keep[i]));
  }
  if (keep.length === 0) keep = pairs.map(() => true);
  return { fit, keep, misplaced: keep.filter((k) => !k).length };
}

/** The accuracy figures of matched images (at least three, not all in one place). */
export function poseAccuracy(
  pairs: readonly PosePair[],
  cameras: SceneModel["cameras"],
): PoseAccuracy {
  const trueC = pairs.map((p) => p.truth.centre);
  let extent = 0;
  for (const p of trueC)
    for (const q of trueC)
      extent = Math.max(extent, Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]));
  const { fit, keep, misplaced } = trimmedFit(pairs, extent);
  const { rot: rotCentreFit, centre } = errorsUnder(pairs, fit, extent);
  const rp = rotationPairs(pairs);
  const gauge = chordalAlignment(
    rp.filter((_, i) => keep[i]),
    (a, b) => fitSimilarity(a, b).R,
  );
  const rot = rotationErrors(rp, gauge);
  const relative = relativeRotationErrors(rp.filter((_, i) => keep[i]));
  const focal = [...new Set(pairs.map((p) => p.cameraId))].map((id) => {
    const cam = cameras.get(id)!;
    const k = pairs.find((p) => p.cameraId === id)!.intrinsics;
    const f = k.fx * (cam.width / k.width);
    const own = rot.filter((_, i) => pairs[i]!.cameraId === id);
    return {
      ...{ cameraId: id, model: cam.model, fx: cam.fx, fy: cam.fy, f },
      ...{ fxErrPct: 100 * (cam.fx / f - 1), fyErrPct: 100 * (cam.fy / f - 1) },
      rotationMedianDeg: median(own),
    };
  });
  return {
    matched: pairs.length,
    misplaced,
    rotationDeg: { median: median(rot), max: Math.max(...rot) },
    rotationCentreFitDeg: { median: median(rotCentreFit), max: Math.max(...rotCentreFit) },
    relativeRotationDeg: { median: relative.length ? median(relative) : 0 },
    worstImage: pairs[rot.indexOf(Math.max(...rot))]!.name,
    centrePct: { median: median(centre), max: Math.max(...centre) },
    extent,
    focal,
  };
}

/** The pose accuracy of a job's reconstruction (`<output>/colmap/sparse`) against a truth file. */
export async function jobPoseAccuracy(
  outputFolder: string,
  truthFile: string,
): Promise<PoseAccuracy> {
  const manifest = JSON.parse(
    await readFile(join(outputFolder, "manifest.json"), "utf8"),
  ) as Manifest;
  const model = await loadColmapModel(
    join(outputFolder, "colmap", "sparse"),
    join(outputFolder, "frames"),
  );
  const pairs = matchToTruth(model, manifest, await readTruth(truthFile));
  return poseAccuracy(pairs, model.cameras);
}

/** One line of figures, e.g. for the benchmark table. */
export function describeAccuracy(a: PoseAccuracy): string {
  const focal = a.focal
    .map(
      (f) =>
        `${f.model} ${f.fx.toFixed(1)}/${f.fy.toFixed(1)} vs ${f.f.toFixed(1)} px (${f.fxErrPct.toFixed(2)} %, ${f.fyErrPct.toFixed(2)} %; ${f.rotationMedianDeg.toFixed(3)}°)`,
    )
    .join("; ");
  return (
    (a.misplaced > 0 ? `${a.misplaced}/${a.matched} misplaced; ` : "") +
    `rotation ${a.rotationDeg.median.toFixed(3)}° median, ${a.rotationDeg.max.toFixed(3)}° max ` +
    `(${a.worstImage}; centre fit ${a.rotationCentreFitDeg.median.toFixed(3)}° / ` +
    `${a.rotationCentreFitDeg.max.toFixed(3)}°, relative ${a.relativeRotationDeg.median.toFixed(3)}°); ` +
    `centre ${a.centrePct.median.toFixed(3)} % median, ${a.centrePct.max.toFixed(3)} % max of ${a.extent.toFixed(1)} m; ` +
    `focal ${focal}`
  );
}
