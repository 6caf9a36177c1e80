/**
 * The MIME payloads read from a job folder: Brush's status file plus `metrics.arrow` and
 * `previews/` for the training payload, the exported model for the splat payload (the progress
 * payload needs only the checkpoint: views.ts). Every payload carries its server-root-relative
 * path and embeds what its last state needs.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { tableFromIPC } from "apache-arrow";
import type { SplatPayload, TrainingPayload } from "../contracts/mime.js";
import { TRAINING_STATUS_FILENAME, TrainingStatusSchema } from "../contracts/trainingStatus.js";
import { VIEW_CAMERAS_FILENAME } from "../contracts/viewCameras.js";
import { GROUND_TRUTH_FILE_NAME } from "../train/preview.js";
import { embeddedPng } from "./previewImage.js";
import { serverPath } from "./serverRoot.js";
import { metricsHistories, trainingPayloadFromStatus } from "./views.js";

/** [step, SSIM] pairs from `metrics.arrow`; empty while it is absent or unreadable. */
export function readSsimHistory(metricsFile: string | null | undefined): [number, number][] {
  if (!metricsFile) return [];
  try {
    return metricsHistories(tableFromIPC(readFileSync(metricsFile))).ssim;
  } catch {
    return [];
  }
}

/** Reads training_status.json; undefined while it is absent or mid-replace on another FS. */
export function readTrainingPayload(
  outputFolder: string,
  jobId: string,
): TrainingPayload | undefined {
  const file = join(outputFolder, TRAINING_STATUS_FILENAME);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  const parsed = TrainingStatusSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const s = parsed.data;
  // The trainer records absolute paths; older files may hold folder-relative ones.
  const preview = s.preview_file ? resolve(outputFolder, s.preview_file) : null;
  const metrics = s.metrics_file ? resolve(outputFolder, s.metrics_file) : null;
  return trainingPayloadFromStatus(s, {
    outputFolder,
    jobId,
    jobPath: serverPath(outputFolder),
    previewPath: preview,
    ssimHistory: readSsimHistory(metrics),
    previewPng: embeddedPng(preview),
    groundTruthPng: embeddedPng(
      preview ? join(dirname(preview), GROUND_TRUTH_FILE_NAME) : undefined,
    ),
  });
}

/** Fills the splat payload's server-relative path and fallback preview from the job folder. */
export function completeSplatPayload(s: SplatPayload): SplatPayload {
  const folder = dirname(resolve(s.path));
  let preview: string | null = null;
  try {
    const status = TrainingStatusSchema.safeParse(
      JSON.parse(readFileSync(join(folder, TRAINING_STATUS_FILENAME), "utf8")),
    );
    if (status.success && status.data.preview_file)
      preview = resolve(folder, status.data.preview_file);
  } catch {
    preview = null;
  }
  const cameras = join(folder, VIEW_CAMERAS_FILENAME);
  return {
    ...s,
    file: s.file !== undefined ? s.file : serverPath(s.path),
    preview_png: s.preview_png !== undefined ? s.preview_png : embeddedPng(preview),
    cameras_file:
      s.cameras_file !== undefined
        ? s.cameras_file
        : existsSync(cameras)
          ? serverPath(cameras)
          : null,
  };
}
