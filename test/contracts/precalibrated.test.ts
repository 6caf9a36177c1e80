// One precalibrated-input decision: the rule in src/contracts/precalibrated.ts, as Validation
// records it for a job (every later stage reads that record) and as `splatbook train <folder>`'s
// loader applies it, compared on the same folders.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateInput } from "../../src/capture/index.js";
import { findPrecalibrated, type Precalibrated } from "../../src/contracts/index.js";
import { loadSceneModel } from "../../src/sfm/index.js";
import { SplatbookError } from "../../src/util/errors.js";

async function put(path: string, text = ""): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/** A COLMAP text model with no cameras, images or points (enough to be found and read). */
async function textModel(dir: string): Promise<void> {
  for (const name of ["cameras", "images", "points3D"]) await put(join(dir, `${name}.txt`));
}

/** What the loader picked: the model it read, or the file its error names. */
async function loaderChoice(folder: string): Promise<string | null> {
  try {
    return (await loadSceneModel(folder, { imagesDir: folder })).modelPath;
  } catch (err) {
    if (!(err instanceof SplatbookError)) throw err;
    return err.file === folder ? null : (err.file ?? null);
  }
}

const LAYOUTS: Record<string, (dir: string) => Promise<unknown>> = {
  "nothing calibrated": (dir) => put(join(dir, "notes.txt"), "hello"),
  "a text model in the folder itself": (dir) => textModel(dir),
  "a model in sparse/0": (dir) => textModel(join(dir, "sparse", "0")),
  "a model in colmap/sparse (the engine's own layout)": (dir) =>
    textModel(join(dir, "colmap", "sparse")),
  "a transforms.json beside cameras.txt alone (not a model)": async (dir) => {
    await put(join(dir, "cameras.txt"));
    await put(join(dir, "transforms.json"), "{}");
  },
  "a transforms.json and a model in colmap/sparse/0 (ns-process-data's output)": async (dir) => {
    await put(join(dir, "transforms.json"), "{}");
    await textModel(join(dir, "colmap", "sparse", "0"));
  },
};

const EXPECTED: Record<string, (dir: string) => Precalibrated | null> = {
  "nothing calibrated": () => null,
  "a text model in the folder itself": (dir) => ({ kind: "colmap", path: dir }),
  "a model in sparse/0": (dir) => ({ kind: "colmap", path: join(dir, "sparse", "0") }),
  "a model in colmap/sparse (the engine's own layout)": (dir) => ({
    kind: "colmap",
    path: join(dir, "colmap", "sparse"),
  }),
  "a transforms.json beside cameras.txt alone (not a model)": (dir) => ({
    kind: "transforms",
    path: join(dir, "transforms.json"),
  }),
  "a transforms.json and a model in colmap/sparse/0 (ns-process-data's output)": (dir) => ({
    kind: "colmap",
    path: join(dir, "colmap", "sparse", "0"),
  }),
};

describe("precalibrated input: one decision", () => {
  it.each(Object.keys(LAYOUTS))("%s", async (layout) => {
    const dir = await mkdtemp(join(tmpdir(), "precal-"));
    await LAYOUTS[layout]!(dir);
    const rule = findPrecalibrated(dir, existsSync);
    expect(rule).toEqual(EXPECTED[layout]!(dir));
    // Validation records the same decision; a precalibrated folder needs no videos.
    if (rule) expect((await validateInput(dir)).precalibrated).toEqual(rule);
    else await expect(validateInput(dir)).rejects.toThrow(/no usable video/);
    // `splatbook train <folder>` reads the same model (or fails naming the same file).
    expect(await loaderChoice(dir)).toBe(rule?.path ?? null);
  });
});
