import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { InterruptedError, SplatbookError } from "../util/errors.js";
import { runTool } from "../util/exec.js";
import { countRegisteredImages, readPoints3DBin } from "./colmapBinary.js";
import { meanReprojectionError } from "./sceneModel.js";

/** Frames of one video: one COLMAP camera each. */
export interface VideoFrames {
  /** Image names relative to the image root, e.g. `clip/frame_000001.jpg`. */
  images: string[];
  /** Camera prior in frame pixels; null lets COLMAP guess from the image size. */
  camera: { model: "PINHOLE" | "SIMPLE_RADIAL"; params: number[] } | null;
}

export type MatcherKind = "sequential" | "exhaustive";

/** Options of one sparse reconstruction. */
export interface SparseOptions {
  /** Folder the image names are relative to. */
  imageRoot: string;
  videos: VideoFrames[];
  /** Scratch folder for the database and the mapper's models (emptied first). */
  workDir: string;
  matcher: MatcherKind;
  /** Frames each frame is matched against in sequential mode (default 12). */
  overlap?: number;
  /** Long-side limit COLMAP applies when extracting features (default 1600). */
  maxImageSize?: number;
  /**
   * Features kept per image (default 1024). CPU matching time grows with it (measured ~40 ms
   * per pair at ~440 features, ~130 ms at ~1400); video frames rarely need more.
   */
  maxNumFeatures?: number;
  /**
   * SIFT's first octave (default 0): −1 upsamples the image first, finding ~3× more, finer
   * features that cost matching time and add little on compressed video frames.
   */
  firstOctave?: number;
  signal?: AbortSignal;
  /** Fraction 0..1 of the whole reconstruction, with a phase label. */
  onProgress?: (fraction: number, detail: string) => void;
  /** Log sink for COLMAP's own summary lines. */
  onLog?: (line: string) => void;
}

/** What the mapper produced, reading the largest model. */
export interface SparseResult {
  /** Folder of the largest model (cameras.bin, images.bin, points3D.bin). */
  modelDir: string;
  registered: number;
  total: number;
  points: number;
  meanReprojectionError: number;
  /** Number of separate models the mapper produced. */
  models: number;
  matcher: MatcherKind;
  /** Wall seconds per phase. */
  seconds: { extract: number; match: number; map: number; total: number };
}

/** COLMAP without a display, logging to stderr instead of files in /tmp. */
const COLMAP_ENV = { ...process.env, QT_QPA_PLATFORM: "offscreen" };
const COMMON = ["--log_to_stderr", "1"];

/** Phase spans within the 0..1 progress of a reconstruction (matching dominates on CPU). */
const SPAN = { extract: [0, 0.2], match: [0.2, 0.8], map: [0.8, 1] } as const;

async function colmap(
  args: string[],
  what: string,
  o: Pick<SparseOptions, "signal">,
  onLine: (line: string) => void,
): Promise<void> {
  const r = await runTool("colmap", [...args, ...COMMON], {
    env: COLMAP_ENV,
    signal: o.signal,
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

/**
 * Feature extraction (one camera per video), matching and mapping. Throws SplatbookError when
 * COLMAP fails or reconstructs no model; a low registration count is the caller's to judge.
 */
export async function runSparseReconstruction(o: SparseOptions): Promise<SparseResult> {
  const total = o.videos.reduce((n, v) => n + v.images.length, 0);
  const report = (span: readonly [number, number], f: number, detail: string) =>
    o.onProgress?.(span[0] + (span[1] - span[0]) * Math.min(1, Math.max(0, f)), detail);
  await rm(o.workDir, { recursive: true, force: true });
  await mkdir(join(o.workDir, "models"), { recursive: true });
  const db = join(o.workDir, "database.db");
  const t0 = performance.now();

  // One extractor run per video, each with its own image list and intrinsics prior: COLMAP's
  // single_camera_per_folder cannot take a different prior per folder.
  let extracted = 0;
  for (const [i, video] of o.videos.entries()) {
    const list = join(o.workDir, `images_${i}.txt`);
    await writeFile(list, video.images.join("\n") + "\n");
    const prior = video.camera
      ? [
          "--ImageReader.camera_model",
          video.camera.model,
          "--ImageReader.camera_params",
          video.camera.params.join(","),
        ]
      : ["--ImageReader.camera_model", "SIMPLE_RADIAL"];
    const args = [
      "feature_extractor",
      ...["--database_path", db, "--image_path", o.imageRoot, "--image_list_path", list],
      ...["--ImageReader.single_camera", "1", ...prior],
      ...["--SiftExtraction.use_gpu", "0"],
      ...["--SiftExtraction.max_image_size", String(o.maxImageSize ?? 1600)],
      ...["--SiftExtraction.max_num_features", String(o.maxNumFeatures ?? 1024)],
      ...["--SiftExtraction.first_octave", String(o.firstOctave ?? 0)],
    ];
    const before = extracted;
    await colmap(args, "feature extraction", o, (line) => {
      const m = /Processed file \[(\d+)\/(\d+)\]/.exec(line);
      if (m)
        report(
          SPAN.extract,
          (before + Number(m[1])) / total,
          `features ${before + Number(m[1])}/${total}`,
        );
    });
    extracted += video.images.length;
  }
  const t1 = performance.now();

  const matchArgs =
    o.matcher === "sequential"
      ? [
          "sequential_matcher",
          ...["--SequentialMatching.overlap", String(o.overlap ?? 12)],
          ...["--SequentialMatching.loop_detection", "0"],
        ]
      : ["exhaustive_matcher"];
  await colmap(
    [...matchArgs, "--database_path", db, "--SiftMatching.use_gpu", "0"],
    "matching",
    o,
    (line) => {
      const seq = /Matching image \[(\d+)\/(\d+)\]/.exec(line);
      if (seq) report(SPAN.match, Number(seq[1]) / Number(seq[2]), `matching ${seq[1]}/${seq[2]}`);
      const blk = /Matching block \[(\d+)\/(\d+), (\d+)\/(\d+)\]/.exec(line);
      if (blk) {
        const [a, A, b, B] = blk.slice(1).map(Number) as [number, number, number, number];
        report(
          SPAN.match,
          ((a - 1) * B + b - 1) / (A * B),
          `matching block ${(a - 1) * B + b}/${A * B}`,
        );
      }
    },
  );
  const t2 = performance.now();

  const modelsDir = join(o.workDir, "models");
  // COLMAP 3.8's mapper exits 1 ("failed to create sparse model") when no image pair could
  // start a model: that is the no-parallax case, reported below from the empty models folder.
  const mapped = colmap(
    [
      "mapper",
      ...["--database_path", db, "--image_path", o.imageRoot, "--output_path", modelsDir],
      // Looser global bundle adjustment, run less often: on the 120-frame sample this cut the
      // mapper from 28 s to 8 s with the same 120 registered frames and points (0.46 px).
      ...["--Mapper.ba_global_function_tolerance", "1e-6"],
      ...["--Mapper.ba_global_images_ratio", "1.4", "--Mapper.ba_global_points_ratio", "1.4"],
    ],
    "mapper",
    o,
    (line) => {
      const m = /Registering image #\d+ \((\d+)\)/.exec(line);
      if (m) report(SPAN.map, Number(m[1]) / total, `registered ${m[1]}/${total}`);
      if (/^(Bundle adjustment report|Elapsed time)/.test(line)) o.onLog?.(line);
    },
  );
  const mapperError = await mapped.then(
    () => null,
    (err: unknown) => err,
  );
  const t3 = performance.now();

  const models = (await readdir(modelsDir)).filter((n) => /^\d+$/.test(n));
  const noModel =
    mapperError instanceof SplatbookError && !(mapperError instanceof InterruptedError);
  if (mapperError && (models.length > 0 || !noModel)) throw mapperError;
  if (models.length === 0) {
    throw new SplatbookError(
      `COLMAP reconstructed no model from ${total} frames: the capture may lack parallax or texture`,
    );
  }
  let best = { dir: "", registered: -1 };
  for (const m of models) {
    const dir = join(modelsDir, m);
    const registered = await countRegisteredImages(dir);
    if (registered > best.registered) best = { dir, registered };
  }
  const points = await readPoints3DBin(best.dir);
  report(SPAN.map, 1, `registered ${best.registered}/${total}`);
  return {
    modelDir: best.dir,
    registered: best.registered,
    total,
    points: points.count,
    meanReprojectionError: meanReprojectionError(points),
    models: models.length,
    matcher: o.matcher,
    seconds: {
      extract: (t1 - t0) / 1000,
      match: (t2 - t1) / 1000,
      map: (t3 - t2) / 1000,
      total: (t3 - t0) / 1000,
    },
  };
}

/**
 * Undistorts a model to PINHOLE cameras for training: `outDir/images/…` and `outDir/sparse/`
 * (binary model). `outDir` must not exist yet.
 */
export async function undistortToPinhole(
  imageRoot: string,
  modelDir: string,
  outDir: string,
  signal?: AbortSignal,
): Promise<void> {
  await colmap(
    [
      "image_undistorter",
      ...["--image_path", imageRoot, "--input_path", modelDir, "--output_path", outDir],
      ...["--output_type", "COLMAP"],
    ],
    "image undistortion",
    { signal },
    () => undefined,
  );
}
