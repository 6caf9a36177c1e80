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
  source: z.literal(["metadata", "default_fov"]),
  horizontal_fov_deg: z.number().positive(),
  /** In words, what the focal length came from (e.g. "8.8 mm lens, 13.2 mm sensor (sensor table)"). */
  prior: z.string().optional(),
});
export type Intrinsics = z.infer<typeof IntrinsicsSchema>;

export const ManifestFrameSchema = z.looseObject({
  /** Path relative to the output folder, e.g. frames/clip_a/000001.png */
  path: z.string(),
  timestamp_secs: z.number().nullable(),
  /** The input file it came from, its GPS (per frame when the video has telemetry) and camera group. */
  source: z.string().optional(),
  gps: GpsSchema.nullable().optional(),
  camera_group: z.string().optional(),
});

/** One photo, written upright under frames/_photos. */
export const ManifestPhotoSchema = z.looseObject({
  /** Path relative to the output folder. */
  path: z.string(),
  /** The photo's path in the input folder. */
  source: z.string(),
  /** Capture time from EXIF (ISO 8601; with its offset when recorded). */
  timestamp: z.string().nullable(),
  gps: GpsSchema.nullable(),
  camera_group: z.string(),
  resolution: z.looseObject({ width: z.number().int(), height: z.number().int() }),
});
export type ManifestPhoto = z.infer<typeof ManifestPhotoSchema>;

/**
 * Images from one camera (a video; or photos of one make, model, size and focal length): one
 * COLMAP camera with one intrinsics prior.
 */
export const CameraGroupSchema = z.looseObject({
  id: z.string(),
  kind: z.literal(["video", "photos"]),
  camera_model: z.string().nullable(),
  image_count: z.number().int().nonnegative(),
  intrinsics: IntrinsicsSchema,
});
export type CameraGroup = z.infer<typeof CameraGroupSchema>;

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
  /** Photos (absent in manifests written before photos were read). */
  photos: z.array(ManifestPhotoSchema).optional(),
  /** Every camera group, videos first (absent in older manifests: one camera per video). */
  camera_groups: z.array(CameraGroupSchema).optional(),
});
export type Manifest = z.infer<typeof ManifestSchema>;
