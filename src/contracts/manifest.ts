import { z } from "zod";

export const GpsSchema = z.looseObject({
  latitude: z.number(),
  longitude: z.number(),
  altitude: z.number().nullable(),
});
export type Gps = z.infer<typeof GpsSchema>;

/** Pinhole prior for COLMAP; `source` says whether it came from metadata or the default FOV. */
export const IntrinsicsSchema = z.looseObject({
  model: z.literal("PINHOLE").or(z.literal("SIMPLE_RADIAL")),
  fx: z.number().positive(),
  fy: z.number().positive(),
  cx: z.number(),
  cy: z.number(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  source: z.enum(["metadata", "default_fov"]),
  horizontal_fov_deg: z.number().positive(),
});
export type Intrinsics = z.infer<typeof IntrinsicsSchema>;

export const ManifestFrameSchema = z.looseObject({
  /** Path relative to the output folder, e.g. frames/clip_a/000001.png */
  path: z.string(),
  timestamp_secs: z.number().nullable(),
});

export const ManifestVideoSchema = z.looseObject({
  filename: z.string(),
  frame_count: z.number().int().nonnegative(),
  resolution: z.looseObject({ width: z.number().int(), height: z.number().int() }),
  fps: z.number().nullable(),
  duration_secs: z.number().nullable(),
  camera_model: z.string().nullable(),
  gps: GpsSchema.nullable(),
  frames: z.array(ManifestFrameSchema),
  intrinsics: IntrinsicsSchema,
});
export type ManifestVideo = z.infer<typeof ManifestVideoSchema>;

export const ManifestSchema = z.looseObject({
  job_id: z.string(),
  /** RFC 3339 UTC. */
  processing_timestamp: z.string(),
  videos: z.array(ManifestVideoSchema),
});
export type Manifest = z.infer<typeof ManifestSchema>;
