import { mkdir, readdir, writeFile } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import {
  EMPTY_COMPLETED_STAGES,
  ManifestSchema,
  type Checkpoint,
  type Manifest,
} from "../../src/contracts/index.js";
import type { JobParams } from "../../src/contracts/params.js";
import type { StageContext } from "../../src/contracts/stage.js";
import { runTool } from "../../src/util/exec.js";
import { resolvedParams } from "../stageContext.js";

/**
 * Extracts `count` frames uniformly from a video with plain ffmpeg into
 * `<output>/frames/<stem>/frame_%06d.jpg` (the layout FrameExtraction produces).
 */
export async function extractFrames(
  video: string,
  output: string,
  count: number,
  totalFrames: number,
) {
  const stem = basename(video, extname(video));
  const dir = join(output, "frames", stem);
  await mkdir(dir, { recursive: true });
  const step = totalFrames / count;
  const picks = Array.from({ length: count }, (_, i) => Math.floor(i * step));
  const select = picks.map((n) => `eq(n\\,${n})`).join("+");
  const r = await runTool("ffmpeg", [
    ...["-nostdin", "-v", "error", "-i", video, "-vf", `select='${select}'`],
    ...["-vsync", "vfr", "-q:v", "2", join(dir, "frame_%06d.jpg")],
  ]);
  if (r.code !== 0) throw new Error(r.stderr);
  return { stem, frames: (await readdir(dir)).sort().map((f) => `frames/${stem}/${f}`) };
}

/** Writes a minimal, schema-valid manifest.json for extracted frames (65° default FOV prior). */
export async function writeManifest(
  output: string,
  videos: { stem: string; frames: string[] }[],
  size: { width: number; height: number },
): Promise<string> {
  const f = size.width / (2 * Math.tan((65 * Math.PI) / 360));
  const manifest: Manifest = ManifestSchema.parse({
    job_id: "test-job",
    processing_timestamp: new Date().toISOString(),
    videos: videos.map((v) => ({
      filename: `${v.stem}.mp4`,
      frame_count: v.frames.length,
      resolution: size,
      fps: 24,
      duration_secs: 2,
      camera_model: null,
      gps: null,
      frames: v.frames.map((path) => ({ path, timestamp_secs: null })),
      intrinsics: {
        model: "SIMPLE_RADIAL",
        fx: f,
        fy: f,
        cx: size.width / 2,
        cy: size.height / 2,
        ...size,
        source: "default_fov",
        horizontal_fov_deg: 65,
      },
    })),
  });
  const path = join(output, "manifest.json");
  await writeFile(path, JSON.stringify(manifest, null, 2));
  return path;
}

/**
 * A StageContext for running one stage directly, as the engine would hand it over; log lines
 * and progress reports are collected for assertions.
 */
export function stageContext(output: string, temp: string, params: JobParams = {}) {
  const progress: { fraction: number; detail?: string }[] = [];
  const lines: string[] = [];
  const checkpoint: Checkpoint = {
    job_id: "test-job",
    stage: "ColmapReconstruction",
    input_folder: output,
    output_folder: output,
    temp_folder: temp,
    timestamp: Math.floor(Date.now() / 1000),
    completed_stages: { ...EMPTY_COMPLETED_STAGES, manifest_path: join(output, "manifest.json") },
    schema_version: 1,
    progress_percentage: 50,
    started_at: new Date().toISOString(),
    stages: {},
    error: null,
  };
  const ctx: StageContext = {
    jobId: "test-job",
    inputFolder: join(output, "no-input"),
    outputFolder: output,
    tempFolder: temp,
    params: resolvedParams(params),
    checkpoint,
    log: { info: (m) => lines.push(m), warn: (m) => lines.push(m), debug: () => undefined },
    signal: new AbortController().signal,
    resultOf: () => undefined,
    progress: (fraction, detail) => progress.push({ fraction, detail }),
    saveStageProgress: async () => undefined,
  };
  return { ctx, progress, lines };
}

/** Writes a text file, creating its folder. */
export async function put(path: string, text: string | Uint8Array): Promise<void> {
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, text);
}
