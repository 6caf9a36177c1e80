import { access, mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { Checkpoint } from "../contracts/checkpoint.js";
import type { Logger } from "../contracts/logger.js";
import type { StageContext, StageDefinition } from "../contracts/stage.js";
import { writeJsonAtomically } from "../util/atomicFile.js";
import { extractPhotos, PHOTOS_DIR } from "./extractPhotos.js";
import { filterPhotos, type DroppedPhoto } from "./photoFilter.js";
import { extractVideoFrames } from "./extractVideo.js";
import { mapWithLimit } from "./pool.js";
import type { PhotoProbe } from "./photoProbe.js";
import type { VideoProbe } from "./probe.js";
import { extractionOptions, type ExtractionOptions } from "./sampling.js";
import { assignStems } from "./stems.js";
import { precalibratedSkipReason, requireValidation } from "./validation.stage.js";
import type {
  ExtractedPhoto,
  ExtractedVideo,
  FrameExtractionResult,
} from "../contracts/stageResults.js";

export type {
  ExtractedFrame,
  ExtractedVideo,
  FrameExtractionResult,
} from "../contracts/stageResults.js";

/** Per-video progress kept in the checkpoint's `videos` record. */
type VideoProgress = NonNullable<Checkpoint["videos"]>[string];

/** Bumped when the way frames are chosen or written changes, so old folders are not reused. */
const EXTRACTION_VERSION = 1;
/** Bookkeeping beside frames/, so COLMAP pointed at frames/ sees nothing but images. */
const CAPTURE_DIR = ".capture";

/** Callbacks and state for a run of {@link extractFrames}. */
export interface ExtractFramesOptions {
  log?: Logger;
  signal?: AbortSignal;
  /** Overall progress 0..1 with a label. */
  progress?: (fraction: number, detail?: string) => void;
  /** Called after each video completes (the stage persists it in the checkpoint). */
  onVideoDone?: (filename: string, progress: VideoProgress) => Promise<void>;
  /** Videos extracted at once (default: available cores). */
  concurrency?: number;
  /** Force one extraction strategy (default "auto"; see extractVideoFrames). */
  strategy?: "auto" | "select" | "seek";
  /**
   * Whether a previous extraction of this video may be reused (it must also be intact and made
   * with the same options). Default: always; the stage allows it only for videos its checkpoint
   * records as done, so `--fresh` re-extracts.
   */
  mayReuse?: (filename: string, stem: string) => boolean;
  /** Photos to write upright under frames/_photos. */
  photos?: readonly PhotoProbe[];
  /** Leave out blurry photos and near-duplicates (their files stay; the result omits them). */
  photoFilter?: boolean;
}

interface Sidecar {
  key: string;
  video: ExtractedVideo;
}

function reuseKey(video: VideoProbe, opts: ExtractionOptions): string {
  const { filename, size, mtimeMs } = video;
  return JSON.stringify({ v: EXTRACTION_VERSION, filename, size, mtimeMs, ...opts });
}

async function allExist(root: string, paths: string[]): Promise<boolean> {
  try {
    await Promise.all(paths.map((p) => access(join(root, p))));
    return true;
  } catch {
    return false;
  }
}

/** A previous run's complete extraction of this video with the same options, or null. */
async function previousExtraction(
  outputFolder: string,
  stem: string,
  key: string,
): Promise<ExtractedVideo | null> {
  try {
    const side = JSON.parse(
      await readFile(join(outputFolder, CAPTURE_DIR, `${stem}.json`), "utf8"),
    ) as Sidecar;
    if (side.key !== key) return null;
    const ok = await allExist(
      outputFolder,
      side.video.frames.map((f) => f.path),
    );
    return ok ? side.video : null;
  } catch {
    return null;
  }
}

/**
 * Extracts one video into a temporary folder, renames it to frames/<stem>, then writes its
 * sidecar (last: its presence means the folder beside it is complete).
 */
async function extractIntoFramesFolder(a: {
  video: VideoProbe;
  stem: string;
  key: string;
  framesRoot: string;
  captureDir: string;
  opts: ExtractionOptions;
  signal?: AbortSignal;
  strategy?: ExtractFramesOptions["strategy"];
  parallel: number;
  onProgress: (fraction: number) => void;
}): Promise<ExtractedVideo> {
  const { video, stem } = a;
  const partial = join(a.captureDir, `partial-${stem}`);
  const finalDir = join(a.framesRoot, stem);
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  const written = await extractVideoFrames(video, partial, a.opts, {
    signal: a.signal,
    strategy: a.strategy,
    parallel: a.parallel,
    onProgress: a.onProgress,
  });
  await rm(join(a.captureDir, `${stem}.json`), { force: true });
  await rm(finalDir, { recursive: true, force: true });
  await rename(partial, finalDir);
  const result: ExtractedVideo = {
    filename: video.filename,
    stem,
    frames_dir: `frames/${stem}`,
    frames: written.frames.map((f) => ({
      path: `frames/${stem}/${f.file}`,
      timestamp_secs: f.timestamp_secs,
    })),
    width: written.width,
    height: written.height,
    strategy: written.strategy,
  };
  await writeJsonAtomically(join(a.captureDir, `${stem}.json`), { key: a.key, video: result });
  return result;
}

/**
 * Extracts frames from every video, several at once. Each video is written into a temporary
 * folder and renamed into frames/<stem> when complete, then recorded in a sidecar; a rerun with
 * the same options reuses every video whose sidecar and frame files are intact.
 */
export async function extractFrames(
  outputFolder: string,
  videos: readonly VideoProbe[],
  opts: ExtractionOptions,
  options: ExtractFramesOptions = {},
): Promise<FrameExtractionResult> {
  const log = options.log;
  const stems = assignStems(videos.map((v) => v.filename));
  const framesRoot = join(outputFolder, "frames");
  const captureDir = join(outputFolder, CAPTURE_DIR);
  await mkdir(framesRoot, { recursive: true });
  await mkdir(captureDir, { recursive: true });
  const limit = options.concurrency ?? availableParallelism();
  // Seek mode runs several ffmpeg per video: share the cores among the videos running at once.
  const perVideoParallel = Math.max(
    1,
    Math.floor(availableParallelism() / Math.max(1, Math.min(limit, videos.length))),
  );
  const fractions = new Array<number>(videos.length).fill(0);
  const report = (detail?: string) => {
    const total = fractions.reduce((a, b) => a + b, 0) / Math.max(1, videos.length);
    options.progress?.(total, detail);
  };
  const extractOne = async (video: VideoProbe, i: number): Promise<ExtractedVideo> => {
    const stem = stems.get(video.filename)!;
    const key = reuseKey(video, opts);
    const allowed = options.mayReuse?.(video.filename, stem) ?? true;
    const earlier = allowed ? await previousExtraction(outputFolder, stem, key) : null;
    if (earlier) {
      log?.info(`${video.filename}: ${earlier.frames.length} frames already extracted, skipped`);
      fractions[i] = 1;
      report(video.filename);
      return earlier;
    }
    const result = await extractIntoFramesFolder({
      video,
      stem,
      key,
      framesRoot,
      captureDir,
      opts,
      signal: options.signal,
      strategy: options.strategy,
      parallel: perVideoParallel,
      onProgress: (f) => {
        fractions[i] = f;
        report(video.filename);
      },
    });
    log?.info(
      `${video.filename}: ${result.frames.length} frames (${result.width}x${result.height})`,
    );
    fractions[i] = 1;
    report(video.filename);
    await options.onVideoDone?.(video.filename, {
      frames_extracted: result.frames.length,
      done: true,
      stem,
    });
    return result;
  };
  const extracted = await mapWithLimit(videos, limit, extractOne);
  const { photos, dropped } = await writePhotos(outputFolder, captureDir, opts, options, limit);
  await removeStalePartials(captureDir);
  await removeFoldersOfOtherVideos(
    framesRoot,
    captureDir,
    new Set([...stems.values(), PHOTOS_DIR]),
  );
  return {
    videos: extracted,
    total_frames: extracted.reduce((n, v) => n + v.frames.length, 0),
    photos,
    total_photos: photos.length,
    ...(options.photoFilter ? { dropped_photos: dropped } : {}),
    options: opts,
  };
}

/** The photos written upright, then filtered when `photoFilter` is on. */
async function writePhotos(
  outputFolder: string,
  captureDir: string,
  opts: ExtractionOptions,
  options: ExtractFramesOptions,
  concurrency: number,
): Promise<{ photos: ExtractedPhoto[]; dropped: DroppedPhoto[] }> {
  const log = options.log;
  const written = await extractPhotos(
    outputFolder,
    captureDir,
    options.photos ?? [],
    opts,
    options,
  );
  if (written.length)
    log?.info(`${written.length} photo(s) written upright under frames/${PHOTOS_DIR}`);
  if (!options.photoFilter) return { photos: written, dropped: [] };
  const { kept, dropped } = await filterPhotos(outputFolder, written, {
    signal: options.signal,
    concurrency,
  });
  for (const d of dropped) log?.info(`photo filter: dropping ${d.filename}: ${d.cause}`);
  return { photos: kept, dropped };
}

/** Leftovers of a killed run (their videos were re-extracted or are no longer in the input). */
async function removeStalePartials(captureDir: string): Promise<void> {
  for (const name of await readdir(captureDir)) {
    if (name.startsWith("partial-"))
      await rm(join(captureDir, name), { recursive: true, force: true });
  }
}

/**
 * frames/ must hold only this job's videos (COLMAP may read the whole folder): folders of videos
 * no longer in the input, and their sidecars, go.
 */
async function removeFoldersOfOtherVideos(
  framesRoot: string,
  captureDir: string,
  keep: Set<string>,
): Promise<void> {
  for (const name of await readdir(framesRoot)) {
    if (!keep.has(name)) await rm(join(framesRoot, name), { recursive: true, force: true });
  }
  for (const name of await readdir(captureDir)) {
    if (name.endsWith(".json") && name !== "photos.json" && !keep.has(name.slice(0, -5))) {
      await rm(join(captureDir, name), { force: true });
    }
  }
}

/** Stage 1: FrameExtraction. */
export const frameExtractionStage: StageDefinition<FrameExtractionResult> = {
  name: "FrameExtraction",
  fingerprintInputs(ctx: StageContext) {
    return { version: EXTRACTION_VERSION, ...extractionOptions(ctx.params) };
  },
  skipReason: precalibratedSkipReason,
  async run(ctx: StageContext) {
    const validation = requireValidation(ctx);
    const done: Record<string, VideoProgress> = { ...(ctx.checkpoint.videos ?? {}) };
    let saving = Promise.resolve();
    return extractFrames(ctx.outputFolder, validation.videos, extractionOptions(ctx.params), {
      log: ctx.log,
      signal: ctx.signal,
      photos: validation.photos ?? [],
      photoFilter: ctx.params.photoFilter,
      progress: (f, detail) => ctx.progress(f, detail),
      mayReuse: (filename, stem) => {
        const record = ctx.checkpoint.videos?.[filename];
        return record?.done === true && record.stem === stem;
      },
      onVideoDone: async (filename, progress) => {
        done[filename] = progress;
        // The whole record each time, so it reads the same whether the engine merges or replaces;
        // chained so concurrent videos never race two checkpoint writes.
        const snapshot = { ...done };
        saving = saving.then(() => ctx.saveStageProgress({ videos: snapshot }));
        await saving;
      },
    });
  },
  summarize(result) {
    return { total_frames: result.total_frames + (result.total_photos ?? 0) };
  },
};
