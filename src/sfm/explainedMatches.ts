/**
 * How much of the matching evidence a model explains. Every verified match between two
 * registered images must satisfy the epipolar geometry of their poses in a right model; on
 * repeated structure a wrong model (a photo, or a group of photos, placed on the far side of a
 * ring of identical façades) explains the matches to the look-alike views and contradicts those
 * to the true neighbours. A group flipped together still shares tracks among itself, so the
 * per-image track share (src/sfm/misplaced.ts) misses it; its true neighbours' matches stay
 * unexplained all the same. So two models of the same database compare by the number of its
 * verified matches they explain: independent of which pairs each mapping was allowed to use, and
 * of the mapper's own reprojection error, which a wrong model can match.
 */
import Database from "better-sqlite3";
import { readCamerasBin, readImagesBin } from "./colmapBinary.js";
import type { SceneCamera } from "../contracts/sceneModel.js";
import { MIN_PAIR_INLIERS } from "./misplaced.js";

/** COLMAP's pair id: image_id1 · 2147483647 + image_id2 (id1 < id2). */
const PAIR_ID_BASE = 2147483647;
/**
 * A match is explained when its Sampson distance under the model's poses is within COLMAP's own
 * two-view verification threshold (`max_error`, 4 px): the matches are inliers of some epipolar
 * geometry at that error, so a model with the right relative pose keeps them at it.
 */
export const MAX_EPIPOLAR_ERROR_PX = 4;

/** What a model explains of a database's verified matches among its registered images. */
export interface Explained {
  /** Verified matches (pairs with ≥ MIN_PAIR_INLIERS) between two registered images. */
  matches: number;
  /** Those within MAX_EPIPOLAR_ERROR_PX of the model's epipolar geometry. */
  explained: number;
  /** Per registered image id: its matches and how many the model explains. */
  perImage: Map<number, { matches: number; explained: number }>;
  /** Per verified pair of registered images (COLMAP pair id, image ids). */
  pairs: { id: number; a: number; b: number; matches: number; explained: number }[];
}

/** Normalised image coordinates (radial distortion of COLMAP's radial models removed). */
function normaliser(cam: SceneCamera): (x: number, y: number) => [number, number] {
  const radial = /^(SIMPLE_RADIAL|RADIAL)$/.test(cam.model) ? cam.params.slice(3, 5) : [];
  const [k1, k2] = [radial[0] ?? 0, radial[1] ?? 0];
  return (x, y) => {
    const [u, v] = [(x - cam.cx) / cam.fx, (y - cam.cy) / cam.fy];
    if (k1 === 0 && k2 === 0) return [u, v];
    let [a, b] = [u, v];
    for (let i = 0; i < 10; i++) {
      const r2 = a * a + b * b;
      const d = 1 + k1 * r2 + k2 * r2 * r2;
      [a, b] = [u / d, v / d];
    }
    return [a, b];
  };
}

/** Rotation rows and translation of a world → camera matrix (4×4 row-major). */
const poseOf = (m: ArrayLike<number>) => ({
  R: [0, 1, 2].map((r) => [m[r * 4]!, m[r * 4 + 1]!, m[r * 4 + 2]!]),
  t: [m[3]!, m[7]!, m[11]!],
});

/** Essential matrix of camera b relative to camera a: x_bᵀ E x_a = 0. */
export function essential(va: ArrayLike<number>, vb: ArrayLike<number>): number[][] {
  const [a, b] = [poseOf(va), poseOf(vb)];
  // R = R_b R_aᵀ, t = t_b − R t_a.
  const R = [0, 1, 2].map((i) =>
    [0, 1, 2].map((j) => b.R[i]!.reduce((s, x, k) => s + x * a.R[j]![k]!, 0)),
  );
  const t = [0, 1, 2].map((i) => b.t[i]! - R[i]!.reduce((s, x, k) => s + x * a.t[k]!, 0));
  const tx = [
    [0, -t[2]!, t[1]!],
    [t[2]!, 0, -t[0]!],
    [-t[1]!, t[0]!, 0],
  ];
  return tx.map((row) => [0, 1, 2].map((j) => row.reduce((s, x, k) => s + x * R[k]![j]!, 0)));
}

/** Squared Sampson distance of normalised points p (in a) and q (in b) under E. */
export function sampson2(E: number[][], p: [number, number], q: [number, number]): number {
  const Ep = E.map((r) => r[0]! * p[0] + r[1]! * p[1] + r[2]!);
  const Etq = [0, 1, 2].map((j) => E[0]![j]! * q[0] + E[1]![j]! * q[1] + E[2]![j]!);
  const num = q[0] * Ep[0]! + q[1] * Ep[1]! + Ep[2]!;
  const den = Ep[0]! ** 2 + Ep[1]! ** 2 + Etq[0]! ** 2 + Etq[1]! ** 2;
  // Same centre (a pure rotation): no epipolar constraint to break.
  return den > 0 ? (num * num) / den : 0;
}

/** Keypoint x, y of the given images (COLMAP's keypoints table: float32 rows × cols). */
function readKeypoints(db: Database.Database, ids: Iterable<number>): Map<number, Float32Array> {
  const get = db.prepare("SELECT rows, cols, data FROM keypoints WHERE image_id = ?");
  const out = new Map<number, Float32Array>();
  for (const id of ids) {
    const row = get.get(id) as { rows: number; cols: number; data: Buffer } | undefined;
    if (!row || row.rows === 0) continue;
    const all = new Float32Array(new Uint8Array(row.data).buffer, 0, row.rows * row.cols);
    const xy = new Float32Array(row.rows * 2);
    for (let k = 0; k < row.rows; k++) {
      xy[2 * k] = all[k * row.cols]!;
      xy[2 * k + 1] = all[k * row.cols + 1]!;
    }
    out.set(id, xy);
  }
  return out;
}

/** Counts the verified matches of `dbPath` that the model in `modelDir` explains. */
export async function explainedMatches(dbPath: string, modelDir: string): Promise<Explained> {
  const [cameras, images] = await Promise.all([readCamerasBin(modelDir), readImagesBin(modelDir)]);
  const byId = new Map(images.map((im) => [im.id, im]));
  const perImage = new Map(images.map((im) => [im.id, { matches: 0, explained: 0 }]));
  const db = new Database(dbPath, { readonly: true });
  let [matches, explained] = [0, 0];
  const pairs: Explained["pairs"] = [];
  try {
    const kps = readKeypoints(db, byId.keys());
    const rows = db
      .prepare("SELECT pair_id, rows, data FROM two_view_geometries WHERE rows >= ?")
      .all(MIN_PAIR_INLIERS) as { pair_id: number; rows: number; data: Buffer }[];
    for (const r of rows) {
      const [a, b] = [Math.floor(r.pair_id / PAIR_ID_BASE), r.pair_id % PAIR_ID_BASE];
      const [ia, ib, ka, kb] = [byId.get(a), byId.get(b), kps.get(a), kps.get(b)];
      if (!ia || !ib || !ka || !kb) continue;
      const [ca, cb] = [cameras.get(ia.cameraId)!, cameras.get(ib.cameraId)!];
      const [na, nb] = [normaliser(ca), normaliser(cb)];
      // Normalised distances back to pixels at the two cameras' mean focal length.
      const f = (ca.fx + ca.fy + cb.fx + cb.fy) / 4;
      const limit = (MAX_EPIPOLAR_ERROR_PX / f) ** 2;
      const E = essential(ia.viewmat, ib.viewmat);
      const idx = new Uint32Array(new Uint8Array(r.data).buffer, 0, r.rows * 2);
      let n = 0;
      for (let m = 0; m < r.rows; m++) {
        const [pa, pb] = [idx[2 * m]!, idx[2 * m + 1]!];
        const p = na(ka[2 * pa]!, ka[2 * pa + 1]!);
        const q = nb(kb[2 * pb]!, kb[2 * pb + 1]!);
        if (sampson2(E, p, q) <= limit) n++;
      }
      matches += r.rows;
      explained += n;
      pairs.push({ id: r.pair_id, a, b, matches: r.rows, explained: n });
      for (const id of [a, b]) {
        const s = perImage.get(id)!;
        s.matches += r.rows;
        s.explained += n;
      }
    }
  } finally {
    db.close();
  }
  return { matches, explained, perImage, pairs };
}
