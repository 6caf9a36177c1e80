import { spawn } from "node:child_process";
import { InterruptedError, SplatbookError } from "../util/errors.js";
import {
  cameraCentre,
  type SceneCamera,
  type SceneImage,
  type ScenePoints,
} from "../contracts/sceneModel.js";
import type { Camera, ImageRGB } from "./types.js";

/**
 * What the trainer reads of a scene model (src/contracts/sceneModel.ts): pinhole cameras, posed
 * images and the sparse point cloud.
 */
export interface SceneModelInput {
  cameras: ReadonlyMap<number, SceneCameraInput>;
  images: readonly Pick<SceneImage, "id" | "name" | "imagePath" | "cameraId" | "viewmat">[];
  points: Pick<ScenePoints, "count" | "xyz" | "rgb"> &
    Partial<Pick<ScenePoints, "trackLength" | "trackImageIds">>;
}

/** The intrinsics the trainer reads of a scene camera. */
export type SceneCameraInput = Omit<SceneCamera, "params">;

/** One posed, decoded, downscaled image. */
export interface TrainingView {
  name: string;
  /** The model's image id (what the points' tracks name), where the model has one. */
  imageId?: number;
  camera: Camera;
  image: ImageRGB;
}

export interface TrainingDataset {
  /** Where the model came from (for messages). */
  source: string;
  train: TrainingView[];
  /** Held-out views (every 8th by sorted name, starting with the first). */
  eval: TrainingView[];
  points: {
    count: number;
    xyz: ArrayLike<number>;
    rgb: ArrayLike<number>;
    /** With trackImageIds: which images observe each point (see ScenePoints). */
    trackLength?: ArrayLike<number>;
    trackImageIds?: ArrayLike<number>;
  };
  /** 3DGS "cameras extent": 1.1 × the largest camera distance from the cameras' centroid. */
  sceneExtent: number;
  sceneCenter: [number, number, number];
}

/** Camera models the pinhole rasterizer reproduces exactly. */
const UNDISTORTED_MODELS = new Set(["PINHOLE", "SIMPLE_PINHOLE"]);

/** Every `HOLDOUT_EVERY`-th image (sorted by name, index % 8 == 0) is held out, as in Mip-NeRF 360. */
export const HOLDOUT_EVERY = 8;

/** Splits sorted names into train and held-out indices; nothing is held out below 2 images. */
export function holdoutSplit(
  count: number,
  every = HOLDOUT_EVERY,
): { train: number[]; eval: number[] } {
  const train: number[] = [];
  const evalIdx: number[] = [];
  for (let i = 0; i < count; i++) {
    if (count >= 2 && i % every === 0) evalIdx.push(i);
    else train.push(i);
  }
  return { train, eval: evalIdx };
}

/**
 * Output size for a camera whose long side must not exceed `maxResolution`, and the intrinsics
 * scaled to match (each axis by its own rounding ratio, so the principal point stays put).
 */
export function scaledCamera(
  cam: SceneCameraInput,
  viewmat: ArrayLike<number>,
  maxResolution: number,
): Camera {
  const s = Math.min(1, maxResolution / Math.max(cam.width, cam.height));
  const width = Math.max(1, Math.round(cam.width * s));
  const height = Math.max(1, Math.round(cam.height * s));
  const sx = width / cam.width;
  const sy = height / cam.height;
  return {
    width,
    height,
    fx: cam.fx * sx,
    fy: cam.fy * sy,
    cx: cam.cx * sx,
    cy: cam.cy * sy,
    viewmat: Float64Array.from(viewmat),
  };
}

/** Centroid of the camera centres and 1.1 × their largest distance from it (at least 1e-3). */
export function sceneBounds(viewmats: readonly ArrayLike<number>[]): {
  center: [number, number, number];
  extent: number;
} {
  const centers = viewmats.map(cameraCentre);
  const center: [number, number, number] = [0, 0, 0];
  for (const c of centers) for (let a = 0; a < 3; a++) center[a] += c[a]! / centers.length;
  let radius = 0;
  for (const c of centers)
    radius = Math.max(radius, Math.hypot(c[0] - center[0], c[1] - center[1], c[2] - center[2]));
  // A single camera has no spread; fall back to unit scale rather than a zero learning rate.
  return { center, extent: radius > 0 ? radius * 1.1 : 1 };
}

/**
 * Decodes an image with ffmpeg (no shell) to `width`×`height` RGB floats in [0, 1], resampling
 * with an area filter.
 */
export async function decodeImage(
  path: string,
  width: number,
  height: number,
  signal?: AbortSignal,
): Promise<ImageRGB> {
  const args = [
    "-v",
    "error",
    "-nostdin",
    "-i",
    path,
    "-frames:v",
    "1",
    "-vf",
    `scale=${width}:${height}:flags=area`,
    "-f",
    "rawvideo",
    "-pix_fmt",
    "rgb24",
    "pipe:1",
  ];
  const bytes = await new Promise<Buffer>((resolve, reject) => {
    if (signal?.aborted) return reject(new InterruptedError());
    const child = spawn("ffmpeg", args, { stdio: ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const onAbort = () => child.kill("SIGTERM");
    signal?.addEventListener("abort", onAbort, { once: true });
    child.on("error", (err: NodeJS.ErrnoException) => {
      signal?.removeEventListener("abort", onAbort);
      reject(
        err.code === "ENOENT"
          ? new SplatbookError("ffmpeg is not installed (run the README's set-up command)")
          : err,
      );
    });
    child.on("close", (code) => {
      signal?.removeEventListener("abort", onAbort);
      if (signal?.aborted) return reject(new InterruptedError());
      if (code !== 0) {
        const why = stderr.trim().split("\n").pop() || `ffmpeg exit ${code}`;
        return reject(new SplatbookError(`${path}: cannot decode image (${why})`, { file: path }));
      }
      resolve(Buffer.concat(chunks));
    });
  });
  const expected = width * height * 3;
  if (bytes.length !== expected) {
    throw new SplatbookError(
      `${path}: decoded ${bytes.length} bytes, expected ${expected} for ${width}×${height} RGB`,
      { file: path },
    );
  }
  const data = new Float32Array(expected);
  for (let i = 0; i < expected; i++) data[i] = bytes[i]! / 255;
  return { width, height, data };
}

/**
 * Builds the training dataset from a scene model: images sorted by name, every 8th held out,
 * decoded at most two at a time (two cores) and downscaled to `maxResolution` on the long side.
 */
export async function buildTrainingDataset(
  model: SceneModelInput,
  source: string,
  opts: { maxResolution: number; signal?: AbortSignal; warn?: (message: string) => void },
): Promise<TrainingDataset> {
  if (model.images.length === 0) {
    throw new SplatbookError(`${source}: the model has no posed images`, { file: source });
  }
  const cams = model.cameras;
  for (const cam of cams.values()) {
    if (!UNDISTORTED_MODELS.has(cam.model)) {
      opts.warn?.(
        `${source}: camera ${cam.id} is ${cam.model}; its distortion is ignored (undistort first for best results)`,
      );
    }
  }
  const sorted = [...model.images].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const views: TrainingView[] = new Array(sorted.length);
  let next = 0;
  const worker = async () => {
    while (next < sorted.length) {
      const i = next++;
      const img = sorted[i]!;
      const cam = cams.get(img.cameraId);
      if (!cam) {
        throw new SplatbookError(
          `${source}: image ${img.name} refers to camera ${img.cameraId}, which is not in the model`,
          { file: source },
        );
      }
      const camera = scaledCamera(cam, img.viewmat, opts.maxResolution);
      const image = await decodeImage(img.imagePath, camera.width, camera.height, opts.signal);
      views[i] = { name: img.name, imageId: img.id, camera, image };
    }
  };
  await Promise.all([worker(), worker()]);
  const split = holdoutSplit(views.length);
  const { center, extent } = sceneBounds(sorted.map((v) => v.viewmat));
  return {
    source,
    train: split.train.map((i) => views[i]!),
    eval: split.eval.map((i) => views[i]!),
    points: model.points,
    sceneExtent: extent,
    sceneCenter: center,
  };
}
