import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Checkpoint } from "../contracts/checkpoint.js";
import { CHECKPOINT_FILENAME } from "../contracts/checkpoint.js";
import type { ProgressPayload, StageViewState, TrainingPayload } from "../contracts/mime.js";
import { STAGES, progressPercentage, type StageName } from "../contracts/stages.js";
import { TRAINING_STATUS_FILENAME, TrainingStatusSchema } from "../contracts/trainingStatus.js";
import type { JobEvent } from "../contracts/events.js";
import { display, type DisplayHandle } from "../kernel/runtime.js";
import { progressBundle, trainingBundle } from "./bundles.js";

type StageView = ProgressPayload["stages"][number];

/** Stage rows as recorded in a checkpoint (no live state). */
export function stageRowsFromCheckpoint(cp: Readonly<Checkpoint> | undefined): StageView[] {
  return STAGES.map((name) => {
    const rec = cp?.stages[name];
    const state: StageViewState =
      rec?.state === "completed"
        ? "completed"
        : rec?.state === "skipped"
          ? "skipped"
          : rec?.state === "failed"
            ? "failed"
            : "pending";
    return {
      name,
      state,
      fraction: null,
      detail: rec?.state === "skipped" ? (rec.reason ?? null) : (rec?.error ?? null),
      duration_secs: rec?.duration_secs ?? null,
    };
  });
}

/** The progress payload of a checkpoint at rest (status card). */
export function progressPayloadFromCheckpoint(
  cp: Readonly<Checkpoint>,
  rows: StageView[] = stageRowsFromCheckpoint(cp),
): ProgressPayload {
  return {
    job_id: cp.job_id,
    stage: cp.stage,
    progress_percentage: progressPercentage(cp.stage),
    stages: rows,
    status_file: join(cp.output_folder, CHECKPOINT_FILENAME),
    output_folder: cp.output_folder,
    error: cp.error ? `${cp.error.stage}: ${cp.error.message}` : null,
  };
}

/** Reads training_status.json; undefined while it is absent or mid-replace on another FS. */
export function readTrainingPayload(
  outputFolder: string,
  jobId: string,
): TrainingPayload | undefined {
  const file = join(outputFolder, TRAINING_STATUS_FILENAME);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  const parsed = TrainingStatusSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const s = parsed.data;
  const preview = s.preview_file ? join(outputFolder, s.preview_file) : null;
  return {
    job_id: s.job_id ?? jobId,
    status: s.status,
    step: s.current_iteration,
    total: s.total_iterations,
    splat_count: s.current_splat_count,
    last_eval_psnr: s.last_eval_psnr,
    last_eval_ssim: s.last_eval_ssim,
    psnr_history: s.psnr_history ?? [],
    preview_path: preview,
    status_file: file,
    elapsed_time_seconds: s.elapsed_time_seconds,
    estimated_remaining_seconds: s.estimated_remaining_seconds,
  };
}

function readPreview(path: string | null): Uint8Array | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/**
 * One live output for a notebook call: a progress display updated from engine events and, while
 * Training runs, a second display fed by polling training_status.json (the same file external
 * monitors read). Updates are throttled; state changes are shown at once.
 */
export class ProgressView {
  private rows: StageView[];
  private cp: Readonly<Checkpoint>;
  private handle: DisplayHandle | undefined;
  private trainingHandle: DisplayHandle | undefined;
  private trainingTimer: NodeJS.Timeout | undefined;
  private lastDraw = 0;
  private pending: NodeJS.Timeout | undefined;

  constructor(
    cp: Readonly<Checkpoint>,
    private readonly throttleMs = 250,
  ) {
    this.cp = cp;
    this.rows = stageRowsFromCheckpoint(cp);
  }

  /** Feeds one engine event. */
  readonly onEvent = (e: JobEvent): void => {
    this.cp = e.checkpoint;
    const row = "stage" in e ? this.rows.find((r) => r.name === e.stage) : undefined;
    let urgent = true;
    switch (e.type) {
      case "stage-start":
        if (row) Object.assign(row, { state: "running", fraction: 0, detail: null });
        if (e.stage === "Training") this.startTrainingPoll();
        break;
      case "stage-progress":
        if (row) Object.assign(row, { fraction: e.fraction, detail: e.detail ?? row.detail });
        urgent = false;
        break;
      case "stage-complete":
        if (row)
          Object.assign(row, { state: "completed", fraction: 1, duration_secs: e.durationSecs });
        if (e.stage === "Training") this.stopTrainingPoll(true);
        break;
      case "stage-cached":
        if (row) Object.assign(row, { state: "cached", detail: null });
        break;
      case "stage-skipped":
        if (row) Object.assign(row, { state: "skipped", detail: e.reason });
        break;
      case "stage-failed":
        if (row) Object.assign(row, { state: "failed", detail: e.error });
        if (e.stage === "Training") this.stopTrainingPoll(true);
        break;
      default:
        break;
    }
    this.draw(urgent);
  };

  /** The payload as of now. */
  payload(): ProgressPayload {
    return progressPayloadFromCheckpoint(this.cp, this.rows);
  }

  /** Final draw; stops polling. */
  finish(): void {
    this.stopTrainingPoll(true);
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    this.draw(true);
  }

  private draw(urgent: boolean): void {
    const now = Date.now();
    if (!urgent && now - this.lastDraw < this.throttleMs) {
      this.pending ??= setTimeout(() => {
        this.pending = undefined;
        this.draw(true);
      }, this.throttleMs);
      return;
    }
    this.lastDraw = now;
    const bundle = progressBundle(this.payload());
    if (this.handle) this.handle.update(bundle);
    else this.handle = display(bundle);
  }

  private startTrainingPoll(): void {
    this.stopTrainingPoll(false);
    this.trainingTimer = setInterval(() => this.drawTraining(), 1000);
    this.trainingTimer.unref();
  }

  private stopTrainingPoll(finalDraw: boolean): void {
    if (this.trainingTimer) clearInterval(this.trainingTimer);
    this.trainingTimer = undefined;
    if (finalDraw && this.trainingHandle) this.drawTraining();
  }

  private drawTraining(): void {
    const t = readTrainingPayload(this.cp.output_folder, this.cp.job_id);
    if (!t) return;
    const bundle = trainingBundle(t, readPreview(t.preview_path));
    if (this.trainingHandle) this.trainingHandle.update(bundle);
    else this.trainingHandle = display(bundle);
  }
}

/** Names of the stages in order, typed (re-exported for the Job API). */
export const STAGE_NAMES: readonly StageName[] = STAGES;
