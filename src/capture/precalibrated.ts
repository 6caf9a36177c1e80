import { access, stat } from "node:fs/promises";
import { join } from "node:path";

/** A camera calibration that came with the input, letting stages 1–4 be skipped. */
export interface Precalibrated {
  kind: "colmap" | "transforms";
  /** Folder holding the COLMAP model, or the transforms.json file. */
  path: string;
}

/** Where COLMAP sparse models are commonly left, relative to the input folder, in search order. */
export const COLMAP_MODEL_DIRS = [".", "sparse", "sparse/0", "colmap/sparse/0"];
const MODEL_FILES = ["cameras", "images", "points3D"];

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function hasModel(dir: string, ext: ".bin" | ".txt"): Promise<boolean> {
  for (const name of MODEL_FILES) {
    if (!(await exists(join(dir, name + ext)))) return false;
  }
  return true;
}

/**
 * Finds a COLMAP sparse model (cameras/images/points3D as .bin or .txt) or a nerfstudio
 * transforms.json in the input folder; null when there is none.
 */
export async function detectPrecalibrated(inputFolder: string): Promise<Precalibrated | null> {
  for (const rel of COLMAP_MODEL_DIRS) {
    const dir = join(inputFolder, rel);
    if ((await hasModel(dir, ".bin")) || (await hasModel(dir, ".txt"))) {
      return { kind: "colmap", path: dir };
    }
  }
  const transforms = join(inputFolder, "transforms.json");
  if (await exists(transforms)) return { kind: "transforms", path: transforms };
  return null;
}

/** Identities (path, size, mtime) of the model files, so editing them changes the fingerprint. */
export async function precalibratedFiles(
  found: Precalibrated,
): Promise<{ name: string; size: number; mtimeMs: number }[]> {
  const paths =
    found.kind === "transforms"
      ? [found.path]
      : MODEL_FILES.flatMap((n) => [join(found.path, n + ".bin"), join(found.path, n + ".txt")]);
  const out = [];
  for (const p of paths) {
    try {
      const s = await stat(p);
      out.push({ name: p, size: s.size, mtimeMs: s.mtimeMs });
    } catch {
      // only one of .bin/.txt exists
    }
  }
  return out;
}
