/**
 * Each stage's parameters: one zod schema per stage, shared by the CLI flags (generated from the
 * `flag` and `description` below), the notebook API (`job.train(params: TrainingParams)`), the
 * engine (validation, defaults, fingerprints, the parameters recorded in `.checkpoint.json`).
 *
 * Adding a parameter is a change here only: a field with its type, default, CLI flag and help
 * line. The engine fingerprints every stage's resolved parameters, so a new field invalidates
 * its stage when its value changes; the stage reads it from `ctx.params`.
 */
import { z } from "zod";
import { CrsSchema } from "./georef.js";
import type { StageName } from "./stages.js";

/** How the CLI spells a parameter and describes it. */
export interface ParamInfo {
  /** Commander flag, e.g. `--frames-per-video <n>` (no `<…>` for a boolean). */
  flag: string;
  /** One help line (the CLI adds the schema's range and default). */
  description: string;
}

/** The CLI spelling of every parameter schema below. */
export const paramInfo = z.registry<ParamInfo>();

/**
 * A parameter with its CLI spelling registered. Every parameter is optional for callers: give it
 * a `.default()` or make it `.optional()`.
 */
function param<T extends z.ZodType>(schema: T, info: ParamInfo): T {
  paramInfo.add(schema, info);
  return schema;
}

const positiveInt = () => z.number().int().positive();
const wholeNumber = () => z.number().int().nonnegative();

/** FrameExtraction: which frames are sampled from each video, at what size. */
export const FrameExtractionParamsSchema = z.strictObject({
  framesPerVideo: param(positiveInt().default(60), {
    flag: "--frames-per-video <n>",
    description: "frames sampled uniformly per video; ignored when fps is set",
  }),
  fps: param(z.number().positive().optional(), {
    flag: "--fps <f>",
    description: "sample at this rate instead of a fixed count",
  }),
  maxLongSide: param(positiveInt().default(1600), {
    flag: "--max-long-side <px>",
    description: "longest side of extracted frames in pixels; smaller videos are never upscaled",
  }),
  sharpest: param(z.boolean().default(false), {
    flag: "--sharpest",
    description: "keep the sharpest frame of each sampling window (variance of Laplacian)",
  }),
  photoFilter: param(z.boolean().default(false), {
    flag: "--photo-filter",
    description:
      "leave out photos much blurrier than the capture's others and near-duplicates of the photo before them",
  }),
});

/** ManifestGeneration: the camera intrinsics prior. */
export const ManifestGenerationParamsSchema = z.strictObject({
  defaultFovDeg: param(z.number().positive().lt(180).default(65), {
    flag: "--default-fov <deg>",
    description:
      "field of view in degrees along the frame's long side when a video records no focal length",
  }),
});

/**
 * ColmapReconstruction: the first attempt's matching and features, and what a reconstruction must
 * reach. Failing that, stronger attempts follow (relaxed mapper, more pairs, guided matching, more
 * and upsampled features, exhaustive matching) up to `sfmAttempts`.
 */
export const ColmapReconstructionParamsSchema = z.strictObject({
  matcher: param(z.literal(["auto", "video", "sequential", "exhaustive"]).default("auto"), {
    flag: "--matcher <kind>",
    description:
      "first attempt's pairs: video (neighbours in each video, loops, pairs across videos), " +
      "exhaustive, sequential (COLMAP's matcher), or auto (exhaustive where it costs little more than video)",
  }),
  maxFeatures: param(positiveInt().optional(), {
    flag: "--max-features <n>",
    description:
      "SIFT features per frame for the first attempt (default: chosen from the frame size and count)",
  }),
  minRegisteredFraction: param(z.number().positive().max(1).default(0.95), {
    flag: "--min-registered-fraction <f>",
    description: "fraction of the frames one model must register; less makes a stronger attempt",
  }),
  sfmAttempts: param(positiveInt().max(6).default(6), {
    flag: "--sfm-attempts <n>",
    description: "attempts before ColmapReconstruction fails (1: no retry with stronger settings)",
  }),
  // Optional rather than defaulted: unset passes no flag (COLMAP's own seed, 0) and keeps the
  // fingerprints of reconstructions made before the parameter existed.
  sfmSeed: param(wholeNumber().optional(), {
    flag: "--sfm-seed <n>",
    description:
      "COLMAP's random seed (RANSAC, mapper); COLMAP's threads still vary results (default: COLMAP's, 0)",
  }),
});

/** Training: 3D Gaussian splatting. */
export const TrainingParamsSchema = z.strictObject({
  steps: param(positiveInt().optional(), {
    flag: "--steps <n>",
    description: "training steps (default: chosen from the adapter and the time budget)",
  }),
  maxResolution: param(positiveInt().optional(), {
    flag: "--max-resolution <px>",
    description:
      "longest side of training images in pixels (default: chosen from the adapter and the time budget)",
  }),
  timeBudget: param(positiveInt().optional(), {
    flag: "--time-budget <seconds>",
    description:
      "training time that steps and resolution are chosen for when not given (default: 600 s on a CPU adapter, none on a GPU)",
  }),
  shDegree: param(wholeNumber().max(3).default(3), {
    flag: "--sh-degree <n>",
    description: "spherical harmonics degree the run trains up to",
  }),
  maxSplats: param(positiveInt().default(200_000), {
    flag: "--max-splats <n>",
    description: "cap on the number of Gaussians",
  }),
  seed: param(wholeNumber().default(42), {
    flag: "--seed <n>",
    description: "random seed for training (view order, densification)",
  }),
  evalEvery: param(wholeNumber().default(500), {
    flag: "--eval-every <n>",
    description: "evaluate PSNR/SSIM on the held-out views every N steps (0: only at the end)",
  }),
  previewEvery: param(wholeNumber().default(500), {
    flag: "--preview-every <n>",
    description: "render a preview every N steps (0: never)",
  }),
  snapshotEvery: param(wholeNumber().default(500), {
    flag: "--snapshot-every <n>",
    description: "save a resumable snapshot every N steps (0: never)",
  }),
  appearance: param(z.literal(["auto", "gain", "affine", "off"]).default("auto"), {
    flag: "--appearance <mode>",
    description:
      "per-image exposure and white-balance compensation, learnt per training image from the views' " +
      "exposure estimated from the sparse points and held near it (the exported model is the neutral " +
      "one): gain (per-channel gain and offset), affine (a full colour transform), auto (gain when " +
      "the views' exposure varies by 4 % or more, else off) or off",
  }),
  antiAliasing: param(z.literal(["mip", "off"]).default("mip"), {
    flag: "--anti-aliasing <mode>",
    description:
      "mip: Mip-Splatting's 3D smoothing filter (baked into the exported splats) and 2D opacity " +
      "compensation (PLY comment SplatRenderMode: mip); off: classic 3DGS rendering",
  }),
  resolutionSchedule: param(z.literal(["coarse-to-fine", "fixed"]).default("coarse-to-fine"), {
    flag: "--resolution-schedule <kind>",
    description:
      "coarse-to-fine: the first 40 % of the steps (up to 75 % where the plan chooses the resolution and " +
      "that buys a larger one) at a quarter and a half of the final resolution " +
      "(levels of ≥ 80 px), so a budget buys a higher final resolution; fixed: every step at the final resolution",
  }),
  densification: param(z.literal(["classic", "relocate"]).default("classic"), {
    flag: "--densification <kind>",
    description:
      "classic: 3DGS clone/split/prune rounds; relocate: transparent splats moved onto live ones " +
      "instead of pruned, opacity decay and position noise on low-opacity splats (3DGS-MCMC, Brush)",
  }),
  learningRates: param(z.literal(["run-length", "3dgs"]).default("run-length"), {
    flag: "--learning-rates <kind>",
    description:
      "run-length: the published 3DGS position learning rate × √(30 000 / steps) (at most × 5) and the others × its square root, so a short run " +
      "takes larger steps; 3dgs: the published rates (set for 30 000 steps) at any run length",
  }),
});

/** PlyExport: the map projection the exported georef.json names. */
export const PlyExportParamsSchema = z.strictObject({
  crs: param(CrsSchema.optional(), {
    flag: "--crs <EPSG:code>",
    description:
      "projected CRS georef.json names for putting the model on a map, e.g. EPSG:2056 " +
      "(default: the UTM zone of the GPS origin); the model itself stays in local ENU metres",
  }),
});

const noParams = z.strictObject({});

/** Every stage's parameter schema, by stage name (stages without parameters take none). */
export const STAGE_PARAMS = {
  Validation: noParams,
  FrameExtraction: FrameExtractionParamsSchema,
  MetadataExtraction: noParams,
  ManifestGeneration: ManifestGenerationParamsSchema,
  ColmapReconstruction: ColmapReconstructionParamsSchema,
  Training: TrainingParamsSchema,
  PlyExport: PlyExportParamsSchema,
  SplatExport: noParams,
} as const satisfies Record<StageName, z.ZodObject>;

/** What a caller may pass to one stage (every field optional). */
export type StageParams<S extends StageName> = z.input<(typeof STAGE_PARAMS)[S]>;
/** One stage's parameters with defaults filled in, as the stage runs with them. */
export type ResolvedStageParams<S extends StageName> = z.output<(typeof STAGE_PARAMS)[S]>;

export type FrameExtractionParams = StageParams<"FrameExtraction">;
export type ManifestGenerationParams = StageParams<"ManifestGeneration">;
export type ColmapReconstructionParams = StageParams<"ColmapReconstruction">;
export type TrainingParams = StageParams<"Training">;
export type PlyExportParams = StageParams<"PlyExport">;
/**
 * The Training parameters resolved by their schema: what `splatbook train`, the Training stage
 * and the notebook's `job.train` hand to the trainer (`steps`, `maxResolution` and `timeBudget`
 * stay unset unless given: the training plan chooses the run length and resolution).
 */
export type TrainSettings = ResolvedStageParams<"Training">;

/** Every stage's parameters in one object (`Job.open({ params })`, `process` flags). */
export type JobParams = FrameExtractionParams &
  ManifestGenerationParams &
  ColmapReconstructionParams &
  TrainingParams &
  PlyExportParams;

/** Every stage's parameters with defaults filled in. */
export type ResolvedJobParams = ResolvedStageParams<"FrameExtraction"> &
  ResolvedStageParams<"ManifestGeneration"> &
  ResolvedStageParams<"ColmapReconstruction"> &
  ResolvedStageParams<"Training"> &
  ResolvedStageParams<"PlyExport">;

/** One stage's parameters picked from every stage's (e.g. a stage context's `params`). */
export function stageParamsOf<S extends StageName>(
  stage: S,
  params: Readonly<ResolvedStageParams<S>>,
): ResolvedStageParams<S> {
  const keys = Object.keys(STAGE_PARAMS[stage].shape).filter((k) => Object.hasOwn(params, k));
  return Object.fromEntries(
    keys.map((k) => [k, params[k as keyof typeof params]]),
  ) as ResolvedStageParams<S>;
}

/** The stage that declares `key`, if any. */
export function stageOfParam(key: string): StageName | undefined {
  for (const [stage, schema] of Object.entries(STAGE_PARAMS)) {
    if (Object.hasOwn(schema.shape, key)) return stage as StageName;
  }
  return undefined;
}
