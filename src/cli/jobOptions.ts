import { Command, InvalidArgumentError, type Option } from "commander";
import { STAGE_PARAMS, type JobParams } from "../contracts/params.js";
import { paramOptions, paramsFromFlags } from "./paramOptions.js";
import { parseStageName, type JobStage } from "../contracts/stages.js";

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

/** Flags of `process`, `demo` and `watch` that steer the job rather than a stage. */
export interface JobControlFlags {
  fresh?: boolean;
  until?: JobStage;
  maxCheckpointAgeHours?: number;
  jsonLog?: boolean;
}

/**
 * Flags shared by `process`, `demo` and `watch`: the control flags and one flag per stage
 * parameter (generated from the parameter schemas in `src/contracts/params.ts`).
 */
export type JobFlags = JobControlFlags & { readonly [attribute: string]: unknown };

/** Every stage parameter as [parameter key, commander option], in pipeline order. */
function jobParamOptions(): Array<[string, Option]> {
  return Object.values(STAGE_PARAMS).flatMap(paramOptions);
}

/** Adds the job flags (stage parameters, resume control, log format) to a command. */
export function addJobOptions(cmd: Command, opts: { fresh?: boolean } = {}): Command {
  if (opts.fresh !== false) cmd.option("--fresh", "ignore an existing checkpoint and start over");
  cmd.option("--until <stage>", "stop after this stage (e.g. ColmapReconstruction)", stageArg);
  for (const [, option] of jobParamOptions()) cmd.addOption(option);
  return cmd
    .option(
      "--max-checkpoint-age-hours <h>",
      "ignore unfinished checkpoints older than this (default 24)",
      positiveNumber,
    )
    .option("--json-log", "log and report progress as JSON lines on stdout");
}

/**
 * The parameters the flags name. Unset flags stay unset, so the values the job's checkpoint
 * recorded (or the defaults) apply.
 */
export function jobParamsFromFlags(flags: JobFlags): JobParams {
  return paramsFromFlags(jobParamOptions(), flags) as JobParams;
}
