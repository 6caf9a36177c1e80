/**
 * What each stage hands to the stages after it: its result, recorded in `.checkpoint.json` as
 * `stages.<Stage>.result`. One schema per stage, by stage name ({@link STAGE_RESULTS}), so a
 * stage reads an upstream result typed (`ctx.resultOf("Training")`) and the engine checks every
 * recorded result against its schema when it reads it. Fields follow the checkpoint's style
 * (snake_case); extra fields a stage records are kept, not checked.
 */
import { z } from "zod";
import { GeorefSchema } from "./georef.js";
import { GpsSchema } from "./manifest.js";
import type { StageName } from "./stages.js";

/** A file that is not used, with the reason (named in warnings and errors). */
export const FileIssueSchema = z.object({ filename: z.string(), cause: z.string() });
export type FileIssue = z.infer<typeof FileIssueSchema>;

/** One usable video as ffprobe describes it. */
export const VideoProbeSchema = z.object({
  filename: z.string(),
  /** Absolute path. */
  path: z.string(),
  size: z.number(),
  mtimeMs: z.number(),
  format_name: z.string(),
  codec: z.string(),
  /** Coded (stored) frame size. */
  width: z.number(),
  height: z.number(),
  /** Frame size once display rotation is applied (what extracted frames are based on). */
  display_width: z.number(),
  display_height: z.number(),
  /** Clockwise degrees to show the video upright (exiftool's `Rotation` convention): 0/90/180/270. */
  rotation: z.number(),
  fps: z.number().nullable(),
  duration_secs: z.number(),
  /** First frame's presentation time in seconds (select expressions are relative to it). */
  start_time: z.number(),
  nb_frames: z.number().nullable(),
  /** Container-level tags (ffprobe `format.tags`), e.g. location, make, model, creation_time. */
  format_tags: z.record(z.string(), z.string()),
  /** Tags of the video stream (creation_time, rotate, handler_name …). */
  stream_tags: z.record(z.string(), z.string()),
});
export type VideoProbe = z.infer<typeof VideoProbeSchema>;

/** One usable photo (JPEG, PNG, TIFF or HEIF). */
export const PhotoProbeSchema = z.object({
  /** Path relative to the input folder, `/`-separated. */
  filename: z.string(),
  path: z.string(),
  size: z.number(),
  mtimeMs: z.number(),
  format: z.literal(["jpeg", "png", "tiff", "heif"]),
  /** Stored pixel size. */
  width: z.number(),
  height: z.number(),
  /** EXIF orientation (1–8) applied when the photo is extracted; 1 for HEIF (libheif applies it). */
  orientation: z.number(),
  /** Size once the orientation is applied. */
  display_width: z.number(),
  display_height: z.number(),
});
export type PhotoProbe = z.infer<typeof PhotoProbeSchema>;

/**
 * A camera calibration that came with the input (see `findPrecalibrated` in ./precalibrated.ts):
 * Validation decides it once; stages 1–4 are skipped and Training reads it.
 */
export const PrecalibratedSchema = z.object({
  kind: z.literal(["colmap", "transforms"]),
  /** Folder holding the COLMAP model, or the transforms.json file. */
  path: z.string(),
});
export type Precalibrated = z.infer<typeof PrecalibratedSchema>;

/** Validation (stage 0): the usable videos and photos, the files set aside, and any calibration. */
export const ValidationResultSchema = z.object({
  input_folder: z.string(),
  video_count: z.number().int(),
  /** Usable videos, sorted by file name. */
  videos: z.array(VideoProbeSchema),
  photo_count: z.number().int(),
  /** Usable photos (any folder depth), sorted by path. */
  photos: z.array(PhotoProbeSchema),
  /** Telemetry sidecars found beside videos (DJI .SRT), read by MetadataExtraction. */
  telemetry_sidecars: z.array(z.string()).optional(),
  /** Videos and photos that cannot be used (zero-byte, truncated, unreadable, RAW, …). */
  broken: z.array(FileIssueSchema),
  /** Files that are not videos (a readme, an image), skipped with a warning. */
  skipped: z.array(FileIssueSchema),
  /** A calibration shipped with the input; stages 1–4 are skipped when set. */
  precalibrated: PrecalibratedSchema.nullable(),
});
export type ValidationResult = z.infer<typeof ValidationResultSchema>;

/** One extracted frame; `path` is relative to the output folder. */
export const ExtractedFrameSchema = z.object({
  path: z.string(),
  timestamp_secs: z.number().nullable(),
});
export type ExtractedFrame = z.infer<typeof ExtractedFrameSchema>;

/** How frames were chosen and decoded: one select pass, one seek per frame, or sharpness scoring. */
export const ExtractionStrategySchema = z.literal(["select", "seek", "sharpest"]);
export type ExtractionStrategy = z.infer<typeof ExtractionStrategySchema>;

/** Frames of one video. */
export const ExtractedVideoSchema = z.object({
  filename: z.string(),
  /** Unique, filesystem-safe folder name under frames/. */
  stem: z.string(),
  /** Relative to the output folder, e.g. "frames/clip_a". */
  frames_dir: z.string(),
  frames: z.array(ExtractedFrameSchema),
  /** Size of the written frames (after rotation and the long-side limit). */
  width: z.number(),
  height: z.number(),
  strategy: ExtractionStrategySchema,
});
export type ExtractedVideo = z.infer<typeof ExtractedVideoSchema>;

/** The FrameExtraction parameters a run used (`fps` null: a fixed count per video). */
export const ExtractionOptionsSchema = z.object({
  framesPerVideo: z.number(),
  fps: z.number().nullable(),
  maxLongSide: z.number(),
  sharpest: z.boolean(),
});
export type ExtractionOptions = z.infer<typeof ExtractionOptionsSchema>;

/** One photo written upright under frames/_photos. */
export const ExtractedPhotoSchema = z.object({
  /** The photo's path in the input folder. */
  filename: z.string(),
  path: z.string(),
  width: z.number(),
  height: z.number(),
});
export type ExtractedPhoto = z.infer<typeof ExtractedPhotoSchema>;

/** FrameExtraction (stage 1). */
export const FrameExtractionResultSchema = z.object({
  videos: z.array(ExtractedVideoSchema),
  /** Frames extracted from the videos. */
  total_frames: z.number().int(),
  /** Photos written upright under frames/_photos (absent in results of older versions). */
  photos: z.array(ExtractedPhotoSchema).optional(),
  total_photos: z.number().int().optional(),
  /** Photos the photo filter (`photoFilter`) left out, blurry or near-duplicates, with the cause. */
  dropped_photos: z.array(FileIssueSchema).optional(),
  options: ExtractionOptionsSchema,
});
export type FrameExtractionResult = z.infer<typeof FrameExtractionResultSchema>;

/** Camera and capture metadata of one video, as written to metadata.json. */
export const VideoMetadataSchema = z.object({
  filename: z.string(),
  make: z.string().nullable(),
  model: z.string().nullable(),
  /** RFC 3339 when the container says when it was recorded. */
  creation_time: z.string().nullable(),
  gps: GpsSchema.nullable(),
  /** Which tag the position came from. */
  gps_source: z.literal(["iso6709", "exiftool", "telemetry"]).nullable(),
  /** Clockwise degrees to display upright. */
  rotation: z.number(),
  fps: z.number().nullable(),
  duration_secs: z.number(),
  width: z.number(),
  height: z.number(),
  display_width: z.number(),
  display_height: z.number(),
  codec: z.string(),
  /** Lens focal length in mm, when recorded. */
  focal_length_mm: z.number().nullable(),
  /**
   * 35 mm-equivalent focal length, when recorded (drives the intrinsics prior): the container's
   * tags, else the telemetry's (a DJI .SRT's `focal_len`).
   */
  focal_length_35mm: z.number().nullable(),
  /** Where focal_length_35mm came from (absent in older records and when it is null). */
  focal_length_35mm_source: z.literal(["container", "dji_srt"]).optional(),
  /** A telemetry track read for this video (DJI .SRT sidecar, GoPro GPMF stream), or null. */
  telemetry: z
    .object({
      source: z.literal(["dji_srt", "gopro_gpmf"]),
      file: z.string(),
      fixes: z.number(),
      /** The 35 mm-equivalent focal length the track records (DJI .SRT `focal_len`), if any. */
      focal_length_35mm: z.number().nullable().optional(),
    })
    .nullable()
    .optional(),
  /** Per extracted frame (FrameExtraction's order), its position from the telemetry. */
  frame_gps: z.array(GpsSchema.nullable()).optional(),
});
export type VideoMetadata = z.infer<typeof VideoMetadataSchema>;

/** Camera and capture metadata of one photo (EXIF, DJI XMP), as written to metadata.json. */
export const PhotoMetadataSchema = z.object({
  filename: z.string(),
  make: z.string().nullable(),
  model: z.string().nullable(),
  /** DateTimeOriginal with sub-seconds, ISO 8601; with its offset when EXIF records one. */
  capture_time: z.string().nullable(),
  gps: GpsSchema.nullable(),
  gps_source: z.literal("exif").nullable(),
  /** Why a GPS tag present in the file was not used (e.g. out of range), else null. */
  gps_issue: z.string().nullable(),
  /** DJI XMP: height above the take-off point and GNSS altitude, metres. */
  relative_altitude: z.number().nullable(),
  absolute_altitude: z.number().nullable(),
  /** DJI XMP: gimbal and aircraft attitude, degrees. */
  gimbal_yaw_deg: z.number().nullable(),
  gimbal_pitch_deg: z.number().nullable(),
  flight_yaw_deg: z.number().nullable(),
  focal_length_mm: z.number().nullable(),
  focal_length_35mm: z.number().nullable(),
  /** Sensor width along the stored picture's width, mm, and where it came from. */
  sensor_width_mm: z.number().nullable(),
  sensor_width_source: z.literal(["focal_plane_resolution", "sensor_table"]).nullable(),
  /** Stored size and EXIF orientation; display size once turned upright. */
  width: z.number(),
  height: z.number(),
  orientation: z.number(),
  display_width: z.number(),
  display_height: z.number(),
});
export type PhotoMetadata = z.infer<typeof PhotoMetadataSchema>;

/** MetadataExtraction (stage 2). */
export const MetadataExtractionResultSchema = z.object({
  /** Absolute path of metadata.json. */
  metadata_path: z.string(),
  videos: z.array(VideoMetadataSchema),
  /** Every photo's metadata (absent in results of older versions). */
  photos: z.array(PhotoMetadataSchema).optional(),
});
export type MetadataExtractionResult = z.infer<typeof MetadataExtractionResultSchema>;

/** ManifestGeneration (stage 3). */
export const ManifestGenerationResultSchema = z.object({
  /** Absolute path of manifest.json. */
  manifest_path: z.string(),
  video_count: z.number().int(),
  total_frames: z.number().int(),
  photo_count: z.number().int().optional(),
  /** Each camera group's focal-length prior in pixels and where it came from (also logged). */
  camera_groups: z
    .array(
      z.object({
        id: z.string(),
        camera_model: z.string().nullable(),
        images: z.number().int(),
        focal_px: z.number(),
        prior: z.string(),
      }),
    )
    .optional(),
});
export type ManifestGenerationResult = z.infer<typeof ManifestGenerationResultSchema>;

/** Pairs an SfM attempt matched: exhaustive, sequential (COLMAP's), or the video pair list. */
const PairsSchema = z.literal(["exhaustive", "sequential", "video"]);

/** The focal-length decision of a reconstruction (src/sfm/focalHold.ts). */
export const FocalRecordSchema = z.object({
  /** "hold": focal lengths held at their priors (COLMAP's ba_refine_focal_length 0). */
  decision: z.literal(["refine", "hold"]),
  reason: z.string(),
  /** RMS angle of the registered images' viewing directions about their mean (degrees). */
  view_spread_deg: z.number(),
  groups: z.array(
    z.object({
      /** Camera group id (manifest). */
      id: z.string(),
      /** Focal prior in frame pixels (null: the group had none, COLMAP guessed). */
      prior_px: z.number().nullable(),
      /** True when the prior came from metadata (EXIF, container tag, .SRT), not a default. */
      firm: z.boolean(),
      /** Focal length after the refining mapper (null when none of its images registered). */
      refined_px: z.number().nullable(),
      view_spread_deg: z.number(),
      /** Focal length of the kept model. */
      final_px: z.number().nullable(),
    }),
  ),
  /**
   * The model with the focal lengths held (the refined one reseated on the priors, then bundle
   * adjusted), when one was made, and whether it was kept.
   */
  held_run: z
    .object({
      registered: z.number(),
      mean_reprojection_error: z.number().nullable(),
      kept: z.boolean(),
    })
    .nullable(),
});
export type FocalRecord = z.infer<typeof FocalRecordSchema>;

/** One attempt of ColmapReconstruction's escalation ladder. */
export const SfmAttemptSchema = z.object({
  /** What the attempt tried, in words. */
  settings: z.string(),
  max_num_features: z.number(),
  first_octave: z.number(),
  pairs: PairsSchema,
  pair_count: z.number(),
  guided_matching: z.boolean(),
  relaxed_mapper: z.boolean(),
  /** True when the features came from an earlier attempt's database. */
  reused_features: z.boolean(),
  registered: z.number(),
  total: z.number(),
  /** Frames registered per model the mapper made, largest first. */
  model_sizes: z.array(z.number()),
  /** True when model_merger joined models into a larger one. */
  merged: z.boolean(),
  /** Each mapper run of the attempt; the kept one is the best (absent in older records). */
  mapper_runs: z
    .array(
      z.object({
        registered: z.number(),
        mean_reprojection_error: z.number().nullable(),
        /**
         * Verified matches (the attempt's full database) between the run's registered images,
         * and how many its poses explain (src/sfm/explainedMatches.ts; absent in older records).
         */
        verified_matches: z.number().optional(),
        explained_matches: z.number().optional(),
        /** Its centres against the images' GPS fixes (src/sfm/gpsAgreement.ts), where there are. */
        gps_median_residual_m: z.number().optional(),
        gps_inliers: z.number().optional(),
        gps_fixes: z.number().optional(),
      }),
    )
    .optional(),
  /**
   * What decided between the kept mapper run and the runner-up: more registered, GPS agreement,
   * more verified matches explained, or the reprojection error (absent in older records).
   */
  mapper_choice: z.literal(["registered", "gps", "explained", "reprojection"]).optional(),
  /** The kept run's verified matches and those its poses explain (absent in older records). */
  verified_matches: z.number().optional(),
  explained_matches: z.number().optional(),
  /**
   * The kept run's centres against the images' GPS fixes, through the georeference's robust
   * similarity fit: fixes, kept fixes, median and RMS distance, the fit's horizontal noise
   * (metres; absent without enough fixes and in older records).
   */
  gps: z
    .object({
      fixes: z.number(),
      inliers: z.number(),
      median_residual_m: z.number(),
      rmse_m: z.number(),
      sigma_m: z.number(),
    })
    .optional(),
  /**
   * Registered images of the kept model that look registered in the wrong place: few of their
   * verified matches in tracks (src/sfm/misplaced.ts; absent in older records).
   */
  misplaced_suspects: z.number().optional(),
  /**
   * Rounds of re-mapping after images looked registered in the wrong place (few of their matches
   * in tracks; on by default since the rounds are judged by the matches explained): suspects
   * found, pairs dropped, what the new mapping registered with how many suspects, and whether it
   * was kept — the best so far (absent in older records; empty when none looked so).
   */
  misplaced_rounds: z
    .array(
      z.object({
        suspects: z.number(),
        dropped_pairs: z.number(),
        registered: z.number(),
        suspects_after: z.number(),
        kept: z.boolean(),
        /** Verified matches explained before and after (absent in older records). */
        explained_before: z.number().optional(),
        explained_after: z.number().optional(),
      }),
    )
    .optional(),
  points: z.number(),
  mean_reprojection_error: z.number().nullable(),
  seconds: z.number(),
  /**
   * Whether the kept model's focal lengths were refined or held at their priors, and why (only
   * on the attempt whose model was kept; absent in older records).
   */
  focal: FocalRecordSchema.optional(),
  /**
   * The global start tried for frames with per-frame GPS (src/sfm/globalStart.ts): rotations
   * averaged over the verified pairs, centres from the fixes, then triangulation and bundle
   * adjustment rounds; kept when it beats the incremental model by `by` (absent when not tried).
   */
  global_start: z
    .object({
      pairs: z.number(),
      registered: z.number(),
      rounds: z.number(),
      explained_before: z.number(),
      explained_after: z.number(),
      verified_matches: z.number(),
      kept: z.boolean(),
      by: z.string().nullable(),
    })
    .optional(),
  /**
   * The last bundle adjustment of the kept model without its outlying observations
   * (src/sfm/outlierRefine.ts): the limit (px), points and mean reprojection error before and
   * after, and whether its model was kept (absent in older records).
   */
  outlier_refinement: z
    .object({
      threshold_px: z.number(),
      points_before: z.number(),
      points_after: z.number(),
      mean_reprojection_error_before: z.number(),
      mean_reprojection_error_after: z.number(),
      kept: z.boolean(),
    })
    .optional(),
  /**
   * The rounds after that refinement trimming the tail left (src/sfm/residualTrim.ts): per round
   * the median residual, the limit (3 × median), observations and those dropped before the bundle
   * adjustment; whether the trimmed model was kept (absent in older records).
   */
  residual_trim: z
    .object({
      rounds: z.array(
        z.object({
          median_px: z.number(),
          limit_px: z.number(),
          observations: z.number(),
          dropped: z.number(),
        }),
      ),
      kept: z.boolean(),
    })
    .optional(),
  /**
   * The rounds after the trim dropping the points whose observations fail the χ² test of one
   * point (src/sfm/trackTest.ts): per round the noise σ used (px), points and those dropped
   * before the bundle adjustment; whether the tested model was kept (absent in older records).
   */
  track_test: z
    .object({
      rounds: z.array(z.object({ sigma_px: z.number(), points: z.number(), dropped: z.number() })),
      kept: z.boolean(),
    })
    .optional(),
});
export type SfmAttempt = z.infer<typeof SfmAttemptSchema>;

/** ColmapReconstruction (stage 4). */
export const ColmapReconstructionResultSchema = z.object({
  /** Largest sparse model, kept in the output folder (binary COLMAP model). */
  sparse_path: z.string(),
  /** PINHOLE workspace for training: images/ and sparse/. */
  undistorted_path: z.string(),
  registered_images: z.number().int(),
  total_images: z.number().int(),
  points: z.number().int(),
  /** Mean of the points' reprojection errors in pixels (null when there are no points). */
  mean_reprojection_error: z.number().nullable(),
  /** Pairs the successful attempt matched. */
  matcher: PairsSchema,
  /** Number of separate models the mapper made (the largest is kept). */
  models: z.number().int(),
  /** Wall seconds per phase, summed over the attempts. */
  seconds: z.object({
    extract: z.number(),
    match: z.number(),
    map: z.number(),
    undistort: z.number(),
  }),
  /** Every attempt of the escalation ladder, in order; the last one succeeded. */
  attempts: z.array(SfmAttemptSchema),
  /**
   * How COLMAP's frame maps to the local frame the undistorted model (and so training) is in:
   * ENU metres from GPS, or gravity up without it (absent in results of older versions and for
   * a precalibrated input).
   */
  georef: GeorefSchema.optional(),
});
export type ColmapReconstructionResult = z.infer<typeof ColmapReconstructionResultSchema>;

/** Training (stage 5), and what `splatbook train` reports. */
export const TrainingResultSchema = z.object({
  /** The trained model: `training/final.ply` (PlyExport reads it). */
  params_path: z.string().min(1),
  /** Long side the model was trained at, and why that size and run length (the plan). */
  max_resolution: z.number().optional(),
  plan: z.string().optional(),
  gaussian_count: z.number().int(),
  /** Held-out PSNR (dB) and SSIM of the exported model. */
  psnr: z.number().nullable(),
  ssim: z.number().nullable(),
  /**
   * Held-out PSNR on each view's right half after fitting its colour transform on the left half
   * (train/appearance.ts); null when the run evaluated nothing.
   */
  psnr_fitted: z.number().nullable().optional(),
  steps: z.number().int(),
  elapsed_secs: z.number(),
  resumed_from_step: z.number().int(),
});
export type TrainingResult = z.infer<typeof TrainingResultSchema>;

/** PlyExport (stage 6). */
export const PlyExportResultSchema = z.object({
  ply_path: z.string(),
  gaussian_count: z.number().int(),
  sh_degree: z.number().int(),
  /** georef.json beside the model (null when the reconstruction has no georeference). */
  georef_path: z.string().nullable().optional(),
  /** The projected CRS georef.json names (null without GPS). */
  epsg: z.string().nullable().optional(),
});
export type PlyExportResult = z.infer<typeof PlyExportResultSchema>;

/** SplatExport (stage 7). */
export const SplatExportResultSchema = z.object({
  splat_path: z.string(),
  gaussian_count: z.number().int(),
  /** The georef.json PlyExport wrote beside both models (null when there is none). */
  georef_path: z.string().nullable().optional(),
});
export type SplatExportResult = z.infer<typeof SplatExportResultSchema>;

/** Every stage's result schema, by stage name. */
export const STAGE_RESULTS = {
  Validation: ValidationResultSchema,
  FrameExtraction: FrameExtractionResultSchema,
  MetadataExtraction: MetadataExtractionResultSchema,
  ManifestGeneration: ManifestGenerationResultSchema,
  ColmapReconstruction: ColmapReconstructionResultSchema,
  Training: TrainingResultSchema,
  PlyExport: PlyExportResultSchema,
  SplatExport: SplatExportResultSchema,
} as const satisfies Record<StageName, z.ZodType>;

/** The result a stage records (and `ctx.resultOf(stage)` returns). */
export type StageResult<S extends StageName> = z.infer<(typeof STAGE_RESULTS)[S]>;
