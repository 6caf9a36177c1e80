/**
 * The COLMAP steps of one sparse reconstruction, each a separate command on one database:
 * feature extraction, matching (exhaustive, sequential or a pairs list), mapping and merging.
 * Splitting them lets a retry keep the features and add pairs or rerun only the mapper.
 */
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { InterruptedError, SplatbookError } from "../util/errors.js";
import { runTool } from "../util/exec.js";
import { countRegisteredImages } from "./colmapBinary.js";
import type { FramePair } from "./pairs.js";
import { readImageSize } from "./imageSize.js";
import { groupFirstOctave, type SiftSettings } from "./siftSettings.js";

/** Frames of one video: one COLMAP camera each. */
export interface VideoFrames {
  /** Image names relative to the image root, e.g. `clip/frame_000001.jpg`. */
  images: string[];
  /** Camera prior in frame pixels; null lets COLMAP guess from the image size. */
  camera: { model: "PINHOLE" | "SIMPLE_RADIAL"; params: number[] } | null;
  /** Photos of one camera, in no order (paired as a pool), not frames of a video. */
  unordered?: boolean;
  /** Each image's GPS (null where unknown). */
  gps?: readonly ({ latitude: number; longitude: number; altitude: number | null } | null)[];
  /** The manifest's camera group id (logs and the attempt record). */
  group?: string;
  /** True when the camera prior came from metadata (EXIF, container, .SRT), not a default. */
  priorFirm?: boolean;
}

/** What every step needs: where, how to stop, where progress and log lines go. */
export interface StepContext {
  signal?: AbortSignal;
  /** COLMAP's `--random_seed` for the steps that draw (matching, mapping, merging); unset: COLMAP's. */
  seed?: number;
  /** Fraction 0..1 of the step, with a label. */
  onProgress?: (fraction: number, detail: string) => void;
  /** Log sink for COLMAP's own summary lines. */
  onLog?: (line: string) => void;
}

/** COLMAP without a display, logging to stderr instead of files in /tmp. */
const COLMAP_ENV = { ...process.env, QT_QPA_PLATFORM: "offscreen" };

/** Runs one COLMAP command; a non-zero exit is a SplatbookError naming the step. */
export async function runColmap(
  args: string[],
  what: string,
  signal: AbortSignal | undefined,
  onLine: (line: string) => void = () => undefined,
  seed?: number,
): Promise<void> {
  const seedArgs = seed === undefined ? [] : ["--random_seed", String(seed)];
  const r = await runTool("colmap", [...args, ...seedArgs, "--log_to_stderr", "1"], {
    env: COLMAP_ENV,
    signal,
    onStdoutLine: onLine,
    onStderrLine: onLine,
  });
  if (r.code !== 0) {
    const tail = (r.stderr + r.stdout)
      .split("\n")
      .filter((l) => /error|fail|check/i.test(l))
      .slice(-2)
      .join(" ")
      .trim();
    throw new SplatbookError(`COLMAP ${what} failed (exit ${r.code})${tail ? `: ${tail}` : ""}`);
  }
}

/** The optional SIFT options, only where set (COLMAP's defaults otherwise). */
function siftExtras(sift: SiftSettings): string[] {
  const out: string[] = [];
  if (sift.peakThreshold !== undefined)
    out.push("--SiftExtraction.peak_threshold", String(sift.peakThreshold));
  if (sift.domainSizePooling) out.push("--SiftExtraction.domain_size_pooling", "1");
  if (sift.estimateAffineShape) out.push("--SiftExtraction.estimate_affine_shape", "1");
  return out;
}

/**
 * Extracts features into `db` (created), one extractor run per video so that each video gets its
 * own camera and intrinsics prior (COLMAP's single_camera_per_folder takes one prior for all),
 * and its own first octave: small frames beside large photos are still upsampled.
 */
export async function extractFeatures(
  db: string,
  imageRoot: string,
  videos: VideoFrames[],
  sift: SiftSettings,
  c: StepContext,
): Promise<void> {
  const total = videos.reduce((n, v) => n + v.images.length, 0);
  let done = 0;
  for (const [i, video] of videos.entries()) {
    const list = join(db, "..", `images_${i}.txt`);
    await writeFile(list, video.images.join("\n") + "\n");
    const size = await readImageSize(join(imageRoot, video.images[0]!));
    const prior = video.camera
      ? ["--ImageReader.camera_model", video.camera.model]
      : ["--ImageReader.camera_model", "SIMPLE_RADIAL"];
    if (video.camera) prior.push("--ImageReader.camera_params", video.camera.params.join(","));
    const args = [
      "feature_extractor",
      ...["--database_path", db, "--image_path", imageRoot, "--image_list_path", list],
      ...["--ImageReader.single_camera", "1", ...prior],
      ...["--SiftExtraction.use_gpu", "0"],
      ...["--SiftExtraction.max_image_size", String(sift.maxImageSize)],
      ...["--SiftExtraction.max_num_features", String(sift.maxNumFeatures)],
      ...["--SiftExtraction.first_octave", String(groupFirstOctave(sift, size))],
      ...siftExtras(sift),
    ];
    const before = done;
    await runColmap(args, "feature extraction", c.signal, (line) => {
      const m = /Processed file \[(\d+)\/(\d+)\]/.exec(line);
      if (m)
        c.onProgress?.(
          (before + Number(m[1])) / total,
          `features ${before + Number(m[1])}/${total}`,
        );
    });
    done += video.images.length;
  }
}

/** How to match: COLMAP's exhaustive or sequential matcher, or a pairs list. */
export type MatchRequest =
  | { kind: "exhaustive" }
  | { kind: "sequential"; overlap: number }
  | { kind: "pairs"; pairs: readonly FramePair[]; names: readonly string[] };

/**
 * Matches into `db`. COLMAP skips pairs the database already holds, so matching more pairs after
 * a first attempt costs only the new ones; `guided` re-estimates matches with the two-view
 * geometry (call clearMatches first so that old pairs are matched again).
 */
export async function matchFeatures(
  db: string,
  m: MatchRequest,
  guided: boolean,
  c: StepContext,
): Promise<void> {
  let args: string[];
  if (m.kind === "exhaustive") args = ["exhaustive_matcher"];
  else if (m.kind === "sequential") {
    args = ["sequential_matcher", "--SequentialMatching.overlap", String(m.overlap)];
    args.push("--SequentialMatching.loop_detection", "0");
  } else {
    // One "name1 name2" line per pair: COLMAP splits on the space, and frame names have none.
    const list = join(db, "..", "pairs.txt");
    await writeFile(list, m.pairs.map(([a, b]) => `${m.names[a]} ${m.names[b]}\n`).join(""));
    args = ["matches_importer", "--match_list_path", list, "--match_type", "pairs"];
  }
  args.push("--database_path", db, "--SiftMatching.use_gpu", "0");
  args.push("--SiftMatching.guided_matching", guided ? "1" : "0");
  const onLine = (line: string) => {
    const seq = /Matching image \[(\d+)\/(\d+)\]/.exec(line);
    if (seq) c.onProgress?.(Number(seq[1]) / Number(seq[2]), `matching ${seq[1]}/${seq[2]}`);
    const blk = /Matching block \[(\d+)\/(\d+)(?:, (\d+)\/(\d+))?\]/.exec(line);
    if (blk) {
      const [a, A, b, B] = blk.slice(1).map((x) => Number(x ?? 1)) as number[];
      const f = ((a! - 1) * B! + b! - 1) / (A! * B!);
      c.onProgress?.(f, `matching block ${(a! - 1) * B! + b!}/${A! * B!}`);
    }
  };
  await runColmap(args, "matching", c.signal, onLine, c.seed);
}

/** Removes every match and two-view geometry from `db`, keeping the features. */
export async function clearMatches(db: string, c: StepContext): Promise<void> {
  await runColmap(
    ["database_cleaner", "--database_path", db, "--type", "matches"],
    "database cleaning",
    c.signal,
  );
}

/** One model the mapper made. */
export interface ModelInfo {
  dir: string;
  registered: number;
}

/** Mapper options a stronger attempt relaxes. */
export interface MapperOptions {
  /** Lower inlier thresholds for the initial pair and for registering further frames. */
  relaxed: boolean;
}

/**
 * Runs the mapper into `outDir` (emptied first); returns its models, largest first. An empty
 * list means no image pair could start a model (COLMAP 3.8 exits 1 then).
 */
export async function runMapper(
  db: string,
  imageRoot: string,
  outDir: string,
  total: number,
  o: MapperOptions,
  c: StepContext,
): Promise<ModelInfo[]> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const args = [
    "mapper",
    ...["--database_path", db, "--image_path", imageRoot, "--output_path", outDir],
    // Looser global bundle adjustment, run less often: on the 120-frame sample this cut the
    // mapper from 28 s to 8 s with the same 120 registered frames and points (0.46 px).
    ...["--Mapper.ba_global_function_tolerance", "1e-6"],
    ...["--Mapper.ba_global_images_ratio", "1.4", "--Mapper.ba_global_points_ratio", "1.4"],
    // One focal length per camera, refined; the radial term held at the prior's 0. bench:sfm on
    // handheld-photos (square-pixel renders, no distortion), same database, seeds 1–3: with the
    // radial term free the focal lengths drifted 4–6 % high and rotations were off 1.06–1.23°
    // (median); held, 1.7 % and 0.72–0.79°, at the same reprojection error (0.56 px).
    ...["--Mapper.ba_refine_extra_params", "0"],
  ];
  if (o.relaxed) {
    // Half COLMAP's inlier minimums: low-texture frames then still start and extend a model.
    args.push("--Mapper.init_min_num_inliers", "50", "--Mapper.abs_pose_min_num_inliers", "15");
    args.push("--Mapper.min_num_matches", "10");
  }
  const onLine = (line: string) => {
    const m = /Registering image #\d+ \((\d+)\)/.exec(line);
    if (m) c.onProgress?.(Number(m[1]) / total, `registered ${m[1]}/${total}`);
    if (/^(Bundle adjustment report|Elapsed time)/.test(line)) c.onLog?.(line);
  };
  const error = await runColmap(args, "mapper", c.signal, onLine, c.seed).then(
    () => null,
    (err: unknown) => err,
  );
  const models = await listModels(outDir);
  const noModel = error instanceof SplatbookError && !(error instanceof InterruptedError);
  if (error && (models.length > 0 || !noModel)) throw error;
  return models;
}

/** The models (numbered folders) under `dir`, largest first. */
export async function listModels(dir: string): Promise<ModelInfo[]> {
  const names = (await readdir(dir)).filter((n) => /^\d+$/.test(n));
  const models: ModelInfo[] = [];
  for (const n of names) {
    const m = join(dir, n);
    models.push({ dir: m, registered: await countRegisteredImages(m) });
  }
  return models.sort((a, b) => b.registered - a.registered);
}

/**
 * Tries to merge every other model into the largest (`model_merger` needs frames the two models
 * share). Returns the merged model when it registers more than the largest, else null.
 */
export async function mergeModels(
  models: ModelInfo[],
  outDir: string,
  c: StepContext,
): Promise<ModelInfo | null> {
  if (models.length < 2) return null;
  let current = models[0]!;
  for (const [i, other] of models.slice(1).entries()) {
    const dir = join(outDir, `merged_${i}`);
    await mkdir(dir, { recursive: true });
    const ok = await runColmap(
      [
        ...["model_merger", "--input_path1", current.dir, "--input_path2", other.dir],
        ...["--output_path", dir],
      ],
      "model merging",
      c.signal,
      (line) => c.onLog?.(line),
      c.seed,
    ).then(
      () => true,
      (err: unknown) => {
        if (err instanceof InterruptedError) throw err;
        return false;
      },
    );
    if (!ok) continue;
    const registered = await countRegisteredImages(dir).catch(() => 0);
    if (registered > current.registered) current = { dir, registered };
  }
  return current === models[0] ? null : current;
}
