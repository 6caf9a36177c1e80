/**
 * The one stage table of the pipeline (names and order as `.checkpoint.json` records them). Every consumer — engine, CLI, kernel, lab
 * extension — derives names, order and progress percentages from here.
 */
export const STAGES = [
  "Validation",
  "FrameExtraction",
  "MetadataExtraction",
  "ManifestGeneration",
  "ColmapReconstruction",
  "Training",
  "PlyExport",
  "SplatExport",
] as const;

/** A pipeline stage that does work. */
export type StageName = (typeof STAGES)[number];
/** What `.checkpoint.json`'s `stage` may hold: a working stage, or the terminal `Completed`. */
export type JobStage = StageName | "Completed";

export const JOB_STAGES: readonly JobStage[] = [...STAGES, "Completed"];

/** Stage number 0..8 (Completed = 8). */
export function stageIndex(stage: JobStage): number {
  const i = JOB_STAGES.indexOf(stage);
  if (i < 0) throw new Error(`unknown stage ${JSON.stringify(stage)}`);
  return i;
}

/** Progress % = stage number / 8 × 100 (`.checkpoint.json`'s `progress_percentage`). */
export function progressPercentage(stage: JobStage): number {
  return (stageIndex(stage) / STAGES.length) * 100;
}

/** Parses a user-given stage name case-insensitively ("colmapreconstruction" works). */
export function parseStageName(text: string): JobStage {
  const found = JOB_STAGES.find((s) => s.toLowerCase() === text.trim().toLowerCase());
  if (!found) {
    throw new Error(`unknown stage "${text}"; expected one of ${JOB_STAGES.join(", ")}`);
  }
  return found;
}
