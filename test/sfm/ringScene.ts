/**
 * A ring of photos around a courtyard whose far side repeats its near side (every point has a
 * twin turned half a turn about the vertical axis), written as COLMAP would: a database with
 * keypoints and verified matches, and binary models with chosen poses. True matches join the
 * same point in neighbouring photos; look-alike matches join a point in one photo with its twin
 * in the photo nearest the opposite side, as SIFT matches identical façades.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { gaussian } from "../../src/util/geodesy.js";
import { mulberry32 } from "../../src/util/random.js";
import { cross, norm, quaternionFromRotation, sub, unit } from "../../src/sfm/georef/similarity.js";
import type { Mat3Rows, Vec3 } from "../../src/sfm/georef/similarity.js";

export const F = 800;
export const [W, H] = [1000, 750];

/** A camera pose: world → camera rotation rows and centre. */
export interface Pose {
  R: Mat3Rows;
  C: Vec3;
}

/** Half a turn about the vertical (z) axis. */
export const turn = (p: readonly number[]): Vec3 => [-p[0]!, -p[1]!, p[2]!];

/** The pose of a camera half a turn round the ring: it sees each twin where `p` sees the point. */
export function flipped(p: Pose): Pose {
  return { R: p.R.map((r) => turn(r)) as Mat3Rows, C: turn(p.C) };
}

export function lookAt(C: Vec3, target: Vec3): Pose {
  const f = unit(sub(target, C));
  const right = unit(cross(f, [0, 0, 1]));
  return { R: [right, cross(f, right), f], C };
}

function project(p: Pose, X: Vec3): [number, number] | null {
  const d = sub(X, p.C);
  const [x, y, z] = p.R.map((r) => r[0]! * d[0] + r[1]! * d[1] + r[2]! * d[2]);
  if (!(z! > 0.5)) return null;
  const [u, v] = [F * (x! / z!) + W / 2, F * (y! / z!) + H / 2];
  return u >= 0 && u < W && v >= 0 && v < H ? [u, v] : null;
}

export interface RingScene {
  poses: Pose[];
  /** Verified pairs: image indices (0-based) and keypoint index pairs. */
  pairs: { a: number; b: number; matches: [number, number][]; lookAlike: boolean }[];
  keypoints: Float32Array[];
}

/** `n` photos on a wobbly ring of radius ~6 m looking at the middle; façade points at 12 m. */
export function ringScene(n: number, seed: number): RingScene {
  const rand = mulberry32(seed);
  const half: Vec3[] = [];
  for (let i = 0; i < 300; i++) {
    const a = Math.PI * 2 * rand();
    half.push([12 * Math.cos(a), 12 * Math.sin(a), 6 * rand()]);
  }
  for (let i = 0; i < 60; i++) half.push([gaussian(rand), gaussian(rand), 1 + rand()]);
  const points = [...half, ...half.map(turn)];
  const twin = (k: number) => (k < half.length ? k + half.length : k - half.length);
  const poses = Array.from({ length: n }, (_, i) => {
    const a = (2 * Math.PI * i) / n + 0.05 * gaussian(rand);
    const r = 6 + 0.5 * rand();
    const C: Vec3 = [r * Math.cos(a), r * Math.sin(a), 1.5 + 0.2 * rand()];
    return lookAt(C, [0.5 * gaussian(rand), 0.5 * gaussian(rand), 1.5]);
  });
  // Each image's keypoints: the points it sees, with 0.3 px of noise.
  const index = poses.map(() => new Map<number, number>());
  const keypoints = poses.map((p, i) => {
    const xy: number[] = [];
    points.forEach((X, k) => {
      const uv = project(p, X);
      if (!uv) return;
      index[i]!.set(k, xy.length / 2);
      xy.push(uv[0] + 0.3 * gaussian(rand), uv[1] + 0.3 * gaussian(rand));
    });
    return Float32Array.from(xy);
  });
  const pairs: RingScene["pairs"] = [];
  const link = (a: number, b: number, lookAlike: boolean) => {
    const matches: [number, number][] = [];
    for (const [k, ka] of index[a]!) {
      const kb = index[b]!.get(lookAlike ? twin(k) : k);
      if (kb !== undefined) matches.push([ka, kb]);
    }
    if (matches.length >= 15) pairs.push({ a, b, matches, lookAlike });
  };
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const step = Math.min(b - a, n - (b - a));
      if (step <= 3) link(a, b, false);
      // The photo nearest the opposite side: its view of the twins is this one's view.
      else if (step === Math.floor(n / 2)) link(a, b, true);
    }
  }
  return { poses, pairs, keypoints };
}

const pairId = (a: number, b: number) => Math.min(a, b) * 2147483647 + Math.max(a, b);

/** The database (image ids = index + 1). */
export function writeRingDatabase(path: string, s: RingScene): void {
  const db = new Database(path);
  db.exec(
    "CREATE TABLE keypoints (image_id INTEGER PRIMARY KEY NOT NULL, rows INTEGER NOT NULL, " +
      "cols INTEGER NOT NULL, data BLOB)",
  );
  db.exec(
    "CREATE TABLE two_view_geometries (pair_id INTEGER PRIMARY KEY NOT NULL, rows INTEGER NOT NULL, " +
      "cols INTEGER NOT NULL, data BLOB, config INTEGER NOT NULL)",
  );
  const kp = db.prepare("INSERT INTO keypoints VALUES (?, ?, 2, ?)");
  s.keypoints.forEach((xy, i) => kp.run(i + 1, xy.length / 2, Buffer.from(xy.buffer)));
  const put = db.prepare("INSERT INTO two_view_geometries VALUES (?, ?, 2, ?, 2)");
  for (const p of s.pairs) {
    const data = Uint32Array.from(p.matches.flat());
    put.run(pairId(p.a + 1, p.b + 1), p.matches.length, Buffer.from(data.buffer));
  }
  db.close();
}

/** cameras.bin (one PINHOLE camera) and images.bin with the given poses, into `dir`. */
export function writeRingModel(dir: string, poses: readonly Pose[]): void {
  mkdirSync(dir, { recursive: true });
  const cam = Buffer.alloc(8 + 4 + 4 + 16 + 4 * 8);
  cam.writeBigUInt64LE(1n, 0);
  cam.writeUInt32LE(1, 8);
  cam.writeInt32LE(1, 12); // PINHOLE
  cam.writeBigUInt64LE(BigInt(W), 16);
  cam.writeBigUInt64LE(BigInt(H), 24);
  [F, F, W / 2, H / 2].forEach((v, i) => cam.writeDoubleLE(v, 32 + 8 * i));
  writeFileSync(join(dir, "cameras.bin"), cam);
  const parts: Buffer[] = [];
  const count = Buffer.alloc(8);
  count.writeBigUInt64LE(BigInt(poses.length));
  parts.push(count);
  poses.forEach((p, i) => {
    const head = Buffer.alloc(4 + 7 * 8 + 4);
    head.writeUInt32LE(i + 1, 0);
    const q = quaternionFromRotation(p.R);
    const t = p.R.map((r) => -(r[0]! * p.C[0] + r[1]! * p.C[1] + r[2]! * p.C[2]));
    [...q, ...t].forEach((v, k) => head.writeDoubleLE(v, 4 + 8 * k));
    head.writeUInt32LE(1, 4 + 56);
    parts.push(head, Buffer.from(`img${i + 1}.jpg\0`), Buffer.alloc(8)); // no 2D points
  });
  writeFileSync(join(dir, "images.bin"), Buffer.concat(parts));
}

export const spread = (poses: readonly Pose[]) =>
  Math.max(...poses.map((p) => Math.max(...poses.map((q) => norm(sub(p.C, q.C))))));
