import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SplatbookError } from "../util/errors.js";
import { runTool } from "../util/exec.js";

/** Options of {@link makeQuickScenes}. */
export interface QuickScenesOptions {
  /** Clip length in seconds (default 2). */
  seconds?: number;
  /** Frame size (default 160x120). */
  size?: string;
  /** Scene names that get a junk `.mp4` (random bytes) instead of a video. */
  junk?: readonly string[];
  /** Name prefix of the scene folders (default `scene-`). */
  prefix?: string;
}

/** Encodes one small H.264 test clip (ffmpeg's testsrc2) to `path`. */
export async function makeTestClip(
  path: string,
  opts: { seconds?: number; size?: string; rate?: number } = {},
): Promise<void> {
  const src = `testsrc2=size=${opts.size ?? "160x120"}:rate=${opts.rate ?? 10}:duration=${opts.seconds ?? 2}`;
  const r = await runTool("ffmpeg", [
    ...["-v", "error", "-f", "lavfi", "-i", src],
    ...["-c:v", "libx264", "-pix_fmt", "yuv420p", "-y", path],
  ]);
  if (r.code !== 0) throw new SplatbookError(`ffmpeg could not make ${path}: ${r.stderr.trim()}`);
}

/**
 * `count` scene folders under `root` (`scene-000`, …), each holding a copy of one small test
 * clip, for batches whose jobs stop early (`--until MetadataExtraction`). Folders named in
 * `junk` hold a `.mp4` of random bytes that Validation rejects. Returns the scene names.
 */
export async function makeQuickScenes(
  root: string,
  count: number,
  opts: QuickScenesOptions = {},
): Promise<string[]> {
  await mkdir(root, { recursive: true });
  const clip = join(root, ".clip.mp4");
  await makeTestClip(clip, opts);
  const names = Array.from(
    { length: count },
    (_, i) => `${opts.prefix ?? "scene-"}${String(i).padStart(3, "0")}`,
  );
  for (const name of [...names, ...(opts.junk ?? [])]) {
    const dir = join(root, name);
    await mkdir(dir, { recursive: true });
    if (opts.junk?.includes(name)) {
      const bytes = Buffer.alloc(4096);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
      await writeFile(join(dir, "capture.mp4"), bytes);
    } else await copyFile(clip, join(dir, "capture.mp4"));
  }
  return [...names, ...(opts.junk ?? [])].sort();
}
