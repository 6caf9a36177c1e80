import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { performance } from "node:perf_hooks";
import { writeFramesArgs } from "../capture/extractVideo.js";
import { extractFrames } from "../capture/frameExtraction.stage.js";
import { probe } from "../capture/probe.js";
import {
  defaultExtractionOptions,
  outputSize,
  samplingPlan,
  uniformSelectExpression,
} from "../capture/sampling.js";
import { runFfmpeg } from "../capture/ffmpegProcess.js";
import { SplatbookError } from "../util/errors.js";
import { median } from "../util/median.js";

/** Options of {@link benchFrameExtraction}. */
export interface FrameExtractionBenchOptions {
  /** Frames to extract (default 60). */
  frames?: number;
  /** Long-side limit (default 1600, the pipeline's default). */
  maxLongSide?: number;
  /** Timed repetitions of each side; the median is reported (default 3). */
  runs?: number;
  /** Scratch folder (default: a new temp folder, removed afterwards). */
  workDir?: string;
  /** Our extraction strategy (default "auto", as the pipeline runs it). */
  strategy?: "auto" | "select" | "seek";
}

/** Timings of our extraction against one plain ffmpeg command writing the same frames. */
export interface FrameExtractionBenchResult {
  /** Median seconds of `extractFrames` (temp folder, rename, sidecar, timestamps included). */
  oursSec: number;
  /** Median seconds of the plain single ffmpeg command. */
  plainSec: number;
  /** oursSec / plainSec (goal ≤ 1.1). */
  ratio: number;
  /** One ffprobe of the video (Validation's work, not part of oursSec). */
  probeSec: number;
  frames: number;
  width: number;
  height: number;
  /** Strategy our extraction chose. */
  strategy: string;
  /** Frames whose JPEG bytes are identical in both outputs (equal to `frames` when all match). */
  identicalFrames: number;
  /** The plain command, for the record. */
  plainCommand: string;
}

async function countJpegs(dir: string): Promise<number> {
  return (await readdir(dir, { recursive: true })).filter((f) => String(f).endsWith(".jpg")).length;
}

/** How many of our frames (paths relative to `oursDir`) are byte-identical to plain ffmpeg's. */
async function countIdentical(
  frames: ReadonlyArray<{ path: string }>,
  oursDir: string,
  plainDir: string,
): Promise<number> {
  let identical = 0;
  for (const f of frames) {
    const [a, b] = await Promise.all([
      readFile(join(oursDir, f.path)),
      readFile(join(plainDir, basename(f.path))),
    ]);
    if (a.equals(b)) identical++;
  }
  return identical;
}

/**
 * Times our frame extraction of N frames from one video against a plain ffmpeg command that
 * produces the same frames (same selection, same size, same JPEG quality), alternating the two
 * so machine noise hits both alike. Both outputs are checked to hold the same frame count.
 */
export async function benchFrameExtraction(
  videoPath: string,
  opts: FrameExtractionBenchOptions = {},
): Promise<FrameExtractionBenchResult> {
  const runs = Math.max(1, opts.runs ?? 3);
  const t0 = performance.now();
  const probed = await probe(videoPath);
  const probeSec = (performance.now() - t0) / 1000;
  if (probed.kind !== "video") {
    throw new SplatbookError(`${videoPath}: ${probed.issue.cause}`, { file: videoPath });
  }
  const video = probed.video;
  const options = {
    ...defaultExtractionOptions(),
    framesPerVideo: opts.frames ?? 60,
    maxLongSide: opts.maxLongSide ?? 1600,
  };
  const size = outputSize(video.display_width, video.display_height, options.maxLongSide);
  const plainArgs = [
    "-loglevel",
    "error",
    ...writeFramesArgs(video, uniformSelectExpression(samplingPlan(video, options)), size),
  ];
  const work = opts.workDir ?? (await mkdtemp(join(tmpdir(), "splatbook-bench-")));
  const ours: number[] = [];
  const plain: number[] = [];
  let frames = 0;
  let strategy = "";
  let identicalFrames = 0;
  try {
    for (let i = 0; i < runs; i++) {
      const oursDir = join(work, `ours-${i}`);
      let start = performance.now();
      const res = await extractFrames(oursDir, [video], options, {
        concurrency: 1,
        strategy: opts.strategy ?? "auto",
      });
      ours.push((performance.now() - start) / 1000);
      frames = res.total_frames;
      strategy = res.videos[0]!.strategy;

      const plainDir = join(work, `plain-${i}`);
      await mkdir(plainDir, { recursive: true });
      start = performance.now();
      const { code, stderrTail } = await runFfmpeg(plainArgs, { cwd: plainDir });
      plain.push((performance.now() - start) / 1000);
      if (code !== 0) throw new Error(`plain ffmpeg failed: ${stderrTail}`);
      const plainFrames = await countJpegs(plainDir);
      if (plainFrames !== frames) {
        throw new Error(`frame counts differ: ours ${frames}, plain ffmpeg ${plainFrames}`);
      }
      identicalFrames = await countIdentical(res.videos[0]!.frames, oursDir, plainDir);
      await rm(oursDir, { recursive: true, force: true });
      await rm(plainDir, { recursive: true, force: true });
    }
  } finally {
    if (!opts.workDir) await rm(work, { recursive: true, force: true });
  }
  const oursSec = median(ours);
  const plainSec = median(plain);
  return {
    oursSec,
    plainSec,
    ratio: oursSec / plainSec,
    probeSec,
    frames,
    width: size.width,
    height: size.height,
    strategy,
    identicalFrames,
    plainCommand: ["ffmpeg", "-hide_banner", "-nostdin", ...plainArgs].join(" "),
  };
}
