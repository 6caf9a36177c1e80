/**
 * For stage tests that call a stage with a context double instead of the engine: the parameters
 * as the engine hands them over, and a `resultOf` over results the test records.
 */
import type { JobParams } from "../src/contracts/params.js";
import type { StageContext, StageContextParams } from "../src/contracts/stage.js";
import { STAGES, type StageName } from "../src/contracts/stages.js";
import { resolveJobParams } from "../src/engine/jobParams.js";

/** Every stage's parameters resolved by its contract schema (defaults filled in), like the engine. */
export function resolvedParams(params: JobParams = {}): StageContextParams {
  return resolveJobParams(
    STAGES.map((name) => ({ name })),
    params,
  ) as StageContextParams;
}

/** A `resultOf` reading the given results as recorded (not checked against their schemas). */
export function resultsOf(
  results: Partial<Record<StageName, unknown>> | ReadonlyMap<StageName, unknown>,
): StageContext["resultOf"] {
  const get = (s: StageName) =>
    results instanceof Map ? results.get(s) : (results as Record<string, unknown>)[s];
  return (stage) => get(stage) as never;
}
