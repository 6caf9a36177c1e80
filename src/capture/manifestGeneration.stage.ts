import { join } from "node:path";
import {
  ManifestSchema,
  type Intrinsics,
  type Manifest,
  type ManifestVideo,
} from "../contracts/manifest.js";
import { ManifestGenerationParamsSchema } from "../contracts/params.js";
import type { StageContext, StageDefinition } from "../contracts/stage.js";
import { writeJsonAtomically } from "../util/atomicFile.js";
import { SplatbookError } from "../util/errors.js";
import type {
  ExtractedVideo,
  ManifestGenerationResult,
  VideoMetadata,
} from "../contracts/stageResults.js";
import { precalibratedSkipReason } from "./validation.stage.js";

export type { ManifestGenerationResult } from "../contracts/stageResults.js";

/** Field of view assumed along the long side of the frame when a video records no focal length. */
export const DEFAULT_FOV_DEG = ManifestGenerationParamsSchema.shape.defaultFovDeg.def.defaultValue;
/** Width of 35 mm film; a 35 mm-equivalent focal length is taken relative to it. */
const FILM_LONG_SIDE_MM = 36;

function deg(rad: number): number {
  return (rad * 180) / Math.PI;
}

/**
 * Pinhole prior for frames of `width`×`height`, square pixels, principal point at the centre.
 *
 * - With a 35 mm-equivalent focal length f35 (phones record it): the frame's long side stands
 *   for the 36 mm side of the film, so f_px = f35 / 36 · long side.
 * - Otherwise a default field of view across the long side (65° by default, a typical phone main
 *   camera in landscape): f_px = (long side / 2) / tan(fov / 2). Using the long side keeps
 *   portrait videos from getting a lens twice as wide.
 */
export function intrinsicsPrior(
  width: number,
  height: number,
  focal35mm: number | null,
  defaultFovDeg: number = DEFAULT_FOV_DEG,
): Intrinsics {
  const longSide = Math.max(width, height);
  const fromMetadata = focal35mm !== null && focal35mm > 0;
  const f = fromMetadata
    ? (focal35mm / FILM_LONG_SIDE_MM) * longSide
    : longSide / 2 / Math.tan(((defaultFovDeg / 2) * Math.PI) / 180);
  return {
    model: "PINHOLE",
    fx: f,
    fy: f,
    cx: width / 2,
    cy: height / 2,
    width,
    height,
    source: fromMetadata ? "metadata" : "default_fov",
    horizontal_fov_deg: 2 * deg(Math.atan(width / 2 / f)),
  };
}

function cameraModel(meta: VideoMetadata | undefined): string | null {
  if (!meta) return null;
  const { make, model } = meta;
  if (make && model)
    return model.toLowerCase().startsWith(make.toLowerCase()) ? model : `${make} ${model}`;
  return model ?? make ?? null;
}

/** Builds the manifest (validated against the contract) from the frames and the metadata. */
export function buildManifest(
  jobId: string,
  frames: readonly ExtractedVideo[],
  metadata: readonly VideoMetadata[],
  defaultFovDeg: number = DEFAULT_FOV_DEG,
): Manifest {
  const byName = new Map(metadata.map((m) => [m.filename, m]));
  const videos: ManifestVideo[] = frames.map((v) => {
    const meta = byName.get(v.filename);
    return {
      filename: v.filename,
      frame_count: v.frames.length,
      resolution: { width: v.width, height: v.height },
      source_resolution: meta ? { width: meta.display_width, height: meta.display_height } : null,
      fps: meta?.fps ?? null,
      duration_secs: meta?.duration_secs ?? null,
      camera_model: cameraModel(meta),
      gps: meta?.gps ?? null,
      frames_dir: v.frames_dir,
      frames: v.frames.map((f) => ({ path: f.path, timestamp_secs: f.timestamp_secs })),
      intrinsics: intrinsicsPrior(
        v.width,
        v.height,
        meta?.focal_length_35mm ?? null,
        defaultFovDeg,
      ),
    };
  });
  const manifest = {
    job_id: jobId,
    processing_timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    videos,
  };
  const parsed = ManifestSchema.safeParse(manifest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `manifest does not match its schema at ${issue?.path.join(".")}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

/** Writes `<output>/manifest.json` atomically. */
export async function writeManifest(
  outputFolder: string,
  manifest: Manifest,
): Promise<ManifestGenerationResult> {
  const path = join(outputFolder, "manifest.json");
  await writeJsonAtomically(path, manifest);
  return {
    manifest_path: path,
    video_count: manifest.videos.length,
    total_frames: manifest.videos.reduce((n, v) => n + v.frame_count, 0),
  };
}

/** Stage 3: ManifestGeneration. */
export const manifestGenerationStage: StageDefinition<ManifestGenerationResult> = {
  name: "ManifestGeneration",
  fingerprintInputs(ctx: StageContext) {
    return { version: 1, defaultFovDeg: ctx.params.defaultFovDeg };
  },
  skipReason: precalibratedSkipReason,
  async run(ctx: StageContext) {
    const frames = ctx.resultOf("FrameExtraction");
    const metadata = ctx.resultOf("MetadataExtraction");
    if (!frames) throw new SplatbookError("FrameExtraction has not run for this job (no frames)");
    const manifest = buildManifest(
      ctx.jobId,
      frames.videos,
      metadata?.videos ?? [],
      ctx.params.defaultFovDeg,
    );
    const result = await writeManifest(ctx.outputFolder, manifest);
    ctx.log.info(`manifest: ${result.video_count} video(s), ${result.total_frames} frames`);
    return result;
  },
  summarize(result) {
    return { manifest_path: result.manifest_path };
  },
};
