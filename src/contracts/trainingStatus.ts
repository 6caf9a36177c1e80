import { z } from "zod";

export const TRAINING_STATUS_FILENAME = "training_status.json";

/** `training_status.json`'s `status`: the phase of the run, `completed` or `error` at the end. */
export const TrainingStateSchema = z.literal([
  "starting",
  "training",
  "evaluating",
  "exporting",
  "completed",
  "error",
]);
export type TrainingState = z.infer<typeof TrainingStateSchema>;

/**
 * `training_status.json` (Brush's status file format): every field of that format, plus optional
 * additions.
 */
export const TrainingStatusSchema = z.looseObject({
  current_iteration: z.number().int(),
  total_iterations: z.number().int(),
  progress_percentage: z.number(),
  elapsed_time_seconds: z.number(),
  estimated_remaining_seconds: z.number().nullable(),
  current_splat_count: z.number().int(),
  last_eval_psnr: z.number().nullable(),
  last_eval_ssim: z.number().nullable(),
  export_path: z.string(),
  current_export_file: z.string().nullable(),
  status: TrainingStateSchema,
  /** RFC 3339 UTC. */
  last_updated: z.string(),
  // --- additions ---
  error_message: z.string().nullable().optional(),
  job_id: z.string().nullable().optional(),
  preview_file: z.string().nullable().optional(),
  metrics_file: z.string().nullable().optional(),
  /** Step of the snapshot this run resumed from (0 for a fresh run). */
  resumed_from_step: z.number().int().optional(),
  psnr_history: z.array(z.tuple([z.number(), z.number()])).optional(),
});
export type TrainingStatus = z.infer<typeof TrainingStatusSchema>;

/**
 * A run's status before its first step: `starting`, nothing measured yet, every field of Brush's
 * status file format filled (additions are the writer's to set).
 */
export function startingTrainingStatus(
  totalIterations: number,
  exportPath: string,
  lastUpdated: string,
): TrainingStatus {
  return {
    current_iteration: 0,
    total_iterations: totalIterations,
    progress_percentage: 0,
    elapsed_time_seconds: 0,
    estimated_remaining_seconds: null,
    current_splat_count: 0,
    last_eval_psnr: null,
    last_eval_ssim: null,
    export_path: exportPath,
    current_export_file: null,
    status: "starting",
    last_updated: lastUpdated,
  };
}
