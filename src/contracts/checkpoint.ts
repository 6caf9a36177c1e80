import { z } from "zod";
import { JOB_STAGES, STAGES } from "./stages.js";

/** Schema version written by this release; readers accept older versions they know. */
export const CHECKPOINT_SCHEMA_VERSION = 1;
export const CHECKPOINT_FILENAME = ".checkpoint.json";

const stageEnum = z.literal(STAGES);
const jobStageEnum = z.literal(JOB_STAGES);

/** `completed_stages`: the headline results, null until the stage that sets them ran. */
export const CompletedStagesSchema = z.looseObject({
  video_count: z.number().int().nullable(),
  /** Photos Validation accepted (an addition: absent in checkpoints of older releases). */
  photo_count: z.number().int().nullable().optional(),
  total_frames: z.number().int().nullable(),
  manifest_path: z.string().nullable(),
  colmap_sparse_path: z.string().nullable(),
  colmap_points: z.number().int().nullable(),
  gaussian_count: z.number().int().nullable(),
  ply_path: z.string().nullable(),
  splat_path: z.string().nullable(),
});
export type CompletedStages = z.infer<typeof CompletedStagesSchema>;

export const EMPTY_COMPLETED_STAGES: CompletedStages = {
  video_count: null,
  total_frames: null,
  manifest_path: null,
  colmap_sparse_path: null,
  colmap_points: null,
  gaussian_count: null,
  ply_path: null,
  splat_path: null,
};

/** Per-stage record (our addition): state, fingerprint, timing, the stage's JSON result. */
export const StageRecordSchema = z.looseObject({
  state: z.literal(["running", "completed", "skipped", "failed"]),
  /** sha256 of the stage's parameters, input file identities and upstream results. */
  fingerprint: z.string().nullable(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  duration_secs: z.number().nullable(),
  /** Why a stage was skipped (e.g. precalibrated input). */
  reason: z.string().nullable().optional(),
  /** One-line cause when state is failed. */
  error: z.string().nullable().optional(),
  /** Whatever the stage returned; downstream stages read it. */
  result: z.unknown().optional(),
  /** The stage's parameters with defaults filled in, as it ran with them (see `params.ts`). */
  params: z.record(z.string(), z.unknown()).optional(),
});
export type StageRecord = z.infer<typeof StageRecordSchema>;

export const CheckpointErrorSchema = z.looseObject({
  stage: stageEnum,
  message: z.string(),
  at: z.string(),
});

/**
 * `.checkpoint.json` format: the original fields (job_id … completed_stages) with their names and
 * meanings unchanged, then additions. Readers written against the original fields keep working.
 */
export const CheckpointSchema = z.looseObject({
  job_id: z.string().min(1),
  /** Stage in progress or next to run; `Completed` at the end. */
  stage: jobStageEnum,
  input_folder: z.string(),
  output_folder: z.string(),
  temp_folder: z.string(),
  /** Unix seconds of the last write. */
  timestamp: z.number(),
  completed_stages: CompletedStagesSchema,
  // --- additions (never rename or drop the original fields above) ---
  schema_version: z.number().int().positive(),
  progress_percentage: z.number(),
  started_at: z.string(),
  stages: z.record(z.string(), StageRecordSchema),
  error: CheckpointErrorSchema.nullable(),
  /**
   * The job's parameters as named so far (CLI flags, notebook calls); a later call that does not
   * name a parameter keeps the value recorded here.
   */
  params: z.record(z.string(), z.unknown()).optional(),
  /**
   * Finished steps of the stage in progress (e.g. ColmapReconstruction's COLMAP run before its
   * georeferencing), for a rerun of that stage with the same fingerprint to skip them; dropped
   * when the stage completes.
   */
  stage_steps: z
    .looseObject({
      stage: stageEnum,
      fingerprint: z.string(),
      steps: z.record(z.string(), z.unknown()),
    })
    .optional(),
  /** Per-video progress inside FrameExtraction, keyed by file name. */
  videos: z
    .record(z.string(), z.looseObject({ frames_extracted: z.number().int(), done: z.boolean() }))
    .optional(),
});
export type Checkpoint = z.infer<typeof CheckpointSchema> & { stage: (typeof JOB_STAGES)[number] };
