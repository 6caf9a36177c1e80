import { Command, InvalidArgumentError, Option } from "commander";
import type { z } from "zod";
import { STAGE_PARAMS, paramInfo, type JobParams } from "../contracts/params.js";
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

/** The schema inside `.default()`/`.optional()` wrappers. */
function innerType(schema: z.ZodType): z.ZodType {
  let t: any = schema;
  while (t.def.type === "default" || t.def.type === "optional") t = t.def.innerType;
  return t as z.ZodType;
}

/** "expected a whole number ≥ 1" and the like, from a zod number's checks. */
function numberRule(schema: z.ZodType): string {
  const checks: any[] = ((schema as any).def.checks ?? []).map((c: any) => c._zod.def);
  const isInt = checks.some((c) => c.check === "number_format" && /int/.test(c.format));
  const parts = [isInt ? "a whole number" : "a number"];
  for (const c of checks) {
    if (c.check === "greater_than") {
      parts.push(c.inclusive ? `≥ ${c.value}` : isInt ? `≥ ${c.value + 1}` : `> ${c.value}`);
    } else if (c.check === "less_than") {
      parts.push(c.inclusive ? `≤ ${c.value}` : isInt ? `≤ ${c.value - 1}` : `< ${c.value}`);
    }
  }
  return `expected ${parts[0]}${parts.length > 1 ? " " + parts.slice(1).join(" and ") : ""}`;
}

/** The commander option for one parameter (its flag, help line, parser or choices). */
function paramOption(key: string, schema: z.ZodType): Option {
  const info = paramInfo.get(schema);
  if (!info) throw new Error(`parameter ${key} has no CLI flag in src/contracts/params.ts`);
  const fallback = (schema as any).def.defaultValue as unknown;
  const option = new Option(
    info.flag,
    fallback === undefined || fallback === false
      ? info.description
      : `${info.description} (default ${String(fallback)})`,
  );
  const inner = innerType(schema);
  const kind = (inner as any).def.type as string;
  if (kind === "enum") return option.choices((inner as any).options as string[]);
  if (kind === "number") {
    const rule = numberRule(inner);
    return option.argParser((value: string) => {
      const n = value.trim() === "" ? NaN : Number(value);
      if (!inner.safeParse(n).success) throw new InvalidArgumentError(rule);
      return n;
    });
  }
  return option;
}

/** Every stage parameter as [parameter key, commander option], in pipeline order. */
function paramOptions(): Array<[string, Option]> {
  return Object.values(STAGE_PARAMS).flatMap((schema) =>
    Object.entries(schema.shape).map(
      ([key, field]) => [key, paramOption(key, field)] as [string, Option],
    ),
  );
}

/** Adds the job flags (stage parameters, resume control, log format) to a command. */
export function addJobOptions(cmd: Command, opts: { fresh?: boolean } = {}): Command {
  if (opts.fresh !== false) cmd.option("--fresh", "ignore an existing checkpoint and start over");
  cmd.option("--until <stage>", "stop after this stage (e.g. ColmapReconstruction)", stageArg);
  for (const [, option] of paramOptions()) cmd.addOption(option);
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
export function paramsFromFlags(flags: JobFlags): JobParams {
  const params: Record<string, unknown> = {};
  for (const [key, option] of paramOptions()) {
    const value = flags[option.attributeName()];
    if (value !== undefined) params[key] = value;
  }
  return params as JobParams;
}
