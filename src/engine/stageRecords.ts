/**
 * How a stage's run is written into `.checkpoint.json`: its record when it starts (or is
 * skipped), completes or fails, with the job's `stage`, progress and `completed_stages` kept in
 * step. Each function changes the checkpoint object in place; the job writes it afterwards.
 */
import type { Checkpoint } from "../contracts/checkpoint.js";
import type { StageDefinition } from "../contracts/stage.js";
import type { JobStage, StageName } from "../contracts/stages.js";
import { rebuildCompletedStages, setStage } from "./checkpointStore.js";
import type { ParamValues } from "./jobParams.js";
import type { StageRecordEx } from "./stageSupport.js";

/**
 * A stage about to run (or skipped, with `skipReason`): drops the records of this stage and every
 * later one in `stages` (from `index` on), then records this one as running or skipped. Progress
 * kept for another fingerprint of this stage (per-video frame progress) is dropped too.
 */
export function recordStageStart(
  cp: Checkpoint,
  stages: readonly StageDefinition<any>[],
  index: number,
  fingerprint: string,
  skipReason: string | null,
  params: ParamValues,
): void {
  const name = stages[index]!.name;
  const owner = cp.progress_owner as { stage?: string; fingerprint?: string } | undefined;
  if (owner?.stage === name && owner.fingerprint !== fingerprint) {
    delete cp.videos;
    delete cp.progress_owner;
  }
  if (cp.stage_steps?.stage === name && cp.stage_steps.fingerprint !== fingerprint) {
    delete cp.stage_steps;
  }
  for (const later of stages.slice(index)) delete cp.stages[later.name];
  const now = new Date().toISOString();
  cp.stages[name] = {
    state: skipReason === null ? "running" : "skipped",
    fingerprint,
    started_at: now,
    finished_at: skipReason === null ? null : now,
    duration_secs: skipReason === null ? null : 0,
    reason: skipReason,
    error: null,
    params: structuredClone(params),
  };
  cp.error = null;
  cp.completed_stages = rebuildCompletedStages(cp);
  setStage(cp, skipReason === null ? name : nextStage(stages, index));
}

/** A stage that finished: its result (in JSON form) and summary; the job moves to the next. */
export function recordStageComplete(
  cp: Checkpoint,
  stages: readonly StageDefinition<any>[],
  index: number,
  result: unknown,
  durationSecs: number,
): StageRecordEx {
  const def = stages[index]!;
  const rec = cp.stages[def.name] as StageRecordEx;
  rec.state = "completed";
  rec.finished_at = new Date().toISOString();
  rec.duration_secs = durationSecs;
  rec.result = result === undefined ? null : JSON.parse(JSON.stringify(result));
  rec.summary = def.summarize?.(result) ?? {};
  if (cp.stage_steps?.stage === def.name) delete cp.stage_steps;
  cp.completed_stages = rebuildCompletedStages(cp);
  setStage(cp, nextStage(stages, index));
  return rec;
}

/**
 * A stage that failed with `message` (one line): recorded as failed (keeping the start of a run
 * that began), the job's error set, and the job left at this stage.
 */
export function recordStageFailure(
  cp: Checkpoint,
  name: StageName,
  fingerprint: string,
  message: string,
  durationSecs: number,
): void {
  const now = new Date().toISOString();
  const prev = cp.stages[name] as StageRecordEx | undefined;
  const ran = prev?.state === "running";
  cp.stages[name] = {
    ...(ran ? prev : {}),
    state: "failed",
    fingerprint: ran ? prev!.fingerprint : fingerprint || null,
    started_at: ran ? prev!.started_at : now,
    finished_at: now,
    duration_secs: durationSecs,
    error: message,
    result: undefined,
  };
  cp.error = { stage: name, message, at: now };
  cp.completed_stages = rebuildCompletedStages(cp);
  setStage(cp, name);
}

/** The stage after `index` in the table, or `Completed` after the last. */
export function nextStage(stages: readonly StageDefinition<any>[], index: number): JobStage {
  return stages[index + 1]?.name ?? "Completed";
}

/** A step saved by an unfinished run of `stage` at `fingerprint`, if any. */
export function savedStageStep(
  cp: Checkpoint,
  stage: StageName,
  fingerprint: string | undefined,
  name: string,
): unknown {
  const s = cp.stage_steps;
  return s && s.stage === stage && s.fingerprint === fingerprint ? s.steps[name] : undefined;
}

/** Records a finished step of `stage` (running at `fingerprint`) in the checkpoint object. */
export function recordStageStep(
  cp: Checkpoint,
  stage: StageName,
  fingerprint: string,
  name: string,
  value: unknown,
): void {
  const mine = cp.stage_steps?.stage === stage && cp.stage_steps.fingerprint === fingerprint;
  const steps = mine ? cp.stage_steps!.steps : {};
  steps[name] = value === undefined ? null : JSON.parse(JSON.stringify(value));
  cp.stage_steps = { stage, fingerprint, steps };
}
