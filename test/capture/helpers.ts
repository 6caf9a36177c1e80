// Test inputs made with real ffmpeg (lavfi testsrc2) in temp folders, plus a stand-in for the
// engine's StageContext used by the tests whose names say "fake engine context".
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EMPTY_COMPLETED_STAGES, type Checkpoint } from "../../src/contracts/checkpoint.js";
import type { StageName } from "../../src/contracts/stages.js";
import type { JobParams } from "../../src/contracts/params.js";
import type { StageContext } from "../../src/contracts/stage.js";
import { loadStageTable, runJob, type JobRunResult } from "../../src/engine/index.js";
import { runTool } from "../../src/util/exec.js";
import { resolvedParams, resultsOf } from "../stageContext.js";

export interface VideoSpec {
  size?: string;
  duration?: number;
  rate?: number;
  faststart?: boolean;
  /** Extra output options (metadata, filters) placed before the output path. */
  extra?: string[];
}

/** Runs ffmpeg on a lavfi test source; `output` ends with the output path. */
async function fromLavfi(source: string, output: string[]): Promise<void> {
  const r = await runTool("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", source, ...output]);
  if (r.code !== 0) throw new Error(`ffmpeg failed making ${output.at(-1)}: ${r.stderr}`);
}

/** Encodes a small H.264 test video with ffmpeg. */
export async function makeVideo(path: string, spec: VideoSpec = {}): Promise<string> {
  const { size = "160x120", duration = 2, rate = 30 } = spec;
  await fromLavfi(`testsrc2=size=${size}:rate=${rate}:duration=${duration}`, [
    ...["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "15"],
    ...(spec.faststart ? ["-movflags", "+faststart"] : []),
    ...(spec.extra ?? []),
    path,
  ]);
  return path;
}

/** One still image from a lavfi source (e.g. `testsrc2=size=96x64`), through optional filters. */
export async function makeStill(path: string, source: string, filter?: string): Promise<string> {
  await fromLavfi(source, [
    ...(filter ? ["-vf", filter] : []),
    "-frames:v",
    "1",
    "-q:v",
    "2",
    path,
  ]);
  return path;
}

/** The real engine's stages up to ManifestGeneration on `input`, warnings collected. */
export async function runUntilManifest(
  input: string,
  output: string,
  options: { params?: JobParams; warnings?: string[]; info?: string[] } = {},
): Promise<JobRunResult> {
  return runJob({
    input,
    output,
    stages: await loadStageTable(),
    until: "ManifestGeneration",
    ...(options.params ? { params: options.params } : {}),
    logger: {
      info: (m: string) => void options.info?.push(m),
      warn: (m: string) => void options.warnings?.push(m),
      debug: () => undefined,
    },
  });
}

/** An AAC-only .m4a. */
export async function makeAudio(path: string): Promise<string> {
  await fromLavfi("sine=frequency=440:duration=1", ["-c:a", "aac", path]);
  return path;
}

/** A fresh temp folder; remove it with the returned cleanup. */
export async function tempDir(prefix = "splatbook-capture-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/** Collected log lines of a test run. */
export interface CapturedLog {
  info: string[];
  warn: string[];
  debug: string[];
}

/** Logger recording lines into arrays. */
export function recordingLogger(): { log: StageContext["log"]; lines: CapturedLog } {
  const lines: CapturedLog = { info: [], warn: [], debug: [] };
  return {
    lines,
    log: {
      info: (m) => lines.info.push(m),
      warn: (m) => lines.warn.push(m),
      debug: (m) => lines.debug.push(m),
    },
  };
}

/** A fake engine context: results of earlier stages in a map, progress saves recorded. */
export interface FakeContext extends StageContext {
  results: Map<StageName, unknown>;
  saved: Partial<Pick<Checkpoint, "videos">>[];
  progressCalls: number[];
  lines: CapturedLog;
  abort: AbortController;
}

export function fakeContext(
  inputFolder: string,
  outputFolder: string,
  params: JobParams = {},
  checkpointVideos?: Checkpoint["videos"],
): FakeContext {
  const { log, lines } = recordingLogger();
  const results = new Map<StageName, unknown>();
  const saved: Partial<Pick<Checkpoint, "videos">>[] = [];
  const progressCalls: number[] = [];
  const abort = new AbortController();
  const checkpoint: Checkpoint = {
    job_id: "job-test",
    stage: "Validation",
    input_folder: inputFolder,
    output_folder: outputFolder,
    temp_folder: join(outputFolder, "tmp"),
    timestamp: 0,
    completed_stages: { ...EMPTY_COMPLETED_STAGES },
    schema_version: 1,
    progress_percentage: 0,
    started_at: new Date().toISOString(),
    stages: {},
    error: null,
    ...(checkpointVideos ? { videos: checkpointVideos } : {}),
  };
  return {
    jobId: "job-test",
    inputFolder,
    outputFolder,
    tempFolder: join(outputFolder, "tmp"),
    params: resolvedParams(params),
    checkpoint,
    log,
    signal: abort.signal,
    resultOf: resultsOf(results),
    progress: (f) => void progressCalls.push(f),
    saveStageProgress: async (patch) => void saved.push(patch),
    results,
    saved,
    progressCalls,
    lines,
    abort,
  };
}
