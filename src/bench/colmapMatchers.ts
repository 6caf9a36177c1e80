import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ManifestSchema } from "../contracts/manifest.js";
import { reconstructWithLadder, type VideoFrames } from "../sfm/colmapRunner.js";
import { readImageSize } from "../sfm/imageSize.js";
import { videoFramesFromManifest } from "../sfm/colmapReconstruction.stage.js";
import { SEQUENTIAL_OVERLAP } from "../sfm/ladder.js";
import { chooseSiftSettings } from "../sfm/siftSettings.js";
import { readJsonFile } from "../util/atomicFile.js";
import { SplatbookError } from "../util/errors.js";

/** One matcher's figures. */
export interface MatcherBench {
  /** Wall seconds of extraction + matching + mapping. */
  seconds: number;
  /** Wall seconds of the matching step alone. */
  matchSeconds: number;
  registered: number;
  total: number;
  points: number;
  meanReprojectionError: number;
}

export interface ColmapMatchersBench {
  frames: number;
  videos: number;
  sequential: MatcherBench;
  exhaustive: MatcherBench;
}

export interface BenchColmapOptions {
  /** Scratch folder (default: a fresh one under the OS temp folder, removed afterwards). */
  workDir?: string;
  maxNumFeatures?: number;
  signal?: AbortSignal;
  /** Progress lines for a terminal. */
  onLog?: (line: string) => void;
}

const IMAGE = /\.(jpe?g|png)$/i;

/**
 * Per-video frame lists of a frames folder laid out as FrameExtraction writes it
 * (`frames/<stem>/*.jpg`), with the manifest's default prior (65° horizontal FOV).
 */
async function videosFromFramesDir(framesDir: string): Promise<VideoFrames[]> {
  const videos: VideoFrames[] = [];
  for (const stem of (await readdir(framesDir)).sort()) {
    if (!(await stat(join(framesDir, stem))).isDirectory()) continue;
    const images = (await readdir(join(framesDir, stem))).filter((n) => IMAGE.test(n)).sort();
    if (images.length === 0) continue;
    const { width, height } = await readImageSize(join(framesDir, stem, images[0]!));
    const f = width / (2 * Math.tan((65 * Math.PI) / 360));
    videos.push({
      images: images.map((n) => `${stem}/${n}`),
      camera: { model: "SIMPLE_RADIAL", params: [f, width / 2, height / 2, 0] },
    });
  }
  if (videos.length === 0)
    throw new SplatbookError(`${framesDir}: no frames/<video>/*.jpg found`, { file: framesDir });
  return videos;
}

/**
 * Runs COLMAP on the same frames with the sequential and the exhaustive matcher and reports
 * time, registered frames and points for each. `input` is a manifest.json (frames resolved
 * against its folder) or a frames folder.
 */
export async function benchColmapMatchers(
  input: string,
  opts: BenchColmapOptions = {},
): Promise<ColmapMatchersBench> {
  let imageRoot: string;
  let videos: VideoFrames[];
  if (input.endsWith(".json")) {
    const manifest = await readJsonFile(input, ManifestSchema);
    imageRoot = join(dirname(input), "frames");
    videos = await videoFramesFromManifest(manifest, dirname(input), input);
  } else {
    imageRoot = input;
    videos = await videosFromFramesDir(input);
  }
  const work = opts.workDir ?? (await mkdtemp(join(tmpdir(), "splatbook-bench-colmap-")));
  const results = {} as Record<"sequential" | "exhaustive", MatcherBench>;
  const frames = videos.reduce((n, v) => n + v.images.length, 0);
  const size = await readImageSize(join(imageRoot, videos[0]!.images[0]!));
  const chosen = chooseSiftSettings(size, frames);
  const sift = { ...chosen, maxNumFeatures: opts.maxNumFeatures ?? chosen.maxNumFeatures };
  try {
    for (const matcher of ["sequential", "exhaustive"] as const) {
      opts.onLog?.(`COLMAP with the ${matcher} matcher…`);
      const pairs =
        matcher === "sequential"
          ? { kind: matcher, overlap: SEQUENTIAL_OVERLAP }
          : { kind: matcher };
      // One attempt, accepted whatever it registers: this compares the matchers alone.
      const r = await reconstructWithLadder({
        imageRoot,
        videos,
        workDir: join(work, matcher),
        rungs: [{ label: matcher, sift, pairs, guided: false, relaxed: false }],
        minRegisteredFraction: 1e-9,
        signal: opts.signal,
      });
      results[matcher] = {
        seconds: r.seconds.total,
        matchSeconds: r.seconds.match,
        registered: r.registered,
        total: r.total,
        points: r.points,
        meanReprojectionError: r.meanReprojectionError,
      };
      opts.onLog?.(
        `  ${matcher}: ${r.seconds.total.toFixed(1)} s (matching ${r.seconds.match.toFixed(1)} s), ` +
          `registered ${r.registered}/${r.total}, ${r.points} points`,
      );
    }
  } finally {
    if (!opts.workDir) await rm(work, { recursive: true, force: true });
  }
  return { frames, videos: videos.length, ...results };
}
