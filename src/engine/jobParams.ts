/**
 * A job's parameters: validated against the stage table's schemas, merged over the values the
 * checkpoint recorded, resolved per stage (defaults filled in) for the stage and its fingerprint.
 *
 * "Named" parameters are the ones a call gives; "effective" ones are the recorded values with the
 * named ones on top (a key named with the value `undefined` goes back to its default); "resolved"
 * ones are one stage's effective values parsed by its schema.
 */
import { STAGE_PARAMS } from "../contracts/params.js";
import type { StageContextParams, StageDefinition, StageParamSchema } from "../contracts/stage.js";
import type { Logger } from "../contracts/logger.js";
import { SplatbookError } from "../util/errors.js";

/** Parameter values by name, as stored in `.checkpoint.json`'s `params`. */
export type ParamValues = Record<string, unknown>;

/** What parameter checks need of a stage: its name and (optionally) its own schema. */
export type ParamOwner = Pick<StageDefinition<any>, "name" | "params">;

/** A stage's parameter schema: its own `params`, else the contract's for its name. */
export function paramSchemaOf(
  def: Pick<StageDefinition<any>, "name" | "params">,
): StageParamSchema {
  return def.params ?? STAGE_PARAMS[def.name];
}

/** The parameter names a stage declares. */
export function paramNamesOf(def: ParamOwner): string[] {
  return Object.keys(paramSchemaOf(def).shape);
}

/** Edit distance, for "did you mean" on a misspelled key. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = next;
    }
  }
  return row[b.length]!;
}

function unknownKeyError(
  key: string,
  scope: string,
  accepted: string[],
  owner: string | undefined,
): SplatbookError {
  const dist = new Map(accepted.map((k) => [k, distance(k.toLowerCase(), key.toLowerCase())]));
  const best = Math.min(2, ...dist.values());
  const close = accepted.filter((k) => dist.get(k) === best);
  const hint = owner
    ? ` ("${key}" is a ${owner} parameter)`
    : close.length > 0
      ? ` (did you mean ${close.map((k) => `"${k}"`).join(" or ")}?)`
      : "";
  const list = accepted.length > 0 ? accepted.join(", ") : "none";
  return new SplatbookError(`unknown parameter "${key}" for ${scope}${hint}; accepted: ${list}`);
}

/**
 * Checks named parameters: every key must be declared by `only` (one stage's call) or else by
 * some stage of the table, and every value must pass its stage's schema. Throws one line naming
 * the key, the stage and the accepted keys.
 */
export function checkNamedParams(
  stages: readonly ParamOwner[],
  named: ParamValues,
  only?: ParamOwner,
): void {
  const scope = only ? [only] : stages;
  const owners = new Map<string, ParamOwner>();
  for (const def of stages) for (const k of paramNamesOf(def)) owners.set(k, def);
  for (const key of Object.keys(named)) {
    const owner = owners.get(key);
    if (owner && scope.some((s) => s.name === owner.name)) continue;
    const accepted = scope.flatMap(paramNamesOf);
    throw unknownKeyError(key, only ? only.name : "this job", accepted, owner?.name);
  }
  for (const def of scope) {
    const names = paramNamesOf(def).filter((k) => Object.hasOwn(named, k));
    const given = Object.fromEntries(
      names.filter((k) => named[k] !== undefined).map((k) => [k, named[k]]),
    );
    const parsed = paramSchemaOf(def).safeParse(given);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const key = issue.path.join(".");
      throw new SplatbookError(
        `${def.name} parameter ${key} = ${JSON.stringify(given[key])}: ${issue.message}`,
      );
    }
  }
}

/** Recorded values with the named ones on top; a key named as `undefined` is dropped. */
export function mergeParams(recorded: ParamValues, named: ParamValues): ParamValues {
  const out: ParamValues = { ...recorded };
  for (const [k, v] of Object.entries(named)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

/**
 * Recorded parameters as the current stage table accepts them: keys no stage declares, and
 * values a schema now rejects, are dropped with a warning (a checkpoint from another version).
 */
export function acceptedRecordedParams(
  stages: readonly ParamOwner[],
  recorded: unknown,
  log: Logger,
): ParamValues {
  if (recorded === null || typeof recorded !== "object" || Array.isArray(recorded)) return {};
  const out: ParamValues = {};
  for (const [key, value] of Object.entries(recorded)) {
    const owner = stages.find((s) => paramNamesOf(s).includes(key));
    const ok = owner && paramSchemaOf(owner).safeParse({ [key]: value }).success;
    if (ok) out[key] = value;
    else log.warn(`ignoring the recorded parameter ${key} = ${JSON.stringify(value)}`);
  }
  return out;
}

/** One stage's parameters with defaults filled in, from the job's effective parameters. */
export function resolveStageParams(def: ParamOwner, effective: ParamValues): ParamValues {
  const schema = paramSchemaOf(def);
  const own = Object.fromEntries(
    Object.keys(schema.shape)
      .filter((k) => effective[k] !== undefined)
      .map((k) => [k, effective[k]]),
  );
  return schema.parse(own) as ParamValues;
}

/** Every stage's resolved parameters in one object (what `ctx.params` holds). */
export function resolveJobParams(
  stages: readonly ParamOwner[],
  effective: ParamValues,
): ParamValues {
  return Object.assign({}, ...stages.map((s) => resolveStageParams(s, effective)));
}

/**
 * Runs each stage's `checkParams` (checks its schema cannot make, such as a registry lookup) for
 * the stages that `named` names a parameter of, with every stage's resolved values.
 */
export async function checkParamValues(
  stages: readonly StageDefinition<any>[],
  named: ParamValues,
): Promise<void> {
  const given = Object.keys(named);
  const resolved = resolveJobParams(stages, named) as StageContextParams;
  for (const def of stages) {
    if (paramNamesOf(def).some((n) => given.includes(n))) await def.checkParams?.(resolved);
  }
}
