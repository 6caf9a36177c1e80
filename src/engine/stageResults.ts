/**
 * Stage results against their schemas: the engine checks what a stage returns before recording
 * it, and a recorded result before a later stage (or a reuse by fingerprint) relies on it.
 */
import { STAGE_RESULTS } from "../contracts/stageResults.js";
import type { StageDefinition, StageResultSchema } from "../contracts/stage.js";

/** A stage's result schema: its own `result`, else the contract's for its name. */
export function resultSchemaOf(
  def: Pick<StageDefinition<any>, "name" | "result">,
): StageResultSchema {
  return def.result ?? STAGE_RESULTS[def.name];
}

/** Why `value` is not a result of `def` (the first issue, with its path), or null when it is. */
export function resultMismatch(
  def: Pick<StageDefinition<any>, "name" | "result">,
  value: unknown,
): string | null {
  const parsed = resultSchemaOf(def).safeParse(value);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0]!;
  const at = issue.path.length ? `${issue.path.join(".")}: ` : "";
  return `${at}${issue.message}`;
}
