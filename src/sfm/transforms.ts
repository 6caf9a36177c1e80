import { access, readFile } from "node:fs/promises";
import { dirname, extname, resolve } from "node:path";
import { SplatbookError } from "../util/errors.js";
import { readImageSize } from "./imageSize.js";
import { readPlyPoints } from "./plyPoints.js";
import {
  emptyPoints,
  sortImagesByName,
  type SceneCamera,
  type SceneImage,
  type SceneModel,
} from "./sceneModel.js";

type Json = Record<string, unknown>;

/** Intrinsics keys nerfstudio allows at the top level and overrides per frame. */
const DISTORTION_KEYS = ["k1", "k2", "p1", "p2", "k3", "k4"] as const;

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/**
 * Reads a nerfstudio / instant-ngp `transforms.json`: intrinsics (fl_x, fl_y, cx, cy, w, h, or
 * camera_angle_x) at the top level or per frame, `transform_matrix` camera→world in OpenGL
 * convention (x right, y up, z backwards), and an optional `ply_file_path` point cloud. Poses
 * become OpenCV world→camera matrices; one camera per distinct set of intrinsics.
 */
export async function readTransformsJson(file: string): Promise<SceneModel> {
  const fail = (why: string) => new SplatbookError(`${file}: ${why}`, { file });
  let doc: Json;
  try {
    doc = JSON.parse(await readFile(file, "utf8")) as Json;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw fail(code ? `cannot read (${code})` : `not valid JSON (${(err as Error).message})`);
  }
  const frames = doc.frames;
  if (!Array.isArray(frames) || frames.length === 0) throw fail("no frames[]");
  const base = dirname(resolve(file));
  const cameras = new Map<number, SceneCamera>();
  const cameraKeys = new Map<string, number>();
  const images: SceneImage[] = [];
  for (const [index, raw] of frames.entries()) {
    const frame = raw as Json;
    const where = `frames[${index}]`;
    if (typeof frame.file_path !== "string") throw fail(`${where} has no file_path`);
    const imagePath = await resolveImage(base, frame.file_path);
    if (!imagePath) throw fail(`${where}: image ${frame.file_path} not found`);
    const camera = await intrinsicsOf(doc, frame, imagePath, (why) => fail(`${where}: ${why}`));
    const key = JSON.stringify(camera);
    let cameraId = cameraKeys.get(key);
    if (cameraId === undefined) {
      cameraId = cameras.size + 1;
      cameraKeys.set(key, cameraId);
      cameras.set(cameraId, { id: cameraId, ...camera });
    }
    images.push({
      id: index + 1,
      name: frame.file_path,
      imagePath,
      cameraId,
      viewmat: viewmatFromOpenGlCameraToWorld(frame.transform_matrix, (why) =>
        fail(`${where}: ${why}`),
      ),
    });
  }
  const ply = typeof doc.ply_file_path === "string" ? resolve(base, doc.ply_file_path) : null;
  return {
    format: "transforms",
    modelPath: resolve(file),
    imagesDir: base,
    cameras,
    images: sortImagesByName(images),
    points: ply ? await readPlyPoints(ply) : emptyPoints(),
  };
}

/** Blender-style datasets omit the extension ("./train/r_0"); try the usual ones. */
async function resolveImage(base: string, filePath: string): Promise<string | null> {
  const p = resolve(base, filePath);
  if (await exists(p)) return p;
  if (extname(p) === "") {
    for (const ext of [".png", ".jpg", ".jpeg", ".JPG", ".PNG"]) {
      if (await exists(p + ext)) return p + ext;
    }
  }
  return null;
}

async function intrinsicsOf(
  doc: Json,
  frame: Json,
  imagePath: string,
  fail: (why: string) => Error,
): Promise<Omit<SceneCamera, "id">> {
  const get = (k: string): number | undefined => {
    const v = frame[k] ?? doc[k];
    return typeof v === "number" ? v : undefined;
  };
  let w = get("w");
  let h = get("h");
  if (w === undefined || h === undefined)
    ({ width: w, height: h } = await readImageSize(imagePath));
  const angleX = get("camera_angle_x");
  const angleY = get("camera_angle_y");
  let fx = get("fl_x") ?? (angleX !== undefined ? w / (2 * Math.tan(angleX / 2)) : undefined);
  let fy = get("fl_y") ?? (angleY !== undefined ? h / (2 * Math.tan(angleY / 2)) : undefined);
  fx ??= fy;
  fy ??= fx;
  if (fx === undefined || fy === undefined) throw fail("no focal length (fl_x or camera_angle_x)");
  const cx = get("cx") ?? w / 2;
  const cy = get("cy") ?? h / 2;
  const distortion = DISTORTION_KEYS.map((k) => get(k) ?? 0);
  const distorted = distortion.some((d) => d !== 0);
  const model = distorted ? "OPENCV" : "PINHOLE";
  // OPENCV carries k1 k2 p1 p2 only; k3/k4 survive in params for callers that need them.
  const params = distorted ? [fx, fy, cx, cy, ...distortion] : [fx, fy, cx, cy];
  return { model, width: w, height: h, params, fx, fy, cx, cy };
}

/**
 * OpenGL camera→world (nerfstudio) to OpenCV world→camera: flip the camera's y and z axes
 * (columns 1 and 2 of the rotation), then invert the rigid transform: [Rᵀ | −Rᵀt].
 */
export function viewmatFromOpenGlCameraToWorld(
  matrix: unknown,
  fail: (why: string) => Error = (why) => new SplatbookError(why),
): Float64Array {
  const rows = matrix as number[][];
  const ok =
    Array.isArray(rows) &&
    rows.length >= 3 &&
    rows.slice(0, 3).every((r) => Array.isArray(r) && r.length === 4 && r.every(Number.isFinite));
  if (!ok) throw fail("transform_matrix must be a 4×4 (or 3×4) array of numbers");
  const sign = [1, -1, -1];
  const R = [0, 1, 2].map((i) => [0, 1, 2].map((j) => rows[i]![j]! * sign[j]!));
  const t = [0, 1, 2].map((i) => rows[i]![3]!);
  const v = new Float64Array(16);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) v[i * 4 + j] = R[j]![i]!;
    v[i * 4 + 3] = -(R[0]![i]! * t[0]! + R[1]![i]! * t[1]! + R[2]![i]! * t[2]!);
  }
  v[15] = 1;
  return v;
}
