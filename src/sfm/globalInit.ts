/**
 * A global starting point for a video with per-frame GPS: rotations averaged over every verified
 * pair (src/sfm/rotationAveraging.ts), centres from the fixes made consistent with each pair's
 * baseline direction, the camera prior; then COLMAP's point_triangulator and bundle_adjuster
 * with the intrinsics held. On a flat site seen along a straight pass every incremental mapping
 * bends (drone-video-srt: 9–22°) and a bundle adjustment started from it stays bent, where one
 * started near the truth stays there; the caller keeps this model only when it explains more
 * verified matches than the incremental one.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { geodeticToEnu } from "../util/geodesy.js";
import { dot, norm, sub } from "../util/vec3.js";
import { runColmap, type StepContext } from "./colmapSteps.js";
import { originOf, type ImageInfo } from "./georef/georeference.js";
import { PRIOR_SIGMA } from "./georef/gpsFit.js";
import { quaternionFromRotation } from "./georef/similarity.js";
import { readRelativePoses } from "./pairRotations.js";
import {
  asRows,
  averageRotations,
  mulM3,
  projectToRotation,
  solveLinear,
  transposeM3,
  type M3,
} from "./rotationAveraging.js";

/** Pairs with fewer inliers carry too little to fix a relative rotation (COLMAP's own minimum). */
export const MIN_INIT_INLIERS = 15;
/**
 * Angular noise of a pair's baseline direction (radians): the relative poses of drone-video-srt
 * have a 0.4° median rotation error; the direction is held to about a degree.
 */
const DIRECTION_SIGMA = 0.02;

export interface PoseOf {
  R: M3;
  C: number[];
}

/**
 * The rotation Q taking the averaged rotations' frame to the local metric (ENU) frame: the
 * Kabsch fit of each pair's baseline direction (−R_bᵀ t) to its GPS direction, pairs weighted by
 * the squared GPS baseline over noise (a direction's error falls as noise / baseline). Collinear centres leave the roll about the line free; any choice then
 * gives the same centres.
 */
export function frameFromDirections(
  dirs: readonly { model: number[]; gps: number[]; weight: number }[],
): M3 {
  const S: M3 = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (const d of dirs)
    for (let r = 0; r < 3; r++)
      for (let c = 0; c < 3; c++) S[r]![c]! += d.weight * d.gps[r]! * d.model[c]!;
  return projectToRotation(S);
}

/**
 * Centres C_i (model frame) minimising the baseline-direction residuals of the pairs (the part
 * of C_b − C_a across direction d_ab, weighted by its expected noise at the GPS distance) plus
 * the fixes' distance, at their noise, from the centres.
 */
export function centresFromDirections(
  gps: readonly number[][],
  pairs: readonly { a: number; b: number; d: number[] }[],
  sigma: { horizontal: number; vertical: number },
): number[][] {
  const n = gps.length;
  const N = 3 * n;
  const A = Array.from({ length: N }, () => new Array<number>(N).fill(0));
  const rhs = new Array<number>(N).fill(0);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < 3; k++) {
      const s = k === 2 ? sigma.vertical : sigma.horizontal;
      A[3 * i + k]![3 * i + k]! += 1 / (s * s);
      rhs[3 * i + k]! += gps[i]![k]! / (s * s);
    }
  for (const { a, b, d } of pairs) {
    const L = Math.max(0.5, norm(sub(gps[b]!, gps[a]!)));
    const w = 1 / (DIRECTION_SIGMA * L) ** 2;
    // P = I − d dᵀ; residual P (C_b − C_a).
    const P = [0, 1, 2].map((r) => [0, 1, 2].map((c) => (r === c ? 1 : 0) - d[r]! * d[c]!));
    for (let r = 0; r < 3; r++)
      for (let c = 0; c < 3; c++) {
        const v = w * P[r]![c]!; // PᵀP = P
        A[3 * b + r]![3 * b + c]! += v;
        A[3 * a + r]![3 * a + c]! += v;
        A[3 * b + r]![3 * a + c]! -= v;
        A[3 * a + r]![3 * b + c]! -= v;
      }
  }
  const x = solveLinear(A, rhs);
  return gps.map((_, i) => [x[3 * i]!, x[3 * i + 1]!, x[3 * i + 2]!]);
}

/**
 * The initial poses (world = local ENU metres) of the database's images that have a fix and a
 * verified pair, or null when too few do (fewer than `minImages`).
 */
export function initialPoses(
  dbPath: string,
  fixes: ReadonlyMap<string, ImageInfo>,
  minImages: number,
): { poses: Map<number, PoseOf>; pairs: number } | null {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  let images: { image_id: number; name: string; camera_id: number }[];
  let cams: { camera_id: number; model: number; params: Buffer }[];
  try {
    images = db.prepare("SELECT image_id, name, camera_id FROM images").all() as typeof images;
    cams = db.prepare("SELECT camera_id, model, params FROM cameras").all() as typeof cams;
  } finally {
    db.close();
  }
  const intr = new Map<number, { fx: number; fy: number; cx: number; cy: number }>();
  for (const c of cams) {
    const p = new Float64Array(
      c.params.buffer.slice(c.params.byteOffset, c.params.byteOffset + c.params.length),
    );
    // SIMPLE_PINHOLE 0 / SIMPLE_RADIAL 2 / RADIAL 3: f cx cy …; PINHOLE 1 / OPENCV 4: fx fy cx cy …
    const two = c.model === 1 || c.model === 4;
    intr.set(
      c.camera_id,
      two
        ? { fx: p[0]!, fy: p[1]!, cx: p[2]!, cy: p[3]! }
        : { fx: p[0]!, fy: p[0]!, cx: p[1]!, cy: p[2]! },
    );
  }
  const withFix = images.filter((im) => fixes.get(im.name)?.gps);
  if (withFix.length < minImages) return null;
  const index = new Map(withFix.map((im, i) => [im.image_id, i]));
  const rel = readRelativePoses(dbPath, intr, MIN_INIT_INLIERS)
    .filter((p) => index.has(p.a) && index.has(p.b))
    .map((p) => ({ ...p, a: index.get(p.a)!, b: index.get(p.b)! }));
  const linked = new Set(rel.flatMap((p) => [p.a, p.b]));
  if (linked.size < minImages) return null;
  const Rs = averageRotations(withFix.length, rel);
  const geo = withFix.map((im) => fixes.get(im.name)!.gps!);
  const origin = originOf(geo);
  const enu = geo.map((g) => geodeticToEnu(origin, g));
  const dirs = rel.map((p) => {
    const m = mulM3(transposeM3(Rs[p.b]!), [[-p.t[0]!], [-p.t[1]!], [-p.t[2]!]]).map((r) => r[0]!);
    const g = sub(enu[p.b]!, enu[p.a]!);
    const L = norm(g);
    return {
      a: p.a,
      b: p.b,
      model: m,
      gps: g.map((x) => x / (L || 1)),
      weight: (L / PRIOR_SIGMA.horizontal) ** 2,
    };
  });
  const Q = frameFromDirections(dirs);
  const world = dirs.map((d) => ({
    a: d.a,
    b: d.b,
    d: mulM3(
      Q,
      d.model.map((x) => [x]),
    ).map((r) => r[0]!),
  }));
  const C = centresFromDirections(enu, world, PRIOR_SIGMA);
  const poses = new Map<number, PoseOf>();
  withFix.forEach((im, i) => {
    if (linked.has(i)) poses.set(im.image_id, { R: mulM3(Rs[i]!, transposeM3(Q)), C: C[i]! });
  });
  return { poses, pairs: rel.length };
}

/** Writes a COLMAP text model of the poses, with the database's cameras' priors and no points. */
export async function writeInitialModel(
  dir: string,
  dbPath: string,
  poses: ReadonlyMap<number, PoseOf>,
): Promise<void> {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  const names = new Map<number, { name: string; camera: number }>();
  const cams: string[] = [];
  try {
    for (const r of db.prepare("SELECT image_id, name, camera_id FROM images").all() as {
      image_id: number;
      name: string;
      camera_id: number;
    }[])
      names.set(r.image_id, { name: r.name, camera: r.camera_id });
    const models = ["SIMPLE_PINHOLE", "PINHOLE", "SIMPLE_RADIAL", "RADIAL", "OPENCV"];
    for (const c of db
      .prepare("SELECT camera_id, model, width, height, params FROM cameras")
      .all() as {
      camera_id: number;
      model: number;
      width: number;
      height: number;
      params: Buffer;
    }[]) {
      const p = new Float64Array(
        c.params.buffer.slice(c.params.byteOffset, c.params.byteOffset + c.params.length),
      );
      cams.push(
        `${c.camera_id} ${models[c.model] ?? "SIMPLE_RADIAL"} ${c.width} ${c.height} ${[...p].join(" ")}`,
      );
    }
  } finally {
    db.close();
  }
  const lines: string[] = [];
  for (const [id, { R, C }] of poses) {
    const im = names.get(id);
    if (!im) continue;
    const q = quaternionFromRotation(asRows(R));
    const t = R.map((r) => -dot(r, C));
    lines.push(`${id} ${q.join(" ")} ${t.join(" ")} ${im.camera} ${im.name}`, "");
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "cameras.txt"), cams.join("\n") + "\n");
  await writeFile(join(dir, "images.txt"), lines.join("\n") + "\n");
  await writeFile(join(dir, "points3D.txt"), "");
}

const HOLD_INTRINSICS_BA = [
  ...["--BundleAdjustment.refine_focal_length", "0"],
  ...["--BundleAdjustment.refine_principal_point", "0"],
  ...["--BundleAdjustment.refine_extra_params", "0"],
];
const HOLD_INTRINSICS_TRI = [
  ...["--Mapper.ba_refine_focal_length", "0"],
  ...["--Mapper.ba_refine_principal_point", "0"],
  ...["--Mapper.ba_refine_extra_params", "0"],
];

/**
 * Iterations allowed to each bundle adjustment of the global start, where COLMAP's 100 stop it
 * short: from a GPS start the bend of a straight pass over flat ground is a shallow valley of the
 * cost. drone-video-srt: a 4-round model cut at 100 iterations (0.162° median rotation error,
 * 0.37 % centre) needed 218 more to converge (0.3138 → 0.3098 px): 0.055°, 0.095 %. Ceres stops
 * on its own convergence tests well before this bound. Not the whole story: a bench run with it
 * stopped after 2 converged rounds at 0.193° (a bent minimum that 1000 more iterations, dropping
 * observations over 1 px, or freeing the intrinsics leave as it is).
 */
export const GLOBAL_BA_MAX_ITERATIONS = 1000;

/** Triangulates the initial model and bundle-adjusts it (intrinsics held), `rounds` times. */
export async function adjustInitialModel(
  initDir: string,
  dbPath: string,
  imageRoot: string,
  workDir: string,
  rounds: number,
  c: StepContext,
): Promise<string> {
  let input = initDir;
  for (let r = 1; r <= rounds; r++) {
    const [tri, ba] = [join(workDir, `tri_${r}`), join(workDir, `ba_${r}`)];
    for (const d of [tri, ba]) {
      await rm(d, { recursive: true, force: true });
      await mkdir(d, { recursive: true });
    }
    await runColmap(
      [
        "point_triangulator",
        ...["--database_path", dbPath, "--image_path", imageRoot],
        ...["--input_path", input, "--output_path", tri, "--clear_points", "1"],
        ...HOLD_INTRINSICS_TRI,
      ],
      "point triangulation",
      c.signal,
    );
    await runColmap(
      [
        ...["bundle_adjuster", "--input_path", tri, "--output_path", ba, ...HOLD_INTRINSICS_BA],
        ...["--BundleAdjustment.max_num_iterations", String(GLOBAL_BA_MAX_ITERATIONS)],
      ],
      "bundle adjustment",
      c.signal,
    );
    input = ba;
  }
  return input;
}
