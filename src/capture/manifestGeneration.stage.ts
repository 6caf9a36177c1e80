import { join } from "node:path";
import { ManifestSchema, type Manifest, type ManifestVideo } from "../contracts/manifest.js";
import type { StageContext, StageDefinition } from "../contracts/stage.js";
import { writeJsonAtomically } from "../util/atomicFile.js";
import { SplatbookError } from "../util/errors.js";
import type { ExtractedPhoto } from "./extractPhotos.js";
import type { ExtractedVideo } from "./frameExtraction.stage.js";
import { DEFAULT_FOV_DEG, intrinsicsPrior } from "./intrinsicsPrior.js";
import { cameraName, groupPhotos } from "./photoGroups.js";
import type { PhotoMetadata } from "./photoMetadata.js";

export { DEFAULT_FOV_DEG, intrinsicsPrior } from "./intrinsicsPrior.js";
import type { VideoMetadata } from "./metadataExtraction.stage.js";
import { precalibratedSkipReason } from "./validation.stage.js";
import type { ManifestGenerationResult } from "../contracts/stageResults.js";

export type { ManifestGenerationResult } from "../contracts/stageResults.js";

/** Photos and their metadata for the manifest (none for a video-only capture). */
export interface PhotoInputs {
  photos: readonly ExtractedPhoto[];
  metadata: readonly PhotoMetadata[];
}

/** A video's prior, saying where its focal length came from. */
function videoPrior(
  width: number,
  height: number,
  meta: VideoMetadata | undefined,
  defaultFovDeg: number,
): ManifestVideo["intrinsics"] {
  const f35 = meta?.focal_length_35mm ?? null;
  const k = intrinsicsPrior(width, height, f35, defaultFovDeg);
  const where = meta?.focal_length_35mm_source === "dji_srt" ? "DJI .SRT focal_len" : "container";
  return {
    ...k,
    prior:
      k.source === "metadata"
        ? `35 mm equivalent ${f35} mm (${where})`
        : `default field of view ${defaultFovDeg}° (no focal length in the video)`,
  };
}

/** Builds the manifest (validated against the contract) from the frames and the metadata. */
export function buildManifest(
  jobId: string,
  frames: readonly ExtractedVideo[],
  metadata: readonly VideoMetadata[],
  defaultFovDeg: number = DEFAULT_FOV_DEG,
  photoInputs: PhotoInputs = { photos: [], metadata: [] },
): Manifest {
  const byName = new Map(metadata.map((m) => [m.filename, m]));
  const videos: ManifestVideo[] = frames.map((v) => {
    const meta = byName.get(v.filename);
    const group = `video:${v.filename}`;
    return {
      filename: v.filename,
      frame_count: v.frames.length,
      resolution: { width: v.width, height: v.height },
      source_resolution: meta ? { width: meta.display_width, height: meta.display_height } : null,
      fps: meta?.fps ?? null,
      duration_secs: meta?.duration_secs ?? null,
      camera_model: meta ? cameraName(meta.make, meta.model) : null,
      gps: meta?.gps ?? null,
      frames_dir: v.frames_dir,
      frames: v.frames.map((f, i) => ({
        ...{ path: f.path, timestamp_secs: f.timestamp_secs, source: v.filename },
        ...{ gps: meta?.frame_gps?.[i] ?? meta?.gps ?? null, camera_group: group },
      })),
      intrinsics: videoPrior(v.width, v.height, meta, defaultFovDeg),
    };
  });
  const photos = groupPhotos(photoInputs.photos, photoInputs.metadata, defaultFovDeg);
  const manifest = {
    job_id: jobId,
    processing_timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    videos,
    photos: photos.entries,
    camera_groups: [
      ...videos.map((v) => ({
        ...{ id: `video:${v.filename}`, kind: "video" as const, camera_model: v.camera_model },
        ...{ image_count: v.frame_count, intrinsics: v.intrinsics },
      })),
      ...photos.groups,
    ],
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
    photo_count: manifest.photos?.length ?? 0,
    camera_groups: (manifest.camera_groups ?? []).map((g) => ({
      ...{ id: g.id, camera_model: g.camera_model, images: g.image_count },
      ...{ focal_px: g.intrinsics.fx, prior: g.intrinsics.prior ?? g.intrinsics.source },
    })),
  };
}

/** Stage 3: ManifestGeneration. */
export const manifestGenerationStage: StageDefinition<ManifestGenerationResult> = {
  name: "ManifestGeneration",
  fingerprintInputs(ctx: StageContext) {
    return { version: 3, defaultFovDeg: ctx.params.defaultFovDeg };
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
      { photos: frames.photos ?? [], metadata: metadata?.photos ?? [] },
    );
    const result = await writeManifest(ctx.outputFolder, manifest);
    ctx.log.info(
      `manifest: ${result.photo_count ?? 0} photo(s), ${result.video_count} video(s) ` +
        `(${result.total_frames} frames)`,
    );
    for (const g of result.camera_groups ?? [])
      ctx.log.info(
        `camera group ${g.id} (${g.camera_model ?? "unknown camera"}, ${g.images} image(s)): ` +
          `focal length prior ${g.focal_px.toFixed(1)} px from ${g.prior}`,
      );
    return result;
  },
  summarize(result) {
    return { manifest_path: result.manifest_path };
  },
};
