import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { SplatbookError } from "../util/errors.js";
import { cameraModelById, sceneCamera } from "./cameraModels.js";
import {
  allocatePoints,
  growableU32,
  viewmatFromQuaternion,
  type SceneCamera,
  type ScenePoints,
} from "./sceneModel.js";

/** An image pose as stored in the model (image paths are resolved by the caller). */
export interface RawImage {
  id: number;
  name: string;
  cameraId: number;
  viewmat: Float64Array;
}

/** The three parts of a COLMAP model, before image paths are resolved. */
export interface RawColmapModel {
  cameras: Map<number, SceneCamera>;
  images: RawImage[];
  points: ScenePoints;
}

/**
 * Little-endian cursor over a binary model file; every read checks bounds so a truncated file
 * is reported by name instead of yielding garbage.
 */
class Cursor {
  private offset = 0;
  private readonly view: DataView;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly file: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private need(n: number): number {
    const at = this.offset;
    if (at + n > this.bytes.byteLength) {
      throw new SplatbookError(`${this.file}: truncated at byte ${at} (COLMAP binary model)`, {
        file: this.file,
      });
    }
    this.offset += n;
    return at;
  }
  u8(): number {
    return this.view.getUint8(this.need(1));
  }
  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }
  i32(): number {
    return this.view.getInt32(this.need(4), true);
  }
  u64(): number {
    return Number(this.view.getBigUint64(this.need(8), true));
  }
  f64(): number {
    return this.view.getFloat64(this.need(8), true);
  }
  skip(n: number): void {
    this.need(n);
  }
  /** NUL-terminated UTF-8 string. */
  cstring(): string {
    const start = this.offset;
    const end = this.bytes.indexOf(0, start);
    if (end < 0) this.need(this.bytes.byteLength - start + 1); // throws "truncated"
    this.offset = end + 1;
    return Buffer.from(this.bytes.subarray(start, end)).toString("utf8");
  }
  done(): boolean {
    return this.offset === this.bytes.byteLength;
  }
}

async function open(dir: string, name: string): Promise<Cursor> {
  const file = join(dir, name);
  try {
    return new Cursor(await readFile(file), file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new SplatbookError(`${file}: cannot read (${code})`, { file });
  }
}

/** cameras.bin: u64 count; per camera u32 id, i32 model, u64 width, u64 height, f64 params[]. */
export async function readCamerasBin(dir: string): Promise<Map<number, SceneCamera>> {
  const c = await open(dir, "cameras.bin");
  const file = join(dir, "cameras.bin");
  const cameras = new Map<number, SceneCamera>();
  const count = c.u64();
  for (let i = 0; i < count; i++) {
    const id = c.u32();
    const model = cameraModelById(c.i32(), file);
    const width = c.u64();
    const height = c.u64();
    const params: number[] = [];
    for (let p = 0; p < model.numParams; p++) params.push(c.f64());
    cameras.set(id, sceneCamera(id, model.name, width, height, params));
  }
  return cameras;
}

/**
 * images.bin: u64 count; per image u32 id, f64 qw qx qy qz, f64 tx ty tz, u32 camera id,
 * NUL-terminated name, u64 n2D, then n2D × (f64 x, f64 y, i64 point3D id) which we skip.
 */
export async function readImagesBin(dir: string): Promise<RawImage[]> {
  const c = await open(dir, "images.bin");
  const images: RawImage[] = [];
  const count = c.u64();
  for (let i = 0; i < count; i++) {
    const id = c.u32();
    const q = [c.f64(), c.f64(), c.f64(), c.f64()];
    const t = [c.f64(), c.f64(), c.f64()];
    const cameraId = c.u32();
    const name = c.cstring();
    c.skip(c.u64() * 24);
    images.push({ id, name, cameraId, viewmat: viewmatFromQuaternion(q, t) });
  }
  return images;
}

/**
 * points3D.bin: u64 count; per point u64 id, f64 x y z, u8 r g b, f64 error, u64 track length,
 * then track length × (u32 image id, u32 point2D index); the image ids are kept.
 */
export async function readPoints3DBin(dir: string): Promise<ScenePoints> {
  const c = await open(dir, "points3D.bin");
  const count = c.u64();
  const pts = allocatePoints(count);
  const observers = growableU32();
  for (let i = 0; i < count; i++) {
    pts.ids[i] = c.u64();
    pts.xyz[i * 3] = c.f64();
    pts.xyz[i * 3 + 1] = c.f64();
    pts.xyz[i * 3 + 2] = c.f64();
    pts.rgb[i * 3] = c.u8();
    pts.rgb[i * 3 + 1] = c.u8();
    pts.rgb[i * 3 + 2] = c.u8();
    pts.error[i] = c.f64();
    const track = c.u64();
    pts.trackLength[i] = track;
    for (let k = 0; k < track; k++) {
      observers.push(c.u32());
      c.skip(4);
    }
  }
  return { ...pts, trackImageIds: observers.done() };
}

/** Reads cameras.bin, images.bin and points3D.bin from a model folder. */
export async function readColmapBinary(dir: string): Promise<RawColmapModel> {
  const [cameras, images, points] = await Promise.all([
    readCamerasBin(dir),
    readImagesBin(dir),
    readPoints3DBin(dir),
  ]);
  return { cameras, images, points };
}

/**
 * Per registered image id (the database's): the indices of its keypoints that observe a 3D point
 * (images.bin's point3D id is −1, all bits set, where a keypoint observes none).
 */
export async function readTrackedKeypoints(dir: string): Promise<Map<number, Set<number>>> {
  const c = await open(dir, "images.bin");
  const out = new Map<number, Set<number>>();
  const count = c.u64();
  for (let i = 0; i < count; i++) {
    const id = c.u32();
    c.skip(7 * 8 + 4); // quaternion, translation, camera id
    c.cstring();
    const n = c.u64();
    const tracked = new Set<number>();
    for (let k = 0; k < n; k++) {
      c.skip(16);
      const [lo, hi] = [c.u32(), c.u32()];
      if (lo !== 0xffffffff || hi !== 0xffffffff) tracked.add(k);
    }
    out.set(id, tracked);
  }
  return out;
}

/** Number of registered images in a binary model, reading only the header of images.bin. */
export async function countRegisteredImages(dir: string): Promise<number> {
  const c = await open(dir, "images.bin");
  return c.u64();
}
