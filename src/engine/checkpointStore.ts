import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  CHECKPOINT_FILENAME,
  CHECKPOINT_SCHEMA_VERSION,
  CheckpointSchema,
  EMPTY_COMPLETED_STAGES,
  type Checkpoint,
  type CompletedStages,
} from "../contracts/checkpoint.js";
import { STAGES, progressPercentage, type JobStage } from "../contracts/stages.js";
import { readJsonFile, writeJsonAtomically } from "../util/atomicFile.js";
import type { ParamValues } from "./jobParams.js";

/** `<output>/.checkpoint.json`. */
export function checkpointPath(outputFolder: string): string {
  return join(outputFolder, CHECKPOINT_FILENAME);
}

/** Reads and validates a checkpoint; undefined when there is none (errors name the file). */
export async function readCheckpoint(outputFolder: string): Promise<Checkpoint | undefined> {
  const path = checkpointPath(outputFolder);
  if (!existsSync(path)) return undefined;
  return (await readJsonFile(path, CheckpointSchema)) as Checkpoint;
}

/** Unix seconds now. */
export function unixNow(now = Date.now()): number {
  return Math.floor(now / 1000);
}

/** A checkpoint for a job that starts at Validation. */
export function newCheckpoint(init: {
  jobId: string;
  inputFolder: string;
  outputFolder: string;
  tempFolder: string;
  params: ParamValues;
  now?: number;
}): Checkpoint {
  const now = init.now ?? Date.now();
  return {
    job_id: init.jobId,
    stage: "Validation",
    input_folder: init.inputFolder,
    output_folder: init.outputFolder,
    temp_folder: init.tempFolder,
    timestamp: unixNow(now),
    completed_stages: { ...EMPTY_COMPLETED_STAGES },
    schema_version: CHECKPOINT_SCHEMA_VERSION,
    progress_percentage: 0,
    started_at: new Date(now).toISOString(),
    stages: {},
    error: null,
    params: jsonSafe(init.params) as ParamValues,
  };
}

/** The params as they survive JSON (functions, undefined dropped). */
function jsonSafe(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? {}));
}

/** Sets `stage` and the progress percentage that goes with it. */
export function setStage(cp: Checkpoint, stage: JobStage): void {
  cp.stage = stage;
  cp.progress_percentage = progressPercentage(stage);
}

/**
 * `completed_stages`, rebuilt from the per-stage summaries of every completed stage in
 * pipeline order, so a rerun stage never leaves a stale value behind.
 */
export function rebuildCompletedStages(cp: Checkpoint): CompletedStages {
  const out: CompletedStages = { ...EMPTY_COMPLETED_STAGES };
  for (const name of STAGES) {
    const rec = cp.stages[name];
    if (rec?.state !== "completed") continue;
    const summary = (rec as { summary?: Partial<CompletedStages> }).summary;
    if (summary) Object.assign(out, summary);
  }
  return out;
}

/** Hours since the checkpoint's last write (0 for a timestamp in the future). */
export function checkpointAgeHours(cp: Checkpoint, now = Date.now()): number {
  return Math.max(0, (unixNow(now) - cp.timestamp) / 3600);
}

/**
 * Serializes checkpoint writes of one job: each write stamps `timestamp`, validates against the
 * contract, and goes through write-file-atomic (temp file, fsync, rename).
 */
export function createCheckpointWriter(outputFolder: string): {
  write(cp: Checkpoint): Promise<void>;
} {
  const path = checkpointPath(outputFolder);
  let queue: Promise<void> = Promise.resolve();
  return {
    write(cp) {
      cp.timestamp = unixNow();
      // Snapshot now so later mutations cannot leak into an earlier queued write.
      const body = CheckpointSchema.parse(structuredClone(cp));
      const next = queue.then(() => writeJsonAtomically(path, body));
      queue = next.catch(() => {});
      return next;
    },
  };
}
