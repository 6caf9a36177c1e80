/**
 * The one rule for a precalibrated input (a capture that ships its cameras): where a COLMAP
 * sparse model or a nerfstudio transforms.json is looked for, and what counts as one. Validation
 * applies it to a job's input folder and records the answer (`ValidationResult.precalibrated`),
 * which every later stage reads; `splatbook train <folder>` applies it to the folder it is given.
 * The caller passes its file system's `exists`, so contracts stay free of Node's modules.
 */
import type { Precalibrated } from "./stageResults.js";

/** Folders a COLMAP sparse model is looked for in, relative to the input folder, in order. */
export const COLMAP_MODEL_DIRS = [
  ".",
  "sparse",
  "sparse/0",
  "colmap/sparse",
  "colmap/sparse/0",
] as const;
/** The files of a COLMAP sparse model: all three `.bin`, or all three `.txt`. */
export const COLMAP_MODEL_FILES = ["cameras", "images", "points3D"] as const;
/** A nerfstudio capture's camera file, at the top of the input folder. */
export const TRANSFORMS_FILE = "transforms.json";

/** `rel` inside `folder`, `/`-separated (`.` is the folder itself). */
export function insideFolder(folder: string, rel: string): string {
  return rel === "." ? folder : `${folder.replace(/\/+$/, "")}/${rel}`;
}

/** The model's files in `dir` with extension `ext`, when all of them exist; else null. */
function modelFiles(dir: string, ext: ".bin" | ".txt", exists: (p: string) => boolean) {
  const files = COLMAP_MODEL_FILES.map((n) => insideFolder(dir, n + ext));
  return files.every(exists) ? files : null;
}

/**
 * The calibration in `folder`: a complete COLMAP model in the first of {@link COLMAP_MODEL_DIRS}
 * holding one (a model carries sparse points to start training from, which a transforms.json may
 * not), else a transforms.json; null when there is neither.
 */
export function findPrecalibrated(
  folder: string,
  exists: (path: string) => boolean,
): Precalibrated | null {
  for (const rel of COLMAP_MODEL_DIRS) {
    const dir = insideFolder(folder, rel);
    if (modelFiles(dir, ".bin", exists) || modelFiles(dir, ".txt", exists)) {
      return { kind: "colmap", path: dir };
    }
  }
  const transforms = insideFolder(folder, TRANSFORMS_FILE);
  return exists(transforms) ? { kind: "transforms", path: transforms } : null;
}

/** The files of a calibration that exist (both a model's `.bin` and `.txt`), to fingerprint it. */
export function calibrationFiles(found: Precalibrated, exists: (p: string) => boolean): string[] {
  if (found.kind === "transforms") return [found.path];
  return COLMAP_MODEL_FILES.flatMap((n) =>
    [".bin", ".txt"].map((ext) => insideFolder(found.path, n + ext)),
  ).filter(exists);
}

/** How logs and skip reasons name a calibration. */
export function describePrecalibrated(found: Precalibrated): string {
  const what = found.kind === "colmap" ? "COLMAP model" : "transforms.json";
  return `precalibrated input: ${what} at ${found.path}`;
}
