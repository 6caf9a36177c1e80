/** Helpers of the job runner: stage outcomes, stage table checks, interruption. */
import { STAGES, type StageName } from "../contracts/stages.js";
import type { CompletedStages, StageRecord } from "../contracts/checkpoint.js";
import { InterruptedError, SplatbookError } from "../util/errors.js";
import type { StageDefinition } from "../contracts/stage.js";

/** What running (or reusing) one stage produced. */
export interface StageOutcome {
  stage: StageName;
  /** `cached`: completed earlier with the same fingerprint, not run now. */
  status: "completed" | "cached" | "skipped";
  /** True when the stage did not run in this call (cached, or skipped earlier). */
  cached: boolean;
  /** The recorded result (JSON form, as downstream stages see it); undefined when skipped. */
  result: unknown;
  /** Why a skipped stage was skipped. */
  reason: string | null;
  /** Duration of the recorded run. */
  durationSecs: number;
  fingerprint: string;
}

/** A stage record with the engine's additions. */
export type StageRecordEx = StageRecord & {
  summary?: Partial<CompletedStages>;
  fingerprint: string | null;
};

export function outcomeOf(stage: StageName, rec: StageRecordEx, cached: boolean): StageOutcome {
  return {
    stage,
    status: rec.state === "skipped" ? "skipped" : cached ? "cached" : "completed",
    cached,
    result: rec.state === "completed" ? rec.result : undefined,
    reason: rec.reason ?? null,
    durationSecs: rec.duration_secs ?? 0,
    fingerprint: rec.fingerprint ?? "",
  };
}

/** Stages must be known names, each once, in pipeline order. */
export function checkStageOrder(stages: readonly StageDefinition<any>[]): void {
  let prev = -1;
  for (const s of stages) {
    const i = STAGES.indexOf(s.name);
    if (i <= prev) {
      throw new SplatbookError(
        `stage table out of order or repeated at ${s.name}; expected order ${STAGES.join(", ")}`,
      );
    }
    prev = i;
  }
  if (stages.length === 0) throw new SplatbookError("the stage table is empty");
}

/** Throws the interruption if the signal has aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw interruptionOf(signal, undefined);
}

/** The InterruptedError for an abort: the signal's reason if it is one (CLI: SIGTERM → 143). */
export function interruptionOf(signal: AbortSignal | undefined, err: unknown): InterruptedError {
  if (signal?.reason instanceof InterruptedError) return signal.reason;
  if (err instanceof InterruptedError) return err;
  return new InterruptedError("interrupt");
}

/** Either signal, or one aborting when either does. */
export function combineSignals(a?: AbortSignal, b?: AbortSignal): AbortSignal | undefined {
  if (a && b) return AbortSignal.any([a, b]);
  return a ?? b;
}
