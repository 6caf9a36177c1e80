import { z } from "zod";
import { JOB_STAGES } from "./stages.js";

/** The GET /health body (its original fields kept as they are), with `error_message` added for the `error` state. */
export const HealthJobSchema = z.looseObject({
  job_id: z.string(),
  stage: z.literal(JOB_STAGES),
  progress_percentage: z.number(),
  video_count: z.number().int().nullable(),
  total_frames: z.number().int().nullable(),
  gaussian_count: z.number().int().nullable(),
  started_at: z.string(),
});
export type HealthJob = z.infer<typeof HealthJobSchema>;

export const HealthStateSchema = z.literal(["watching", "processing", "idle", "error"]);
export type HealthState = z.infer<typeof HealthStateSchema>;

export const HealthSchema = z.looseObject({
  state: HealthStateSchema,
  last_update: z.string(),
  error_message: z.string().nullable(),
  current_job: HealthJobSchema.nullable(),
});
export type Health = z.infer<typeof HealthSchema>;
