import { z } from "zod";

/**
 * Rich-output MIME payloads: the kernel's Job API writes them, the lab extension renders them.
 * Every bundle also carries text/plain and text/html so nbconvert/papermill outputs stay readable.
 */
export const PROGRESS_MIME = "application/vnd.splatbook.progress+json";
export const TRAINING_MIME = "application/vnd.splatbook.training+json";
export const SPLAT_MIME = "application/vnd.splatbook.splat+json";

export const StageViewStateSchema = z.enum([
  "pending",
  "running",
  "completed",
  "cached",
  "skipped",
  "failed",
]);
export type StageViewState = z.infer<typeof StageViewStateSchema>;

export const ProgressPayloadSchema = z.looseObject({
  job_id: z.string(),
  /** Stage in progress or next (as in `.checkpoint.json`). */
  stage: z.string(),
  progress_percentage: z.number(),
  stages: z.array(
    z.looseObject({
      name: z.string(),
      state: StageViewStateSchema,
      /** 0..1 within a running stage. */
      fraction: z.number().nullable(),
      detail: z.string().nullable(),
      duration_secs: z.number().nullable(),
    }),
  ),
  /** Absolute path of `.checkpoint.json` (the lab extension polls it). */
  status_file: z.string(),
  output_folder: z.string(),
  error: z.string().nullable(),
});
export type ProgressPayload = z.infer<typeof ProgressPayloadSchema>;

export const TrainingPayloadSchema = z.looseObject({
  job_id: z.string(),
  status: z.string(),
  step: z.number().int(),
  total: z.number().int(),
  splat_count: z.number().int(),
  last_eval_psnr: z.number().nullable(),
  last_eval_ssim: z.number().nullable(),
  /** [step, PSNR dB] pairs. */
  psnr_history: z.array(z.tuple([z.number(), z.number()])),
  preview_path: z.string().nullable(),
  /** Absolute path of `training_status.json`. */
  status_file: z.string(),
  elapsed_time_seconds: z.number(),
  estimated_remaining_seconds: z.number().nullable(),
});
export type TrainingPayload = z.infer<typeof TrainingPayloadSchema>;

export const SplatPayloadSchema = z.looseObject({
  /** Absolute path of a `.splat` file. */
  path: z.string(),
  gaussian_count: z.number().int().nullable(),
});
export type SplatPayload = z.infer<typeof SplatPayloadSchema>;
