import { z } from "zod";
import { GeorefSchema } from "./georef.js";

/**
 * Rich-output MIME payloads: the kernel's Job API writes them, the lab extension renders them.
 * Every bundle also carries text/plain and text/html so nbconvert/papermill outputs stay readable.
 *
 * Paths: the absolute ones are for people and the kernel; a browser can only ask the Jupyter
 * server, so `job_path`/`file` are relative to the server root (`/`-separated; null when the
 * kernel runs outside a Jupyter server or the file lies outside its root). Each payload also
 * embeds what its last state needs (histories, a small preview PNG), so a saved notebook renders
 * without any server.
 */
export const PROGRESS_MIME = "application/vnd.splatbook.progress+json";
export const TRAINING_MIME = "application/vnd.splatbook.training+json";
export const SPLAT_MIME = "application/vnd.splatbook.splat+json";
export const GEOREF_MIME = "application/vnd.splatbook.georef+json";

/** A stage's state as the progress views show it (`cached`: reused from the checkpoint). */
export const StageViewStateSchema = z.literal([
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
  /** Absolute path of `.checkpoint.json`. */
  status_file: z.string(),
  output_folder: z.string(),
  error: z.string().nullable(),
  // --- additions ---
  /** The output folder relative to the Jupyter server root (what the lab extension polls). */
  job_path: z.string().nullable().optional(),
  /** Unix seconds when this payload was made. */
  updated_at: z.number().optional(),
  /** True while the kernel call that emits it runs; its last update is false. */
  live: z.boolean().optional(),
  /** What Validation accepted, e.g. "12 photos, 1 video" (null before it ran). */
  inputs: z.string().nullable().optional(),
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
  // --- additions ---
  /** [step, SSIM] pairs (from `metrics.arrow`). */
  ssim_history: z.array(z.tuple([z.number(), z.number()])).optional(),
  /** Optimisation steps per second over the run so far. */
  steps_per_second: z.number().nullable().optional(),
  /** The latest preview, downscaled, as base64 PNG. */
  preview_png: z.string().nullable().optional(),
  /** The held-out view the preview renders, as base64 PNG. */
  ground_truth_png: z.string().nullable().optional(),
  /** The output folder relative to the Jupyter server root. */
  job_path: z.string().nullable().optional(),
  updated_at: z.number().optional(),
});
export type TrainingPayload = z.infer<typeof TrainingPayloadSchema>;

export const SplatPayloadSchema = z.looseObject({
  /** Absolute path of a `.splat` file. */
  path: z.string(),
  gaussian_count: z.number().int().nullable(),
  // --- additions ---
  /** The same file relative to the Jupyter server root (what the viewer fetches). */
  file: z.string().nullable().optional(),
  /** The latest training preview (base64 PNG), shown where WebGL2 is missing. */
  preview_png: z.string().nullable().optional(),
  /** `cameras.json` beside the model, relative to the server root (the viewer opens at them). */
  cameras_file: z.string().nullable().optional(),
});
export type SplatPayload = z.infer<typeof SplatPayloadSchema>;

/** `job.georeference()`'s display: the record (cameras top-down, GPS fixes, residuals). */
export const GeorefPayloadSchema = z.looseObject({
  job_id: z.string(),
  output_folder: z.string(),
  georef: GeorefSchema,
});
export type GeorefPayload = z.infer<typeof GeorefPayloadSchema>;
