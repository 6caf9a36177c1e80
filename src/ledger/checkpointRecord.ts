import { resolve } from "node:path";
import type { Checkpoint } from "../contracts/checkpoint.js";
import type { StageMetric } from "../contracts/ledger.js";
import { STAGES, type JobStage } from "../contracts/stages.js";
import { checkpointAgeHours, readCheckpoint } from "../engine/checkpointStore.js";
import { stableStringify } from "../engine/fingerprint.js";
import { DEFAULT_MAX_CHECKPOINT_AGE_HOURS } from "../engine/openCheckpoint.js";
import type { IndexOutcome, IndexTask, JobSettings } from "./indexRunner.js";
import type { Ledger } from "./ledger.js";
import { indexOutputPaths, stageArtifacts } from "./outputs.js";
import { batchLog } from "./worker.js";

/** The stages an index runs: every stage up to `until` (all of them for `Completed`). */
function stagesUpTo(until: JobStage) {
  return until === "Completed" ? STAGES : STAGES.slice(0, STAGES.indexOf(until) + 1);
}

/**
 * True when the checkpoint shows the index done as this batch would do it: its folders are the
 * task's, every stage up to `until` completed or skipped, every parameter the batch names
 * recorded with the same value, and (when not `Completed`) young enough that the engine would
 * resume it rather than start fresh.
 */
export function checkpointComplete(
  cp: Readonly<Checkpoint>,
  task: IndexTask,
  settings: JobSettings,
  now = Date.now(),
): boolean {
  if (resolve(cp.input_folder) !== resolve(task.input)) return false;
  if (resolve(cp.output_folder) !== resolve(task.output)) return false;
  const done = stagesUpTo(settings.until).every((stage) => {
    const state = cp.stages[stage]?.state;
    return state === "completed" || state === "skipped";
  });
  if (!done) return false;
  for (const [name, value] of Object.entries(settings.params)) {
    if (value === undefined) continue;
    if (stableStringify(cp.params?.[name]) !== stableStringify(value)) return false;
  }
  const maxAge = settings.maxCheckpointAgeHours ?? DEFAULT_MAX_CHECKPOINT_AGE_HOURS;
  return cp.stage === "Completed" || checkpointAgeHours(cp, now) <= maxAge;
}

/** Stage rows as the checkpoint recorded them (each stage's own run time). */
function recordedStages(cp: Readonly<Checkpoint>, until: JobStage): StageMetric[] {
  return stagesUpTo(until).map((stage) => {
    const rec = cp.stages[stage]!;
    return {
      stageOrder: STAGES.indexOf(stage),
      stageName: stage,
      wallTimeNs: Math.round((rec.duration_secs ?? 0) * 1e9),
      status: rec.state === "skipped" ? "skipped" : "completed",
    };
  });
}

/**
 * The index's completed record rebuilt from its output folder's checkpoint, or null when the
 * checkpoint does not show it complete (or cannot be read). Checkpoints are what workers write
 * as they go, so they are the truth when the ledger missed an index's end (a coordinator
 * killed, a queue job lost after its work was done). Times are the stages' recorded run times;
 * memory figures are unknown.
 */
export async function completedFromCheckpoint(
  task: IndexTask,
  settings: JobSettings,
): Promise<IndexOutcome | null> {
  let cp: Checkpoint | undefined;
  try {
    cp = await readCheckpoint(task.output);
  } catch {
    return null; // unreadable: the index runs again and the engine reports it
  }
  if (!cp || !checkpointComplete(cp, task, settings)) return null;
  const stages = recordedStages(cp, settings.until);
  const last = cp.stages[stages.at(-1)!.stageName]!;
  return {
    idx: task.idx,
    scene: task.scene,
    status: "completed",
    outputPaths: indexOutputPaths(task.output, cp),
    completedAt: last.finished_at ?? new Date(cp.timestamp * 1000).toISOString(),
    wallTimeNs: stages.reduce((sum, s) => sum + s.wallTimeNs, 0),
    peakMemoryBytes: null,
    gpuMemoryBytes: null,
    error: null,
    stages,
    artifacts: stageArtifacts(cp),
  };
}

/**
 * On a resumed batch: every index the ledger holds as failed whose checkpoint shows it complete
 * is recorded completed from the checkpoint (the failure was the queue's or the runner's, not
 * the job's). Returns the indices so recorded.
 */
export async function reconcileFailedIndices(
  ledger: Ledger,
  tasks: readonly IndexTask[],
  settings: JobSettings,
): Promise<number[]> {
  const failed = ledger.failedIndices();
  const fixed: number[] = [];
  for (const task of tasks) {
    const error = failed.get(task.idx);
    if (error === undefined) continue;
    const outcome = await completedFromCheckpoint(task, settings);
    if (!outcome) continue;
    const line = batchLog(
      "WARNING",
      `index ${task.idx}: recorded as failed (${error}) but its checkpoint shows it complete; ` +
        `recorded completed from the checkpoint`,
      null,
      task.idx,
    );
    ledger.recordIndex({ ...outcome, workerId: null, attempts: 0 }, [line]);
    fixed.push(task.idx);
  }
  return fixed;
}
