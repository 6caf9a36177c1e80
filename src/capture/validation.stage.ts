import { readdir, stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import type { Logger } from "../contracts/logger.js";
import type { StageContext, StageDefinition } from "../contracts/stage.js";
import { InterruptedError, SplatbookError } from "../util/errors.js";
import { mapWithLimit } from "./pool.js";
import { describePrecalibrated } from "../contracts/precalibrated.js";
import { detectPrecalibrated, precalibratedFiles } from "./precalibrated.js";
import { probe, type FileIssue, type VideoProbe } from "./probe.js";
import type { ValidationResult } from "../contracts/stageResults.js";

export type { ValidationResult } from "../contracts/stageResults.js";

/** Identity of an input file; a change to any of these reruns the pipeline from Validation. */
export interface FileIdentity {
  name: string;
  size: number;
  mtimeMs: number;
}

/** Regular, non-hidden files directly in the folder, sorted by name. */
export async function listInputFiles(inputFolder: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(inputFolder, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    const cause = code === "ENOENT" ? "folder does not exist" : `cannot read folder (${code})`;
    throw new SplatbookError(`${inputFolder}: ${cause}`, { file: inputFolder });
  }
  return entries
    .filter((e) => !e.name.startsWith(".") && (e.isFile() || e.isSymbolicLink()))
    .map((e) => e.name)
    .sort();
}

/** Name, size and mtime of every input file (and of a precalibrated model's files). */
export async function inputIdentities(inputFolder: string): Promise<FileIdentity[]> {
  const out: FileIdentity[] = [];
  for (const name of await listInputFiles(inputFolder)) {
    try {
      const s = await stat(join(inputFolder, name));
      out.push({ name, size: s.size, mtimeMs: s.mtimeMs });
    } catch {
      out.push({ name, size: -1, mtimeMs: -1 }); // dangling link: Validation will name it
    }
  }
  const found = await detectPrecalibrated(inputFolder);
  if (found) out.push(...(await precalibratedFiles(found)));
  return out;
}

const noLog: Logger = { info() {}, warn() {}, debug() {} };

function listIssues(issues: FileIssue[]): string {
  return issues.map((i) => `${i.filename}: ${i.cause}`).join("; ");
}

/**
 * Probes every file in the input folder. Broken videos are warned about when at least one
 * usable video remains; otherwise (or for an empty folder) a SplatbookError names every file and
 * its cause. A precalibrated input needs no videos.
 */
export async function validateInput(
  inputFolder: string,
  options: { log?: Logger; signal?: AbortSignal } = {},
): Promise<ValidationResult> {
  const log = options.log ?? noLog;
  const folder = resolve(inputFolder);
  const names = await listInputFiles(folder);
  const precalibrated = await detectPrecalibrated(folder);
  const modelFiles = new Set(
    precalibrated ? (await precalibratedFiles(precalibrated)).map((f) => resolve(f.name)) : [],
  );
  const candidates = names.filter((n) => !modelFiles.has(join(folder, n)));
  const outcomes = await mapWithLimit(candidates, availableParallelism(), async (name) => {
    if (options.signal?.aborted) throw new InterruptedError("interrupt");
    return probe(join(folder, name));
  });
  const videos: VideoProbe[] = [];
  const broken: FileIssue[] = [];
  const skipped: FileIssue[] = [];
  for (const o of outcomes) {
    if (o.kind === "video") videos.push(o.video);
    else if (o.kind === "broken") broken.push(o.issue);
    else skipped.push(o.issue);
  }
  for (const s of skipped) log.warn(`skipping ${s.filename}: ${s.cause}`);
  if (precalibrated) {
    log.info(describePrecalibrated(precalibrated));
  } else if (videos.length === 0) {
    const all = [...broken, ...skipped];
    const detail = all.length ? listIssues(all) : "folder is empty";
    throw new SplatbookError(`${folder}: no usable video (${detail})`, {
      file: all.length === 1 ? join(folder, all[0]!.filename) : folder,
    });
  }
  for (const b of broken) log.warn(`ignoring broken video ${b.filename}: ${b.cause}`);
  log.info(
    `found ${videos.length} video(s)` +
      (broken.length ? `, ${broken.length} broken` : "") +
      (skipped.length ? `, ${skipped.length} other file(s) skipped` : ""),
  );
  return {
    input_folder: folder,
    video_count: videos.length,
    videos,
    broken,
    skipped,
    precalibrated,
  };
}

/** Stage 0: Validation. */
export const validationStage: StageDefinition<ValidationResult> = {
  name: "Validation",
  async fingerprintInputs(ctx: StageContext) {
    return { version: 1, files: await inputIdentities(ctx.inputFolder) };
  },
  run(ctx: StageContext) {
    return validateInput(ctx.inputFolder, { log: ctx.log, signal: ctx.signal });
  },
  summarize(result) {
    return { video_count: result.video_count };
  },
};

/** Skip reason of stages 1–3 when Validation found a calibration in the input. */
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
