/**
 * Payloads from job state, with no file access: the kernel feeds them what it reads from the
 * job folder, the lab extension what the server extension returns. Browser-safe (contracts
 * only), so the same code builds the payload on both sides.
 */
import type { Checkpoint, CompletedStages } from "../contracts/checkpoint.js";
import { CHECKPOINT_FILENAME } from "../contracts/checkpoint.js";
import { stageFigures } from "../contracts/figures.js";
import type { ProgressPayload, StageViewState, TrainingPayload } from "../contracts/mime.js";
import { STAGES, progressPercentage } from "../contracts/stages.js";
import { TRAINING_STATUS_FILENAME, type TrainingStatus } from "../contracts/trainingStatus.js";

/** One row of the progress payload's stage table. */
export type StageView = ProgressPayload["stages"][number];

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
            : rec?.state === "running"
              ? "running"
              : "pending";
    return {
      name,
      state,
      fraction: null,
      detail:
        rec?.state === "skipped"
          ? (rec.reason ?? null)
          : rec?.state === "completed"
            ? stageFigures(name, rec.result) || null
            : (rec?.error ?? null),
      duration_secs: rec?.state === "running" ? null : (rec?.duration_secs ?? null),
    };
  });
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * The job's input in words, "N photos, M videos", from the counts Validation recorded; null
 * before Validation ran. A checkpoint of an older release (no photo count) gives the videos only.
 */
export function inputsLine(
  completed: Pick<CompletedStages, "video_count" | "photo_count"> | undefined,
): string | null {
  const videos = completed?.video_count ?? null;
  if (videos === null) return null;
  const photos = completed?.photo_count;
  const videoText = plural(videos, "video");
  return photos === undefined || photos === null
    ? videoText
    : `${plural(photos, "photo")}, ${videoText}`;
}

/** What a progress payload needs beyond the checkpoint. */
export interface ProgressExtras {
  rows?: StageView[];
  live?: boolean;
  /** The output folder relative to the Jupyter server root. */
  jobPath?: string | null;
}

/** The progress payload of a checkpoint. */
export function progressPayloadFromCheckpoint(
  cp: Readonly<Checkpoint>,
  extras: ProgressExtras = {},
): ProgressPayload {
  return {
    job_id: cp.job_id,
    stage: cp.stage,
    progress_percentage: progressPercentage(cp.stage),
    stages: extras.rows ?? stageRowsFromCheckpoint(cp),
    status_file: `${cp.output_folder}/${CHECKPOINT_FILENAME}`,
    output_folder: cp.output_folder,
    error: cp.error ? `${cp.error.stage}: ${cp.error.message}` : null,
    job_path: extras.jobPath ?? null,
    updated_at: Date.now() / 1000,
    live: extras.live ?? false,
    inputs: inputsLine(cp.completed_stages),
  };
}

/** What a training payload needs beyond Brush's status file. */
export interface TrainingExtras {
  outputFolder: string;
  jobId: string;
  jobPath?: string | null;
  /** Absolute preview path (the status file's `preview_file` resolved). */
  previewPath?: string | null;
  ssimHistory?: [number, number][];
  previewPng?: string | null;
  groundTruthPng?: string | null;
}

/** The training payload of a status file. */
export function trainingPayloadFromStatus(
  s: Readonly<TrainingStatus>,
  x: TrainingExtras,
): TrainingPayload {
  return {
    job_id: s.job_id ?? x.jobId,
    status: s.status,
    step: s.current_iteration,
    total: s.total_iterations,
    splat_count: s.current_splat_count,
    last_eval_psnr: s.last_eval_psnr,
    last_eval_ssim: s.last_eval_ssim,
    psnr_history: s.psnr_history ?? [],
    preview_path: x.previewPath ?? null,
    status_file: `${x.outputFolder}/${TRAINING_STATUS_FILENAME}`,
    elapsed_time_seconds: s.elapsed_time_seconds,
    estimated_remaining_seconds: s.estimated_remaining_seconds,
    ssim_history: x.ssimHistory ?? [],
    // elapsed_time_seconds counts across resumes, like current_iteration.
    steps_per_second:
      s.elapsed_time_seconds > 0 && s.current_iteration > 0
        ? s.current_iteration / s.elapsed_time_seconds
        : null,
    preview_png: x.previewPng ?? null,
    ground_truth_png: x.groundTruthPng ?? null,
    job_path: x.jobPath ?? null,
    updated_at: Date.now() / 1000,
  };
}

/** Whether a training status can still change (polling stops once it cannot). */
export function trainingIsFinal(status: string): boolean {
  return status === "completed" || status === "error";
}

/** Whether a job can still change: Completed, or stopped at a failed stage. */
export function jobIsFinal(cp: Pick<Checkpoint, "stage" | "error" | "stages">): boolean {
  if (cp.stage === "Completed") return true;
  return cp.error !== null && cp.stages[cp.stage]?.state === "failed";
}

/** The columns of an Arrow table that {@link metricsHistories} reads (apache-arrow's Table). */
export interface MetricsTable {
  getChild(name: string): { toArray(): ArrayLike<number | bigint> } | null;
}

/** [step, PSNR] and [step, SSIM] pairs from `metrics.arrow`'s table. */
export function metricsHistories(table: MetricsTable): {
  psnr: [number, number][];
  ssim: [number, number][];
} {
  const column = (name: string) => table.getChild(name)?.toArray();
  const steps = column("step");
  const pairs = (values: ArrayLike<number | bigint> | undefined): [number, number][] =>
    steps && values ? Array.from(steps, (s, i) => [Number(s), Number(values[i])]) : [];
  return { psnr: pairs(column("psnr")), ssim: pairs(column("ssim")) };
}
