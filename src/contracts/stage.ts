import type { z } from "zod";
import type { Checkpoint, CompletedStages } from "./checkpoint.js";
import type { Logger } from "./logger.js";
import type { ResolvedJobParams } from "./params.js";
import type { StageResult } from "./stageResults.js";
import type { StageName } from "./stages.js";

/** A stage's parameter schema: an object whose every field is optional or has a default. */
export type StageParamSchema = z.ZodObject;

/**
 * The parameters a stage sees: every stage's parameters resolved by its schema, defaults filled
 * in and ranges checked, so a stage never falls back on a value of its own (the ones the contract
 * schemas declare are typed; a stage with its own schema reads its keys as unknown).
 */
export type StageContextParams = Readonly<ResolvedJobParams & { readonly [key: string]: unknown }>;

/** A stage's result schema: what it records and later stages read (see `STAGE_RESULTS`). */
export type StageResultSchema = z.ZodType;

/** What the engine hands to a stage. Stages never write the checkpoint themselves. */
export interface StageContext {
  readonly jobId: string;
  readonly inputFolder: string;
  readonly outputFolder: string;
  readonly tempFolder: string;
  readonly params: StageContextParams;
  /** Snapshot of the checkpoint as of this stage's start. */
  readonly checkpoint: Readonly<Checkpoint>;
  readonly log: Logger;
  /** Aborted on SIGINT/SIGTERM or a notebook interrupt; stop at a safe point. */
  readonly signal: AbortSignal;
  /**
   * Result recorded by an upstream stage, checked against its schema (undefined if it has not
   * run or was skipped).
   */
  resultOf<S extends StageName>(stage: S): StageResult<S> | undefined;
  /** Report fractional progress (0..1) within this stage, with an optional label. */
  progress(fraction: number, detail?: string): void;
  /**
   * Persist a small piece of in-stage progress (e.g. per-video extraction) into the checkpoint,
   * atomically, so a killed stage can resume at a finer grain.
   */
  saveStageProgress(patch: Partial<Pick<Checkpoint, "videos">>): Promise<void>;
  /**
   * Records a finished step of this stage (a JSON value) in the checkpoint, atomically, so that
   * a rerun of the stage with the same fingerprint after an interruption can skip it. Dropped when
   * the stage completes. Absent in contexts that keep no checkpoint (unit tests).
   */
  saveStep?(name: string, value: unknown): Promise<void>;
  /** A step an earlier, unfinished run of this stage with the same fingerprint saved. */
  savedStep?<T = unknown>(name: string): T | undefined;
}

/**
 * One row of the stage table: what a stage area exports (`<area>/<name>.stage.ts`) and the engine
 * runs. The engine knows stages only through these hooks.
 */
export interface StageDefinition<R = unknown> {
  readonly name: StageName;
  /**
   * The stage's parameter schema; by default the contract's (`STAGE_PARAMS[name]`). The engine
   * validates calls against it, records the resolved values in the stage's checkpoint record and
   * includes them in the fingerprint.
   */
  readonly params?: StageParamSchema;
  /**
   * The stage's result schema; by default the contract's (`STAGE_RESULTS[name]`). The engine
   * checks a result when the stage returns it and whenever it reads a recorded one.
   */
  readonly result?: StageResultSchema;
  /**
   * The input identities (and any derived settings) this stage depends on, beyond its own
   * parameters (which the engine adds). The engine hashes this with the upstream stages'
   * fingerprints; a change reruns this stage and every later one.
   */
  fingerprintInputs(ctx: StageContext): Promise<unknown> | unknown;
  /**
   * Checks values of this stage's parameters that its schema cannot (a code in a registry). The
   * engine calls it when a run starts, for stages a named parameter belongs to, so a bad value
   * fails in seconds instead of when the stage is reached after reconstruction and training.
   */
  checkParams?(params: StageContextParams): Promise<void> | void;
  /** Do the work. Throw SplatbookError for expected failures. */
  run(ctx: StageContext): Promise<R>;
  /** Fields of the checkpoint's `completed_stages` this result sets (e.g. video_count). */
  summarize?(result: R): Partial<CompletedStages>;
  /**
   * Return a reason to skip this stage (e.g. "precalibrated input: colmap model at …"),
   * or null to run it.
   */
  skipReason?(ctx: StageContext): string | null;
  /**
   * Called after the engine has recorded this stage's failure (or interruption) in the
   * checkpoint, with the one-line cause: lets a stage mark files it owns (Training: its status
   * file). Errors it throws are logged, never replace the stage's own error.
   */
  onFailure?(ctx: StageContext, message: string): Promise<void> | void;
}
