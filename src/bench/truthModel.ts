/**
 * A sparse model built on the renderer's true cameras: the features and matches the pipeline's
 * first attempt makes (same SIFT settings, same pairs), then COLMAP's `point_triangulator` with
 * the true poses and intrinsics held fixed, then the same undistortion. Training from it is the
 * reference for training from the pipeline's own model (bench:quality `truth`).
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { ColmapReconstructionParamsSchema } from "../contracts/params.js";
import type { Manifest } from "../contracts/manifest.js";
import {
  chooseSiftSettings,
  ladderRungs,
  layoutOfGroups,
  matchRequest,
  readImageSize,
  undistortToPinhole,
  videoFramesFromManifest,
} from "../sfm/index.js";
import { extractFeatures, matchFeatures, runColmap } from "../sfm/colmapSteps.js";
import { readTruth, truthByImageName, type TruthCamera } from "./poseAccuracy.js";

interface DbImage {
  image_id: number;
  name: string;
  camera_id: number;
}

/** The largest first frame of the camera groups (what the stage chooses SIFT settings from). */
async function largestFrame(framesRoot: string, firsts: string[]) {
  let best = { width: 0, height: 0 };
  for (const f of firsts) {
    const s = await readImageSize(join(framesRoot, f));
    if (s.width * s.height > best.width * best.height) best = s;
  }
  return best;
}

/** Extracts and matches as the stage's first attempt does (default parameters) into `db`. */
async function firstAttemptDatabase(job: string, db: string): Promise<void> {
  const manifestFile = join(job, "manifest.json");
  const manifest = JSON.parse(await readFile(manifestFile, "utf8")) as Manifest;
  const groups = await videoFramesFromManifest(manifest, job, manifestFile);
  const framesRoot = join(job, "frames");
  const total = groups.reduce((n, g) => n + g.images.length, 0);
  const size = await largestFrame(
    framesRoot,
    groups.map((g) => g.images[0]!),
  );
  const params = ColmapReconstructionParamsSchema.parse({});
  const layout = layoutOfGroups(groups);
  const sift = chooseSiftSettings(size, total);
  const rung = ladderRungs(layout, sift, params.matcher)[0]!;
  await mkdir(join(db, ".."), { recursive: true });
  await extractFeatures(db, framesRoot, groups, rung.sift, {});
  await matchFeatures(db, matchRequest(rung.pairs, groups, layout), rung.guided, {});
}

const fmt = (xs: readonly number[]) => xs.map((x) => String(x)).join(" ");

/**
 * COLMAP text model of the true cameras for the database's images: one PINHOLE camera per
 * database camera (the true intrinsics scaled to the frames' size), every image with its true
 * pose, no points. Images without a true camera are left out.
 */
async function writeTruthText(
  dir: string,
  images: DbImage[],
  truth: Map<string, TruthCamera>,
  frameSize: (name: string) => Promise<{ width: number; height: number }>,
): Promise<number> {
  const cameras = new Map<number, string>();
  const lines: string[] = [];
  for (const img of images) {
    const t = truth.get(img.name);
    if (!t) continue;
    if (!cameras.has(img.camera_id)) {
      const { width, height } = await frameSize(img.name);
      const s = width / t.k.width;
      const k = [t.k.fx * s, t.k.fy * s, t.k.cx * s, t.k.cy * s];
      cameras.set(img.camera_id, `${img.camera_id} PINHOLE ${width} ${height} ${fmt(k)}`);
    }
    const p = t.pose;
    lines.push(
      `${img.image_id} ${fmt(p.qvec)} ${fmt(p.translation)} ${img.camera_id} ${img.name}`,
      "",
    );
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "cameras.txt"), [...cameras.values()].join("\n") + "\n");
  await writeFile(join(dir, "images.txt"), lines.join("\n") + "\n");
  await writeFile(join(dir, "points3D.txt"), "");
  return lines.length / 2;
}

/**
 * Builds (once) `<job>/truth/undistorted`, the training workspace of the true cameras, for a job
 * processed to ColmapReconstruction from a corpus capture with truth file `truthFile`. Returns
 * its path and how many images it holds.
 */
export async function truthCameraDataset(
  job: string,
  truthFile: string,
): Promise<{ dataset: string; images: number }> {
  const root = join(job, "truth");
  const dataset = join(root, "undistorted");
  const db = join(root, "database.db");
  const textModel = join(root, "true-cameras");
  const sparse = join(root, "sparse");
  if (!existsSync(join(dataset, "sparse"))) {
    for (const d of [textModel, sparse, dataset]) await rm(d, { recursive: true, force: true });
    // A database left there (e.g. the stage's own, copied before its scratch folder went) is used.
    if (!existsSync(db)) await firstAttemptDatabase(job, db);
    const handle = new Database(db, { readonly: true });
    const rows = handle.prepare("SELECT image_id, name, camera_id FROM images").all() as DbImage[];
    handle.close();
    const manifest = JSON.parse(await readFile(join(job, "manifest.json"), "utf8")) as Manifest;
    const truth = truthByImageName(manifest, await readTruth(truthFile));
    const frames = join(job, "frames");
    await writeTruthText(textModel, rows, truth, (n) => readImageSize(join(frames, n)));
    await mkdir(sparse, { recursive: true });
    // The poses are held by point_triangulator itself; the intrinsics by these options.
    await runColmap(
      [
        "point_triangulator",
        ...["--database_path", db, "--image_path", frames],
        ...["--input_path", textModel, "--output_path", sparse],
        ...["--Mapper.ba_refine_focal_length", "0", "--Mapper.ba_refine_principal_point", "0"],
        ...["--Mapper.ba_refine_extra_params", "0"],
      ],
      "point triangulation",
      undefined,
    );
    await undistortToPinhole(frames, sparse, dataset);
  }
  const images = (await readFile(join(textModel, "images.txt"), "utf8"))
    .split("\n")
    .filter((l) => l.trim() !== "").length;
  return { dataset, images };
}
