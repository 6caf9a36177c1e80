import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Checkpoint } from "../contracts/checkpoint.js";
import { CHECKPOINT_FILENAME } from "../contracts/checkpoint.js";
import { STAGES } from "../contracts/stages.js";
import type { ArtifactRecord } from "./ledger.js";

/** Folders a stage fills that its result does not name as a `*_path`. */
const STAGE_FOLDERS: Readonly<Partial<Record<string, readonly string[]>>> = {
  FrameExtraction: ["frames"],
  ColmapReconstruction: ["colmap"],
  Training: ["previews", "training", "metrics.arrow", "training_status.json"],
};

/** Every string `*_path` / `*_dir` value of a stage result (one level deep). */
function resultPaths(result: unknown): string[] {
  if (!result || typeof result !== "object") return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(result as Record<string, unknown>)) {
    if (typeof value === "string" && /(_path|_dir)$/.test(key)) out.push(value);
  }
  return out;
}

/**
 * The artifacts each completed stage left in the output folder (frames, metadata, manifest,
 * COLMAP models, previews, snapshot, PLY, SPLAT): the paths its result names plus the folders
 * it fills, those that exist.
 */
export function stageArtifacts(checkpoint: Readonly<Checkpoint>): ArtifactRecord[] {
  const out: ArtifactRecord[] = [];
  const output = checkpoint.output_folder;
  STAGES.forEach((stageName, stageOrder) => {
    const record = checkpoint.stages[stageName];
    if (record?.state !== "completed") return;
    const paths = new Set([
      ...resultPaths(record.result).map((p) => resolve(output, p)),
      ...(STAGE_FOLDERS[stageName] ?? []).map((f) => join(output, f)),
    ]);
    for (const path of paths) if (existsSync(path)) out.push({ path, stageName, stageOrder });
  });
  return out;
}

/**
 * An index's output paths: its output folder and checkpoint first (so any file inside maps back
 * to the index), then each product a completed stage named (metadata, manifest, COLMAP model,
 * trained parameters, PLY, SPLAT), in stage order.
 */
export function indexOutputPaths(
  outputFolder: string,
  checkpoint?: Readonly<Checkpoint>,
): string[] {
  const folder = resolve(outputFolder);
  const paths = [folder, join(folder, CHECKPOINT_FILENAME)];
  for (const stage of STAGES) {
    const record = checkpoint?.stages[stage];
    if (record?.state !== "completed") continue;
    for (const p of resultPaths(record.result)) paths.push(resolve(folder, p));
  }
  return [...new Set(paths)];
}
