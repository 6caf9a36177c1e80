import { existsSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
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
 * Finds the COLMAP model inside a workspace-like folder: the folder itself, `sparse/`,
 * `sparse/0`, or `colmap/sparse` (the engine's layout). Returns null when there is none.
 */
export function findColmapModelDir(dir: string): string | null {
  for (const sub of ["", "sparse", join("sparse", "0"), join("colmap", "sparse")]) {
    const candidate = join(dir, sub);
    if (modelFormatIn(candidate)) return candidate;
  }
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
 * Loads a calibrated scene from a COLMAP model folder (binary or text), a COLMAP workspace
 * (images/ + sparse/ or sparse/0), a folder holding a transforms.json, or a transforms.json
 * file. Every error names the path and what is missing.
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
  } else if (exists(join(target, "transforms.json"))) {
    scene = await readTransformsJson(join(target, "transforms.json"));
  } else {
    const modelDir = findColmapModelDir(target);
    if (!modelDir) {
      throw new SplatbookError(
        `${target}: no COLMAP model (cameras.bin/.txt in it, sparse/ or sparse/0) and no transforms.json`,
        { file: target },
      );
    }
    scene = await loadColmapModel(modelDir, opts.imagesDir);
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

/** A calibrated model found in an input folder (skips capture and COLMAP). */
export interface PrecalibratedInput {
  kind: "colmap" | "transforms";
  /** Path to hand to `loadSceneModel`: the model folder, or the transforms.json file. */
  path: string;
}

/**
 * Detects precalibrated input in a job's input folder: a transforms.json, or a COLMAP model in
 * the folder itself, sparse/, sparse/0 or colmap/sparse (the same places capture looks, so
 * stages 1–4 are skipped together). Null otherwise.
 */
export function detectPrecalibratedInput(inputFolder: string): PrecalibratedInput | null {
  const dir = resolve(inputFolder);
  if (exists(join(dir, "transforms.json")))
    return { kind: "transforms", path: join(dir, "transforms.json") };
  const modelDir =
    findColmapModelDir(dir) ??
    (modelFormatIn(join(dir, "colmap", "sparse", "0")) ? join(dir, "colmap", "sparse", "0") : null);
  return modelDir ? { kind: "colmap", path: modelDir } : null;
}
