/**
 * The corpus cache: captures rendered once into `<root>/<name>-<content hash>` and reused, and
 * the rendering of a capture's content (videos, photos, sidecars).
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { InterruptedError } from "../util/errors.js";
import { renderVideos, type RenderOptions, type VideoSpec } from "./render.js";
import { renderPhotos, type PhotoSeriesSpec } from "./stills.js";

/** A file written verbatim beside the rendered media (a telemetry sidecar). */
export interface SidecarSpec {
  fileName: string;
  text: string;
}

/** Everything a capture renders or writes, hashed for the cache. */
export interface CaptureContent {
  videos: readonly VideoSpec[];
  photos?: readonly PhotoSeriesSpec[];
  sidecars?: readonly SidecarSpec[];
}

/** Where a capture folder's truth file lies: beside it, `<folder>.truth.json`. */
export function truthPath(dir: string): string {
  return `${dir.replace(/\/+$/, "")}.truth.json`;
}

/** Renders every video and photo of `content` into `dir` and writes its sidecars. */
export async function renderContent(
  dir: string,
  content: CaptureContent,
  opts: RenderOptions,
): Promise<string[]> {
  const videos = await renderVideos(dir, content.videos, opts);
  const photos = await renderPhotos(dir, content.photos ?? [], opts);
  const sidecars: string[] = [];
  for (const s of content.sidecars ?? []) {
    const target = join(dir, s.fileName);
    await writeFile(`${target}.partial`, s.text);
    await rename(`${target}.partial`, target);
    sidecars.push(target);
  }
  return [...videos, ...photos, ...sidecars];
}

/** Version of the render path: bump when the encoder settings change the output. */
const RENDER_VERSION = 2;

/** Content hash of render specifications: scene sources, sizes, tags, render version. */
export function specsHash(specs: readonly VideoSpec[] | CaptureContent): string {
  // Video-only content hashes as it always has, so the caches of older captures stay valid.
  const c: CaptureContent = Array.isArray(specs) ? { videos: specs } : (specs as CaptureContent);
  const extra = (c.photos?.length ?? 0) + (c.sidecars?.length ?? 0) > 0;
  const json = JSON.stringify(
    extra
      ? { v: RENDER_VERSION, specs: c.videos, photos: c.photos, sidecars: c.sidecars }
      : { v: RENDER_VERSION, specs: c.videos },
  );
  return createHash("sha256").update(json).digest("hex").slice(0, 12);
}

/**
 * Root of the corpus cache: `$SPLATBOOK_CACHE_DIR/corpus`, else `$XDG_CACHE_HOME/splatbook/corpus`,
 * else `~/.cache/splatbook/corpus`.
 */
export function corpusCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SPLATBOOK_CACHE_DIR) return join(env.SPLATBOOK_CACHE_DIR, "corpus");
  const xdg = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(xdg, "splatbook", "corpus");
}

/** A rendered capture in the cache. */
export interface CachedCapture {
  dir: string;
  /** Every file of the capture (videos, photos, sidecars), absolute. */
  videos: string[];
  /** The truth file beside the folder (`<dir>.truth.json`); absent for ad-hoc renders. */
  truth: string | null;
  /** False when the cache already held it. */
  rendered: boolean;
}

/**
 * Files rendered once into `<root>/<name>-<hash of the specs>` and reused afterwards. The
 * folder appears whole (rendered beside it, then renamed), so a reader never sees half a
 * capture; concurrent callers (parallel test files) wait for the one rendering it.
 */
export async function cachedRender(
  name: string,
  specs: readonly VideoSpec[] | CaptureContent,
  opts: RenderOptions & { cacheRoot?: string } = {},
): Promise<CachedCapture> {
  const content: CaptureContent = Array.isArray(specs)
    ? { videos: specs }
    : (specs as CaptureContent);
  const root = opts.cacheRoot ?? corpusCacheRoot();
  const dir = join(root, `${name}-${specsHash(content)}`);
  const files = [
    ...content.videos.map((s) => s.fileName),
    ...(content.photos ?? []).flatMap((s) => s.photos.map((p) => p.fileName)),
    ...(content.sidecars ?? []).map((s) => s.fileName),
  ].map((f) => join(dir, f));
  const complete = () => files.every((v) => existsSync(v));
  if (complete()) return { dir, videos: files, truth: null, rendered: false };
  await mkdir(root, { recursive: true });
  const release = await takeLock(`${dir}.lock`, complete, opts.signal);
  try {
    if (complete()) return { dir, videos: files, truth: null, rendered: false };
    const partial = `${dir}.partial`;
    await rm(partial, { recursive: true, force: true });
    await renderContent(partial, content, opts);
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir);
    return { dir, videos: files, truth: null, rendered: true };
  } finally {
    await release();
  }
}

/**
 * Takes a lock folder holding the owner's pid; waits while a live process holds it, and breaks it
 * when its holder is gone. Returns early (with a no-op release) once `done()` is true.
 */
async function takeLock(
  lock: string,
  done: () => boolean,
  signal?: AbortSignal,
): Promise<() => Promise<void>> {
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, "pid"), String(process.pid));
      return () => rm(lock, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    if (done()) return async () => undefined;
    const holder = Number(await readFile(join(lock, "pid"), "utf8").catch(() => "NaN"));
    if (Number.isInteger(holder) && !isAlive(holder)) {
      await rm(lock, { recursive: true, force: true });
      continue;
    }
    if (signal?.aborted) throw new InterruptedError();
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
