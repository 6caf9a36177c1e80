import { open, readdir, stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { extname, join, resolve } from "node:path";
import type { Logger } from "../contracts/logger.js";
import type { StageContext, StageDefinition } from "../contracts/stage.js";
import { InterruptedError, SplatbookError } from "../util/errors.js";
import { mapWithLimit } from "./pool.js";
import { describePrecalibrated } from "../contracts/precalibrated.js";
import { detectPrecalibrated, precalibratedFiles } from "./precalibrated.js";
import { photoKind, probePhotos } from "./photoProbe.js";
import { probe, type FileIssue } from "./probe.js";
import type { ValidationResult } from "../contracts/stageResults.js";

export type { ValidationResult } from "../contracts/stageResults.js";

/** Identity of an input file; a change to any of these reruns the pipeline from Validation. */
export interface FileIdentity {
  name: string;
  size: number;
  mtimeMs: number;
}

/** Regular, non-hidden files in the folder and its non-hidden subfolders (`/`-separated), sorted. */
export async function listInputFiles(inputFolder: string, recursive = true): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(join(inputFolder, rel), { withFileTypes: true });
    } catch (err) {
      if (rel) return; // a subfolder that vanished or is unreadable: its files are simply absent
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      const cause = code === "ENOENT" ? "folder does not exist" : `cannot read folder (${code})`;
      throw new SplatbookError(`${inputFolder}: ${cause}`, { file: inputFolder });
    }
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      const name = rel ? `${rel}/${e.name}` : e.name;
      if (e.isFile() || e.isSymbolicLink()) out.push(name);
      else if (e.isDirectory() && recursive) await walk(name);
    }
  };
  await walk("");
  return out.sort();
}

/** Name, size and mtime of every input file (and of a precalibrated model's files). */
export async function inputIdentities(inputFolder: string): Promise<FileIdentity[]> {
  const out: FileIdentity[] = [];
  const found = await detectPrecalibrated(inputFolder);
  for (const name of await listInputFiles(inputFolder, !found)) {
    try {
      const s = await stat(join(inputFolder, name));
      out.push({ name, size: s.size, mtimeMs: s.mtimeMs });
    } catch {
      out.push({ name, size: -1, mtimeMs: -1 }); // dangling link: Validation will name it
    }
  }
  if (found) out.push(...(await precalibratedFiles(found)));
  return out;
}

const noLog: Logger = { info() {}, warn() {}, debug() {} };

function listIssues(issues: FileIssue[]): string {
  return issues.map((i) => `${i.filename}: ${i.cause}`).join("; ");
}

/** The first bytes of a file (empty when it cannot be read: the probe names the cause). */
async function head(path: string): Promise<Buffer> {
  try {
    const h = await open(path, "r");
    try {
      const buf = Buffer.alloc(16);
      const { bytesRead } = await h.read(buf, 0, 16, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await h.close();
    }
  } catch {
    return Buffer.alloc(0);
  }
}

/** Photos and videos among `names`: photos by extension or first bytes, the rest probed as video. */
async function probeAll(folder: string, names: string[], signal?: AbortSignal) {
  const photoFiles: { filename: string; format: ReturnType<typeof photoKind> & string }[] = [];
  const others: string[] = [];
  const stemOf = (n: string) => n.slice(0, n.length - extname(n).length).toLowerCase();
  const stems = new Set(names.filter((n) => !/\.srt$/i.test(n)).map(stemOf));
  // A telemetry sidecar (DJI .SRT beside a video of the same stem) is read by MetadataExtraction.
  const sidecars = names.filter((n) => /\.srt$/i.test(n) && stems.has(stemOf(n)));
  for (const name of names) {
    if (sidecars.includes(name)) continue;
    const kind = photoKind(name, await head(join(folder, name)));
    if (kind) photoFiles.push({ filename: name, format: kind });
    else others.push(name);
  }
  const videoOutcomes = await mapWithLimit(others, availableParallelism(), async (name) => {
    if (signal?.aborted) throw new InterruptedError("interrupt");
    const o = await probe(join(folder, name));
    // Issues name the file by its path in the input folder.
    return o.kind === "video" ? o : { ...o, issue: { ...o.issue, filename: name } };
  });
  const photoOutcomes = await probePhotos(folder, photoFiles, { signal });
  const byName = (a: { filename: string }, b: { filename: string }) =>
    a.filename < b.filename ? -1 : 1;
  return {
    videos: videoOutcomes.flatMap((o) => (o.kind === "video" ? [o.video] : [])).sort(byName),
    photos: photoOutcomes.flatMap((o) => (o.kind === "photo" ? [o.photo] : [])).sort(byName),
    broken: [
      ...videoOutcomes.flatMap((o) => (o.kind === "broken" ? [o.issue] : [])),
      ...photoOutcomes.flatMap((o) => (o.kind === "broken" ? [o.issue] : [])),
    ].sort(byName),
    skipped: videoOutcomes.flatMap((o) => (o.kind === "not-video" ? [o.issue] : [])).sort(byName),
    sidecars,
  };
}

/**
 * Probes every file in the input folder and its subfolders: photos (JPEG, PNG, TIFF, HEIC) and
 * videos. Unusable files are warned about, each with its cause, when at least one usable photo or
 * video remains; otherwise (or for an empty folder) a SplatbookError names every file and its
 * cause. A precalibrated input needs neither (and its folder is not searched below the top).
 */
export async function validateInput(
  inputFolder: string,
  options: { log?: Logger; signal?: AbortSignal } = {},
): Promise<ValidationResult> {
  const log = options.log ?? noLog;
  const folder = resolve(inputFolder);
  const precalibrated = await detectPrecalibrated(folder);
  const names = await listInputFiles(folder, !precalibrated);
  const modelFiles = new Set(
    precalibrated ? (await precalibratedFiles(precalibrated)).map((f) => resolve(f.name)) : [],
  );
  const candidates = names.filter((n) => !modelFiles.has(join(folder, n)));
  const probed = await probeAll(folder, candidates, options.signal);
  const { videos, photos, broken, skipped } = probed;
  for (const s of skipped) log.warn(`skipping ${s.filename}: ${s.cause}`);
  if (precalibrated) {
    log.info(describePrecalibrated(precalibrated));
  } else if (videos.length === 0 && photos.length === 0) {
    const all = [...broken, ...skipped];
    const detail = all.length ? listIssues(all) : "folder is empty";
    throw new SplatbookError(`${folder}: no usable video or photo (${detail})`, {
      file: all.length === 1 ? join(folder, all[0]!.filename) : folder,
    });
  }
  for (const b of broken) log.warn(`ignoring ${b.filename}: ${b.cause}`);
  log.info(
    `found ${photos.length} photo(s), ${videos.length} video(s)` +
      (broken.length ? `, ${broken.length} unusable` : "") +
      (skipped.length ? `, ${skipped.length} other file(s) skipped` : ""),
  );
  return {
    input_folder: folder,
    video_count: videos.length,
    videos,
    photo_count: photos.length,
    photos,
    telemetry_sidecars: probed.sidecars,
    broken,
    skipped,
    precalibrated,
  };
}

/** Stage 0: Validation. */
export const validationStage: StageDefinition<ValidationResult> = {
  name: "Validation",
  async fingerprintInputs(ctx: StageContext) {
    return { version: 2, files: await inputIdentities(ctx.inputFolder) };
  },
  run(ctx: StageContext) {
    return validateInput(ctx.inputFolder, { log: ctx.log, signal: ctx.signal });
  },
  summarize(result) {
    return { video_count: result.video_count, photo_count: result.photo_count ?? 0 };
  },
};

/** Skip reason shared by stages 1–3 when Validation found a calibration in the input. */
export function precalibratedSkipReason(ctx: StageContext): string | null {
  const found = ctx.resultOf("Validation")?.precalibrated;
  return found ? describePrecalibrated(found) : null;
}

/** Validation's result, or a clear error when a capture stage runs without it. */
export function requireValidation(ctx: StageContext): ValidationResult {
  const v = ctx.resultOf("Validation");
  if (!v) throw new SplatbookError("Validation has not run for this job (no video list)");
  return v;
}
