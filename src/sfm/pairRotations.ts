/**
 * Each verified pair's relative rotation, from the essential matrix COLMAP 3.8 stores with the
 * pair (its two_view_geometries table leaves qvec/tvec empty): the decomposition whose inlier
 * matches lie in front of both cameras.
 */
import Database from "better-sqlite3";
import { mulM3, svd3, transposeM3, type M3, type RelativeRotation } from "./rotationAveraging.js";

const PAIR_ID_BASE = 2147483647;

/** A pair's relative pose: x_b = R x_a + t (t unit), with its inlier count. */
export interface RelativePose extends RelativeRotation {
  t: number[];
}

const blob = (b: Buffer, T: "f64" | "f32" | "u32") => {
  const copy = b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
  return T === "f64"
    ? new Float64Array(copy)
    : T === "f32"
      ? new Float32Array(copy)
      : new Uint32Array(copy);
};

/** The four (R, t) of an essential matrix E = [t]× R. */
export function decomposeEssential(E: M3): { R: M3; t: number[] }[] {
  const { U, V } = svd3(E);
  const W: M3 = [
    [0, -1, 0],
    [1, 0, 0],
    [0, 0, 1],
  ];
  const R1 = mulM3(mulM3(U, W), transposeM3(V));
  const R2 = mulM3(mulM3(U, transposeM3(W)), transposeM3(V));
  const t = [U[0]![2]!, U[1]![2]!, U[2]![2]!];
  const neg = t.map((x) => -x);
  return [
    { R: R1, t },
    { R: R1, t: neg },
    { R: R2, t },
    { R: R2, t: neg },
  ];
}

/** Matches (normalised points) in front of both cameras under (R, t). */
export function inFront(R: M3, t: number[], pa: number[][], pb: number[][]): number {
  let n = 0;
  for (let i = 0; i < pa.length; i++) {
    const xa = [pa[i]![0]!, pa[i]![1]!, 1];
    const xb = [pb[i]![0]!, pb[i]![1]!, 1];
    const rxa = [0, 1, 2].map((r) => R[r]![0]! * xa[0]! + R[r]![1]! * xa[1]! + R[r]![2]!);
    // zb xb − za R xa = t, least squares for (za, zb).
    const a11 = rxa.reduce((s, x) => s + x * x, 0);
    const a12 = -rxa.reduce((s, x, k) => s + x * xb[k]!, 0);
    const a22 = xb.reduce((s, x) => s + x * x, 0);
    const b1 = -rxa.reduce((s, x, k) => s + x * t[k]!, 0);
    const b2 = xb.reduce((s, x, k) => s + x * t[k]!, 0);
    const D = a11 * a22 - a12 * a12;
    if (Math.abs(D) < 1e-12) continue;
    const za = (b1 * a22 - a12 * b2) / D;
    const zb = (a11 * b2 - a12 * b1) / D;
    if (za > 0 && zb > 0) n++;
  }
  return n;
}

/**
 * Relative poses of the database's verified pairs with at least `minInliers` matches, keyed by
 * image ids, with the camera intrinsics `cameras` (id → fx, fy, cx, cy) used to normalise.
 */
export function readRelativePoses(
  dbPath: string,
  cameras: ReadonlyMap<number, { fx: number; fy: number; cx: number; cy: number }>,
  minInliers: number,
): RelativePose[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const camOf = new Map<number, number>();
    for (const r of db.prepare("SELECT image_id, camera_id FROM images").all() as {
      image_id: number;
      camera_id: number;
    }[])
      camOf.set(r.image_id, r.camera_id);
    const kpStmt = db.prepare("SELECT rows, cols, data FROM keypoints WHERE image_id = ?");
    const kps = new Map<number, { cols: number; data: Float32Array }>();
    const keypoints = (id: number) => {
      let k = kps.get(id);
      if (!k) {
        const r = kpStmt.get(id) as { rows: number; cols: number; data: Buffer } | undefined;
        k = r
          ? { cols: r.cols, data: blob(r.data, "f32") as Float32Array }
          : { cols: 2, data: new Float32Array() };
        kps.set(id, k);
      }
      return k;
    };
    const out: RelativePose[] = [];
    const rows = db
      .prepare(
        "SELECT pair_id, rows, data, E FROM two_view_geometries WHERE rows >= ? AND config > 1",
      )
      .all(minInliers) as { pair_id: number; rows: number; data: Buffer; E: Buffer | null }[];
    for (const r of rows) {
      if (!r.E || r.E.length !== 72) continue;
      const b = r.pair_id % PAIR_ID_BASE;
      const a = (r.pair_id - b) / PAIR_ID_BASE;
      const ca = cameras.get(camOf.get(a) ?? -1);
      const cb = cameras.get(camOf.get(b) ?? -1);
      if (!ca || !cb) continue;
      const e = blob(r.E, "f64");
      const E: M3 = [0, 1, 2].map((i) => [e[3 * i]!, e[3 * i + 1]!, e[3 * i + 2]!]);
      if (!E.flat().some((x) => x !== 0)) continue;
      const m = blob(r.data, "u32");
      const [ka, kb] = [keypoints(a), keypoints(b)];
      const pa: number[][] = [];
      const pb: number[][] = [];
      for (let i = 0; i < r.rows; i++) {
        const [ia, ib] = [m[2 * i]!, m[2 * i + 1]!];
        pa.push([
          (ka.data[ia * ka.cols]! - ca.cx) / ca.fx,
          (ka.data[ia * ka.cols + 1]! - ca.cy) / ca.fy,
        ]);
        pb.push([
          (kb.data[ib * kb.cols]! - cb.cx) / cb.fx,
          (kb.data[ib * kb.cols + 1]! - cb.cy) / cb.fy,
        ]);
      }
      let best = { R: E, t: [0, 0, 0], n: -1 };
      for (const c of decomposeEssential(E)) {
        const n = inFront(c.R, c.t, pa, pb);
        if (n > best.n) best = { ...c, n };
      }
      out.push({ a, b, R: best.R, t: best.t, weight: r.rows });
    }
    return out;
  } finally {
    db.close();
  }
}
