import { Command, InvalidArgumentError, Option } from "commander";
import { parseStageName, type JobStage } from "../contracts/stages.js";
import type { JobParams } from "../contracts/params.js";

/** Commander parser: a positive number. */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a number > 0");
  return n;
}

/** Commander parser: a whole number ≥ 1. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number ≥ 1");
  return n;
}

/** Commander parser: a whole number ≥ 0. */
export function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a whole number ≥ 0");
  return n;
}

/** Commander parser: a stage name, any case. */
export function stageArg(value: string): JobStage {
  try {
    return parseStageName(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** Flags shared by `process`, `demo` and `watch`. */
export interface JobFlags {
  fresh?: boolean;
  until?: JobStage;
  framesPerVideo?: number;
  fps?: number;
  maxLongSide?: number;
  sharpest?: boolean;
  matcher?: "auto" | "sequential" | "exhaustive";
  steps?: number;
  maxResolution?: number;
  shDegree?: number;
  maxSplats?: number;
  seed?: number;
  evalEvery?: number;
  previewEvery?: number;
  snapshotEvery?: number;
  defaultFov?: number;
  minRegisteredFraction?: number;
  maxCheckpointAgeHours?: number;
  jsonLog?: boolean;
}

/** Adds the job flags (stage parameters, resume control, log format) to a command. */
export function addJobOptions(cmd: Command, opts: { fresh?: boolean } = {}): Command {
  if (opts.fresh !== false) cmd.option("--fresh", "ignore an existing checkpoint and start over");
  return cmd
    .option("--until <stage>", "stop after this stage (e.g. ColmapReconstruction)", stageArg)
    .option(
      "--frames-per-video <n>",
      "frames sampled uniformly per video (default 60)",
      positiveInt,
    )
    .option("--fps <f>", "sample at this rate instead of a fixed count", positiveNumber)
    .option("--max-long-side <px>", "longest side of extracted frames (default 1600)", positiveInt)
    .option("--sharpest", "keep the sharpest frame of each sampling window")
    .addOption(
      new Option("--matcher <kind>", "COLMAP matcher (auto: exhaustive for ≤ 60 frames)").choices([
        "auto",
        "sequential",
        "exhaustive",
      ]),
    )
    .option(
      "--default-fov <deg>",
      "field of view when a video has no focal length (65)",
      positiveNumber,
    )
    .option(
      "--min-registered-fraction <f>",
      "fail COLMAP below this registered fraction (0.5)",
      positiveNumber,
    )
    .option("--steps <n>", "training steps", positiveInt)
    .option("--max-resolution <px>", "longest side of training images", positiveInt)
    .option("--sh-degree <n>", "spherical harmonics degree (0-3)", wholeNumber)
    .option("--max-splats <n>", "cap on the number of Gaussians", positiveInt)
    .option("--seed <n>", "random seed for training", wholeNumber)
    .option("--eval-every <n>", "evaluate PSNR every N steps", wholeNumber)
    .option("--preview-every <n>", "render a preview every N steps", wholeNumber)
    .option("--snapshot-every <n>", "save a resumable snapshot every N steps", wholeNumber)
    .option(
      "--max-checkpoint-age-hours <h>",
      "ignore unfinished checkpoints older than this (default 24)",
      positiveNumber,
    )
    .option("--json-log", "log and report progress as JSON lines on stdout");
}

/** The JobParams the flags set (unset flags stay unset, so stage defaults apply). */
export function paramsFromFlags(flags: JobFlags): JobParams {
  const params: JobParams = {};
  const set = <K extends keyof JobParams>(key: K, value: JobParams[K] | undefined) => {
    if (value !== undefined) params[key] = value;
  };
  set("framesPerVideo", flags.framesPerVideo);
  set("fps", flags.fps);
  set("maxLongSide", flags.maxLongSide);
  set("sharpest", flags.sharpest);
  set("matcher", flags.matcher);
  set("defaultFovDeg", flags.defaultFov);
  set("minRegisteredFraction", flags.minRegisteredFraction);
  set("steps", flags.steps);
  set("maxResolution", flags.maxResolution);
  set("shDegree", flags.shDegree);
  set("maxSplats", flags.maxSplats);
  set("seed", flags.seed);
  set("evalEvery", flags.evalEvery);
  set("previewEvery", flags.previewEvery);
  set("snapshotEvery", flags.snapshotEvery);
  return params;
}
