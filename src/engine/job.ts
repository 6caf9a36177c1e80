import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { CHECKPOINT_FILENAME, type Checkpoint } from "../contracts/checkpoint.js";
import type { StageResult } from "../contracts/stageResults.js";
import { progressPercentage, type JobStage, type StageName } from "../contracts/stages.js";
import { InterruptedError, SplatbookError, oneLine } from "../util/errors.js";
import { createCheckpointWriter } from "./checkpointStore.js";
import {
  recordStageComplete,
  recordStageFailure,
  recordStageStart,
  recordStageStep,
  savedStageStep,
} from "./stageRecords.js";
import { resultMismatch } from "./stageResults.js";
export type { StageOutcome } from "./stageSupport.js";
import {
  checkStageOrder,
  combineSignals,
  interruptionOf,
  outcomeOf,
  throwIfAborted,
  type StageOutcome,
  type StageRecordEx,
} from "./stageSupport.js";
import type { JobEvent, JobEventListener } from "../contracts/events.js";
import { createJobEventHub, type JobEventPayload } from "./events.js";
import { rootFingerprint, stableStringify, stageFingerprint } from "./fingerprint.js";
import { jobIdForOutput, sanitizeJobId, tempFolderFor } from "./jobId.js";
import { acquireJobLock, type JobLock } from "./lock.js";
import { silentLogger } from "./logger.js";
import {
  acceptedRecordedParams,
  checkNamedParams,
  checkParamValues,
  mergeParams,
  resolveJobParams,
  resolveStageParams,
  type ParamValues,
} from "./jobParams.js";
import { DEFAULT_MAX_CHECKPOINT_AGE_HOURS, openCheckpoint } from "./openCheckpoint.js";
import type { Logger } from "../contracts/logger.js";
import type { StageContext, StageContextParams, StageDefinition } from "../contracts/stage.js";

/** Options of {@link JobRun.open}. */
export interface JobRunOpenOptions {
  /** Folder of captured videos (or a precalibrated scene). */
  input: string;
  /** Output folder; holds `.checkpoint.json`, the lock, and every product. */
  output: string;
  /** The stage table, in pipeline order (see `loadStageTable`). */
  stages: readonly StageDefinition<any>[];
  /**
   * Parameters this call names (validated against the stage table's schemas). Parameters it does
   * not name keep the values the checkpoint recorded; `undefined` returns one to its default.
   */
  params?: Readonly<ParamValues>;
  /** Defaults to the sanitized output folder name. */
  jobId?: string;
  /** Ignore any existing checkpoint. */
  fresh?: boolean;
  /** Unfinished checkpoints older than this are ignored (default 24). */
  maxCheckpointAgeHours?: number;
  /** Aborting it stops the job at a safe point (the CLI wires SIGINT/SIGTERM to it). */
  signal?: AbortSignal;
  logger?: Logger;
  /** Subscribed before anything happens, so it also hears `job-start`/`resume`. */
  onEvent?: JobEventListener;
}

/** What {@link JobRun.run} returns. */
export interface JobRunResult {
  jobId: string;
  /** `Completed`, or the next stage when `until` stopped early. */
  stage: JobStage;
  completed: boolean;
  outcomes: StageOutcome[];
  checkpoint: Readonly<Checkpoint>;
}

/**
 * One job on one output folder, holding its lock while open. `run` does every stage still to
 * do; `runStage` does one named stage, running any missing or stale upstream stage first (each
 * upstream stage is reused when its fingerprint matches, so this is cheap when they are done).
 *
 * Longer than most files here (≈460 lines) because the lock, the checkpoint and the stage
 * sequencing are one state machine: split across modules they would share the private state.
 * The checkpoint records of a stage live in stageRecords.ts, its context in stageSupport.ts.
 */
export class JobRun {
  private readonly hub = createJobEventHub();
  private readonly writer;
  /** Open jobs of this process by output folder: a notebook may re-run its `JobRun.open` cell. */
  private static readonly openJobs = new Map<string, JobRun>();
  private started = false;
  private closed = false;
  private running = false;
  /** The named parameters the stages last checked (stable JSON). */
  private checkedParams: string | null = null;

  private constructor(
    readonly id: string,
    readonly inputFolder: string,
    readonly outputFolder: string,
    readonly tempFolder: string,
    private readonly stages: readonly StageDefinition<any>[],
    private cp: Checkpoint,
    /** Effective parameters: the recorded ones with every named one on top. */
    private params: ParamValues,
    private readonly lock: JobLock,
    private readonly log: Logger,
    private readonly signal: AbortSignal | undefined,
    /** Stage an unfinished checkpoint was resumed at; null for a new or Completed one. */
    readonly resumedFrom: JobStage | null,
    /** Stable JSON of the parameters the checkpoint file holds now. */
    private writtenParams: string,
  ) {
    this.writer = createCheckpointWriter(outputFolder);
  }

  /** Opens (or creates) the job: takes the lock, then reads or creates `.checkpoint.json`. */
  static async open(opts: JobRunOpenOptions): Promise<JobRun> {
    checkStageOrder(opts.stages);
    const named = { ...(opts.params ?? {}) };
    checkNamedParams(opts.stages, named);
    await checkParamValues(opts.stages, named);
    const log = opts.logger ?? silentLogger;
    const inputFolder = resolve(opts.input);
    const outputFolder = resolve(opts.output);
    if (!existsSync(inputFolder)) {
      throw new SplatbookError(`${inputFolder}: input folder does not exist`, {
        file: inputFolder,
      });
    }
    await mkdir(outputFolder, { recursive: true });
    await JobRun.closeEarlierInThisProcess(outputFolder, log);
    const lock = await acquireJobLock(outputFolder, log);
    try {
      const opened = await openCheckpoint({
        jobId: opts.jobId === undefined ? undefined : sanitizeJobId(opts.jobId),
        defaultJobId: jobIdForOutput(outputFolder),
        inputFolder,
        outputFolder,
        tempFolderFor: (jobId) => tempFolderFor(jobId, outputFolder),
        params: named,
        fresh: opts.fresh ?? false,
        maxAgeHours: opts.maxCheckpointAgeHours ?? DEFAULT_MAX_CHECKPOINT_AGE_HOURS,
        log,
      });
      const cp = opened.checkpoint;
      const onDisk = opened.created ? {} : cp.params;
      const recorded = acceptedRecordedParams(opts.stages, onDisk, log);
      const params = mergeParams(recorded, named);
      const job = new JobRun(
        cp.job_id,
        inputFolder,
        outputFolder,
        cp.temp_folder,
        opts.stages,
        cp,
        params,
        lock,
        log,
        opts.signal,
        opened.resumedFrom,
        stableStringify(onDisk ?? {}),
      );
      JobRun.openJobs.set(outputFolder, job);
      if (opts.onEvent) job.subscribe(opts.onEvent);
      await mkdir(cp.temp_folder, { recursive: true });
      if (opened.created) await job.write();
      if (opened.resumedFrom) {
        job.emit({
          type: "resume",
          stage: opened.resumedFrom,
          checkpointAgeHours: opened.ageHours ?? 0,
        });
      }
      return job;
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  /** The live checkpoint (read-only). */
  get checkpoint(): Readonly<Checkpoint> {
    return this.cp;
  }

  /**
   * The parameters in effect: the recorded ones with every named one on top, before defaults
   * (see {@link resolvedParams}).
   */
  get currentParams(): Readonly<ParamValues> {
    return this.params;
  }

  /** Every stage's parameters with defaults filled in, by stage. */
  resolvedParams(): Partial<Record<StageName, ParamValues>> {
    return Object.fromEntries(
      this.stages.map((def) => [def.name, resolveStageParams(def, this.params)]),
    );
  }

  /**
   * Names parameters (validated against the stage table, or against `stage`'s schema alone);
   * stages whose parameters change rerun on the next call. `undefined` returns one to its default.
   */
  setParams(patch: Readonly<ParamValues>, stage?: StageName): void {
    const only = stage === undefined ? undefined : this.stages[this.indexOf(stage)];
    checkNamedParams(this.stages, patch, only);
    this.params = mergeParams(this.params, patch);
  }

  /** Listens to this job's events; returns the unsubscribe function. */
  subscribe(listener: JobEventListener): () => void {
    return this.hub.subscribe(listener);
  }

  /**
   * The recorded result of a completed stage, checked against the stage's result schema (a
   * result that does not match is an error naming the stage and the field).
   */
  resultOf<S extends StageName>(stage: S): StageResult<S> | undefined {
    const rec = this.cp.stages[stage];
    if (rec?.state !== "completed") return undefined;
    const why = resultMismatch(this.stages[this.indexOf(stage)]!, rec.result);
    if (why !== null) {
      throw new SplatbookError(
        `${join(this.outputFolder, CHECKPOINT_FILENAME)}: the recorded result of ${stage} does not match its schema (${why}); run it again with --fresh`,
      );
    }
    return rec.result as StageResult<S>;
  }

  /** Runs every stage still to do, up to and including `until` (default: all). */
  async run(opts: { until?: JobStage; signal?: AbortSignal } = {}): Promise<JobRunResult> {
    const last =
      opts.until === undefined || opts.until === "Completed"
        ? this.stages.length - 1
        : this.indexOf(opts.until);
    const t0 = performance.now();
    const outcomes = await this.advance(last, opts.signal);
    const completed = this.cp.stage === "Completed";
    this.emit({
      type: "job-complete",
      stage: this.cp.stage,
      durationSecs: (performance.now() - t0) / 1000,
    });
    return { jobId: this.id, stage: this.cp.stage, completed, outcomes, checkpoint: this.cp };
  }

  /**
   * Runs one named stage and returns its outcome. Missing or stale upstream stages run first
   * (in order, with their usual events); a stage already done with the same fingerprint returns
   * its recorded result with `cached: true`.
   */
  async runStage(
    stage: StageName,
    opts: { params?: Readonly<ParamValues>; signal?: AbortSignal } = {},
  ): Promise<StageOutcome> {
    if (opts.params) this.setParams(opts.params, stage);
    const outcomes = await this.advance(this.indexOf(stage), opts.signal);
    return outcomes[outcomes.length - 1]!;
  }

  /** Releases the lock. The checkpoint stays as last written. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (JobRun.openJobs.get(this.outputFolder) === this) JobRun.openJobs.delete(this.outputFolder);
    await this.lock.release();
  }

  private indexOf(stage: JobStage): number {
    const i = this.stages.findIndex((s) => s.name === stage);
    if (i < 0) {
      throw new SplatbookError(
        `stage ${stage} is not in this job's stage table (${this.stages.map((s) => s.name).join(", ")})`,
      );
    }
    return i;
  }

  private emit(event: JobEventPayload): void {
    this.hub.emit({
      ...event,
      jobId: this.id,
      checkpoint: this.cp,
      at: new Date().toISOString(),
    } as JobEvent);
  }

  /** Evaluates stages 0..last in order: reuse by fingerprint, skip, or run. */
  private async advance(last: number, callSignal?: AbortSignal): Promise<StageOutcome[]> {
    if (this.closed) {
      throw new SplatbookError(`job ${this.id} is closed (it was closed or opened again)`);
    }
    if (this.running) throw new SplatbookError(`job ${this.id} is already running a stage`);
    this.running = true;
    try {
      return await this.advanceUnguarded(last, callSignal);
    } finally {
      this.running = false;
    }
  }

  /**
   * Re-opening a folder this process already has open (a re-run notebook cell) closes the
   * earlier Job object, unless it is still running a stage.
   */
  private static async closeEarlierInThisProcess(outputFolder: string, log: Logger): Promise<void> {
    const earlier = JobRun.openJobs.get(outputFolder);
    if (!earlier) return;
    if (earlier.running) {
      throw new SplatbookError(
        `${outputFolder}: job ${earlier.id} is still running a stage in this process`,
      );
    }
    log.debug(`closing the earlier JobRun object for ${outputFolder}`);
    await earlier.close();
  }

  private async advanceUnguarded(last: number, callSignal?: AbortSignal): Promise<StageOutcome[]> {
    const signal = combineSignals(this.signal, callSignal);
    this.emit({
      type: "job-start",
      inputFolder: this.inputFolder,
      outputFolder: this.outputFolder,
      resumed: !this.started && this.resumedFrom !== null,
    });
    this.started = true;
    await this.checkParamValues();
    // Parameters named for a stage that turns out cached are recorded all the same.
    if (stableStringify(this.params) !== this.writtenParams) await this.write();
    const outcomes: StageOutcome[] = [];
    let upstreamFingerprint = rootFingerprint(this.inputFolder);
    let upstreamResult: unknown = null;
    for (let i = 0; i <= last; i++) {
      const def = this.stages[i]!;
      const outcome = await this.evaluate(i, def, upstreamFingerprint, upstreamResult, signal);
      outcomes.push(outcome);
      upstreamFingerprint = outcome.fingerprint;
      upstreamResult = outcome.result ?? null;
    }
    return outcomes;
  }

  /** The stages' own checks of the named parameters, once per set of values. */
  private async checkParamValues(): Promise<void> {
    const key = stableStringify(this.params);
    if (key === this.checkedParams) return;
    await checkParamValues(this.stages, this.params);
    this.checkedParams = key;
  }

  private async evaluate(
    index: number,
    def: StageDefinition<any>,
    upstreamFingerprint: string,
    upstreamResult: unknown,
    signal: AbortSignal | undefined,
  ): Promise<StageOutcome> {
    const name = def.name;
    const started = Date.now();
    let fingerprint = "";
    try {
      throwIfAborted(signal);
      const probe = this.context(def, signal);
      const params = resolveStageParams(def, this.params);
      const inputs = { params, stage: (await def.fingerprintInputs(probe)) ?? null };
      fingerprint = stageFingerprint({ stage: name, inputs, upstreamFingerprint, upstreamResult });
      const rec = this.cp.stages[name] as StageRecordEx | undefined;
      if (rec && rec.fingerprint === fingerprint && this.reusable(def, rec)) {
        this.emit({ type: "stage-cached", stage: name, fingerprint });
        return outcomeOf(name, rec, true);
      }
      const reason = def.skipReason?.(probe) ?? null;
      throwIfAborted(signal);
      await this.begin(index, fingerprint, reason, params);
      if (reason !== null) {
        this.log.info(`${name} skipped: ${reason}`);
        this.emit({ type: "stage-skipped", stage: name, reason });
        return outcomeOf(name, this.cp.stages[name] as StageRecordEx, false);
      }
      this.emit({ type: "stage-start", stage: name, progressPercentage: progressPercentage(name) });
      const result: unknown = await def.run(this.context(def, signal, fingerprint));
      return await this.finish(index, def, result, started);
    } catch (err) {
      throw await this.fail(def, fingerprint, err, signal, started);
    }
  }

  /**
   * Whether a record with a matching fingerprint can stand: skipped, or completed with a result
   * its schema accepts (one recorded by another release may not be; the stage then runs again).
   */
  private reusable(def: StageDefinition<any>, rec: StageRecordEx): boolean {
    if (rec.state === "skipped") return true;
    if (rec.state !== "completed") return false;
    const why = resultMismatch(def, rec.result);
    if (why !== null) {
      this.log.warn(
        `${def.name}: the recorded result does not match its schema (${why}); running it again`,
      );
    }
    return why === null;
  }

  /** Records the stage as running (or skipped) and writes the checkpoint. */
  private async begin(
    index: number,
    fingerprint: string,
    skipReason: string | null,
    params: ParamValues,
  ): Promise<void> {
    recordStageStart(this.cp, this.stages, index, fingerprint, skipReason, params);
    await this.write();
  }

  private async finish(
    index: number,
    def: StageDefinition<any>,
    result: unknown,
    started: number,
  ): Promise<StageOutcome> {
    const why = resultMismatch(def, result);
    if (why !== null) {
      throw new SplatbookError(
        `${def.name} returned a result that does not match its schema: ${why}`,
      );
    }
    const durationSecs = (Date.now() - started) / 1000;
    const rec = recordStageComplete(this.cp, this.stages, index, result, durationSecs);
    await this.write();
    this.emit({ type: "stage-complete", stage: def.name, durationSecs, result: rec.result });
    return outcomeOf(def.name, rec, false);
  }

  /** Records the failure (one-line cause) and returns the error to throw. */
  private async fail(
    def: StageDefinition<any>,
    fingerprint: string,
    err: unknown,
    signal: AbortSignal | undefined,
    started: number,
  ): Promise<unknown> {
    const interrupted = Boolean(signal?.aborted) || err instanceof InterruptedError;
    const error = interrupted ? interruptionOf(signal, err) : err;
    const message = oneLine(error);
    const durationSecs = (Date.now() - started) / 1000;
    recordStageFailure(this.cp, def.name, fingerprint, message, durationSecs);
    try {
      await this.write();
    } catch (writeErr) {
      this.log.warn(`could not record the failure in the checkpoint: ${oneLine(writeErr)}`);
    }
    await this.notifyFailure(def, signal, message);
    this.emit({ type: "stage-failed", stage: def.name, error: message, interrupted, durationSecs });
    this.emit({ type: "job-failed", stage: def.name, error: message, interrupted });
    return error;
  }

  /** The stage's own failure hook (e.g. Training marks its status file); never throws. */
  private async notifyFailure(
    def: StageDefinition<any>,
    signal: AbortSignal | undefined,
    message: string,
  ): Promise<void> {
    if (!def.onFailure) return;
    try {
      await def.onFailure(this.context(def, signal), message);
    } catch (err) {
      this.log.warn(`${def.name}: failure hook failed: ${oneLine(err)}`);
    }
  }

  /** Writes the checkpoint, with the parameters in effect. */
  private async write(): Promise<void> {
    this.cp.params = structuredClone(this.params);
    await this.writer.write(this.cp);
    this.writtenParams = stableStringify(this.params);
  }

  private context(
    def: StageDefinition<any>,
    signal: AbortSignal | undefined,
    fingerprint?: string,
  ): StageContext {
    const snapshot = structuredClone(this.cp);
    return {
      jobId: this.id,
      inputFolder: this.inputFolder,
      outputFolder: this.outputFolder,
      tempFolder: this.tempFolder,
      // Resolved by each stage's schema (the contract's for the pipeline's stages).
      params: Object.freeze(resolveJobParams(this.stages, this.params)) as StageContextParams,
      checkpoint: snapshot,
      log: this.log,
      signal: signal ?? new AbortController().signal,
      resultOf: (stage) => this.resultOf(stage),
      progress: (fraction, detail) => {
        const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
        this.emit({ type: "stage-progress", stage: def.name, fraction: f, detail });
      },
      savedStep: <T>(name: string) =>
        savedStageStep(this.cp, def.name, fingerprint, name) as T | undefined,
      saveStep: async (name, value) => {
        if (fingerprint === undefined) return; // a probe context: nothing runs in it
        recordStageStep(this.cp, def.name, fingerprint, name, value);
        await this.write();
      },
      saveStageProgress: async (patch) => {
        if (patch.videos !== undefined) this.cp.videos = structuredClone(patch.videos);
        this.cp.progress_owner = { stage: def.name, fingerprint: fingerprint ?? null };
        await this.write();
      },
    };
  }
}
