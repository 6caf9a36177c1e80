import { existsSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import {
  COLMAP_MODEL_DIRS,
  TRANSFORMS_FILE,
  findPrecalibrated,
} from "../contracts/precalibrated.js";
import { SplatbookError } from "../util/errors.js";
import { readColmapBinary, type RawColmapModel } from "./colmapBinary.js";
import { readColmapText } from "./colmapText.js";
import { readTransformsJson } from "./transforms.js";
import { sortImagesByName, type SceneModel } from "./sceneModel.js";

// Synchronous checks: a handful of stat calls, and the engine's skipReason hook is synchronous.
const exists = (p: string) => existsSync(p);
const isDir = (p: string) => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;

/** Options of `loadSceneModel`. */
export interface LoadSceneOptions {
  /** Folder image names are relative to; found automatically when omitted. */
  imagesDir?: string;
  /** Check that every image file exists (default true). */
  checkImages?: boolean;
}

/** The model format present in a folder, if any. */
function modelFormatIn(dir: string): "colmap-bin" | "colmap-txt" | null {
  if (exists(join(dir, "cameras.bin"))) return "colmap-bin";
  if (exists(join(dir, "cameras.txt"))) return "colmap-txt";
  return null;
}

/**
 * Images folder of a model folder: `images/` next to `sparse/` (COLMAP workspaces and
 * image_undistorter output), then the engine's `frames/` next to `colmap/`.
 */
function guessImagesDir(modelDir: string): string | null {
  const candidates: string[] = [];
  let dir = modelDir;
  for (let up = 0; up < 3; up++) {
    candidates.push(join(dir, "images"));
    if (basename(dir) === "colmap") candidates.push(join(dirname(dir), "frames"));
    dir = dirname(dir);
  }
  for (const c of candidates) if (isDir(c)) return c;
  return null;
}

/**
 * Loads a calibrated scene from a transforms.json file, or from a folder holding a COLMAP model
 * (binary or text; in it, in sparse/, sparse/0, colmap/sparse or colmap/sparse/0) or a
 * transforms.json: what a job's Validation would call precalibrated. Every error names the path
 * and what is missing.
 */
export async function loadSceneModel(
  path: string,
  opts: LoadSceneOptions = {},
): Promise<SceneModel> {
  const target = resolve(path);
  let scene: SceneModel;
  if (!isDir(target)) {
    if (!exists(target))
      throw new SplatbookError(`${target}: no such file or folder`, { file: target });
    if (!target.endsWith(".json")) {
      throw new SplatbookError(`${target}: expected a COLMAP model folder or a transforms.json`, {
        file: target,
      });
    }
    scene = await readTransformsJson(target);
  } else {
    // The same rule as a job's precalibrated input, so `train <folder>` and `process` agree.
    const found = findPrecalibrated(target, exists);
    if (!found) {
      const where = COLMAP_MODEL_DIRS.map((d) => (d === "." ? "in it" : `${d}/`)).join(", ");
      throw new SplatbookError(
        `${target}: no COLMAP model (cameras, images and points3D .bin or .txt ${where}) and no ${TRANSFORMS_FILE}`,
        { file: target },
      );
    }
    scene =
      found.kind === "transforms"
        ? await readTransformsJson(found.path)
        : await loadColmapModel(found.path, opts.imagesDir);
  }
  if (opts.checkImages ?? true) checkImagesExist(scene);
  return scene;
}

/** Loads a COLMAP model folder and resolves image paths against the images folder. */
export async function loadColmapModel(modelDir: string, imagesDir?: string): Promise<SceneModel> {
  const format = modelFormatIn(modelDir);
  if (!format)
    throw new SplatbookError(`${modelDir}: no cameras.bin or cameras.txt`, { file: modelDir });
  const raw: RawColmapModel =
    format === "colmap-bin" ? await readColmapBinary(modelDir) : await readColmapText(modelDir);
  const images = imagesDir ? resolve(imagesDir) : guessImagesDir(modelDir);
  if (!images) {
    throw new SplatbookError(`${modelDir}: cannot find the images folder (pass imagesDir)`, {
      file: modelDir,
    });
  }
  for (const img of raw.images) {
    if (!raw.cameras.has(img.cameraId)) {
      throw new SplatbookError(
        `${modelDir}: image ${img.name} refers to missing camera ${img.cameraId}`,
        {
          file: modelDir,
        },
      );
    }
  }
  return {
    format,
    modelPath: modelDir,
    imagesDir: images,
    cameras: raw.cameras,
    images: sortImagesByName(raw.images.map((i) => ({ ...i, imagePath: join(images, i.name) }))),
    points: raw.points,
  };
}

function checkImagesExist(scene: SceneModel): void {
  const missing: string[] = [];
  for (const i of scene.images) if (!exists(i.imagePath)) missing.push(i.imagePath);
  if (missing.length > 0) {
    const first = missing.sort()[0]!;
    throw new SplatbookError(
      `${scene.modelPath}: ${missing.length}/${scene.images.length} images missing, e.g. ${first}`,
      { file: first },
    );
  }
}
