/**
 * Writes a binary COLMAP model in the local frame: every image pose and point position of a
 * model folder replaced by the corresponding raw pose and position (by id) mapped through a
 * similarity, everything else (cameras, 2-D observations, colours, errors, tracks) kept byte for
 * byte. The raw model is the source each time, so writing again is harmless (resume).
 *
 * Poses: x_cam = Rᵢ·x + tᵢ in the raw frame, x' = s·R·x + t in the local one; the camera frame is
 * scaled with the world (depths in metres), so Rᵢ' = Rᵢ·Rᵀ and tᵢ' = s·tᵢ − Rᵢ'·t.
 */
import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SplatbookError } from "../../util/errors.js";
import {
  matMul,
  mulMat,
  quaternionFromRotation,
  rotationFromQuaternion,
  transpose,
  type Similarity,
  type Vec3,
} from "./similarity.js";

interface PoseRecord {
  id: number;
  /** Byte offset of qw (then qx qy qz tx ty tz, 7 float64). */
  at: number;
}

interface PointRecord {
  id: bigint;
  /** Byte offset of x (then y z, 3 float64). */
  at: number;
}

function truncated(file: string): never {
  throw new SplatbookError(`${file}: truncated (COLMAP binary model)`, { file });
}

/** Offsets of every image's pose in images.bin. */
function imagePoses(buf: Buffer, file: string): PoseRecord[] {
  const out: PoseRecord[] = [];
  let o = 0;
  const need = (n: number) => {
    if (o + n > buf.length) truncated(file);
  };
  need(8);
  const count = Number(buf.readBigUInt64LE(0));
  o = 8;
  for (let i = 0; i < count; i++) {
    need(4 + 56 + 4);
    out.push({ id: buf.readUInt32LE(o), at: o + 4 });
    o += 4 + 56 + 4;
    const end = buf.indexOf(0, o);
    if (end < 0) truncated(file);
    o = end + 1;
    need(8);
    const n2d = Number(buf.readBigUInt64LE(o));
    o += 8 + n2d * 24;
    if (o > buf.length) truncated(file);
  }
  return out;
}

/** Offsets of every point's position in points3D.bin. */
function pointPositions(buf: Buffer, file: string): PointRecord[] {
  const out: PointRecord[] = [];
  if (buf.length < 8) truncated(file);
  const count = Number(buf.readBigUInt64LE(0));
  let o = 8;
  for (let i = 0; i < count; i++) {
    if (o + 8 + 24 + 3 + 8 + 8 > buf.length) truncated(file);
    out.push({ id: buf.readBigUInt64LE(o), at: o + 8 });
    o += 8 + 24 + 3 + 8;
    const track = Number(buf.readBigUInt64LE(o));
    o += 8 + track * 8;
    if (o > buf.length) truncated(file);
  }
  return out;
}

const readVec = (b: Buffer, at: number, n: number) =>
  Array.from({ length: n }, (_, k) => b.readDoubleLE(at + 8 * k));

function writeVec(b: Buffer, at: number, v: readonly number[]): void {
  v.forEach((x, k) => b.writeDoubleLE(x, at + 8 * k));
}

/** The pose of a raw world→camera (q, t) in the local frame of T. */
export function transformPose(q: readonly number[], t: readonly number[], T: Similarity) {
  const Ri = matMul(rotationFromQuaternion(q), transpose(T.R));
  const tr = mulMat(Ri, T.t);
  const ti: Vec3 = [T.s * t[0]! - tr[0], T.s * t[1]! - tr[1], T.s * t[2]! - tr[2]];
  return { q: quaternionFromRotation(Ri), t: ti };
}

async function readModelFile(dir: string, name: string): Promise<Buffer> {
  const file = join(dir, name);
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new SplatbookError(`${file}: cannot read (${code})`, { file });
  }
}

/** images.bin of `target` with each pose replaced by the raw model's, transformed. */
async function transformedImages(rawDir: string, targetDir: string, T: Similarity) {
  const raw = await readModelFile(rawDir, "images.bin");
  const out = await readModelFile(targetDir, "images.bin");
  const byId = new Map(imagePoses(raw, join(rawDir, "images.bin")).map((p) => [p.id, p.at]));
  for (const p of imagePoses(out, join(targetDir, "images.bin"))) {
    const at = byId.get(p.id);
    if (at === undefined) {
      throw new SplatbookError(`${targetDir}: image ${p.id} is not in the model at ${rawDir}`);
    }
    const pose = transformPose(readVec(raw, at, 4), readVec(raw, at + 32, 3), T);
    writeVec(out, p.at, [...pose.q, ...pose.t]);
  }
  return out;
}

/** points3D.bin of `target` with each position replaced by the raw model's, transformed. */
async function transformedPoints(rawDir: string, targetDir: string, T: Similarity) {
  const raw = await readModelFile(rawDir, "points3D.bin");
  const out = await readModelFile(targetDir, "points3D.bin");
  const byId = new Map(pointPositions(raw, join(rawDir, "points3D.bin")).map((p) => [p.id, p.at]));
  for (const p of pointPositions(out, join(targetDir, "points3D.bin"))) {
    const at = byId.get(p.id);
    if (at === undefined) {
      throw new SplatbookError(`${targetDir}: point ${p.id} is not in the model at ${rawDir}`);
    }
    const x = readVec(raw, at, 3);
    writeVec(
      out,
      p.at,
      [0, 1, 2].map(
        (r) => T.s * (T.R[r]![0] * x[0]! + T.R[r]![1] * x[1]! + T.R[r]![2] * x[2]!) + T.t[r]!,
      ),
    );
  }
  return out;
}

/**
 * Rewrites the binary model in `targetDir` (e.g. the undistorted model, whose cameras differ)
 * with the poses and points of the raw model in `rawDir` mapped through T. The folder is replaced
 * whole (written beside it, then renamed), so a reader never sees a half-transformed model.
 */
export async function writeModelInFrame(
  rawDir: string,
  targetDir: string,
  T: Similarity,
): Promise<void> {
  const old = `${targetDir}.replaced`;
  // A run killed between the two renames below left the previous model beside: put it back.
  if (!existsSync(targetDir) && existsSync(old)) await rename(old, targetDir);
  const images = await transformedImages(rawDir, targetDir, T);
  const points = await transformedPoints(rawDir, targetDir, T);
  const tmp = `${targetDir}.local-frame`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await copyFile(join(targetDir, "cameras.bin"), join(tmp, "cameras.bin"));
  await writeFile(join(tmp, "images.bin"), images);
  await writeFile(join(tmp, "points3D.bin"), points);
  await rm(old, { recursive: true, force: true });
  await rename(targetDir, old);
  await rename(tmp, targetDir);
  await rm(old, { recursive: true, force: true });
}
