import { basename } from "node:path";
import type { Checkpoint } from "../contracts/checkpoint.js";
import type { StageMetric } from "../contracts/ledger.js";
import { STAGES, type JobStage, type StageName } from "../contracts/stages.js";
import type { JobEvent } from "../contracts/events.js";
import { runJob } from "../engine/runJob.js";
import { loadStageTable } from "../engine/stageTable.js";
import type { Logger } from "../contracts/logger.js";
import type { JobParams } from "../contracts/params.js";
import type { StageDefinition } from "../contracts/stage.js";
import { gpuMemory } from "../gpu/buffers.js";
import { InterruptedError, oneLine } from "../util/errors.js";
import type { IndexRecord, LogEntry } from "./ledger.js";
import { startPeakMemorySampler } from "./memory.js";
import { indexOutputPaths, stageArtifacts } from "./outputs.js";

/** One index of a batch: a scene folder and its output folder. */
export interface IndexTask {
  idx: number;
  /** Scene folder name (under the scenes root). */
  scene: string;
  input: string;
  output: string;
}

/** How every index of a batch runs. */
export interface JobSettings {
  params: JobParams;
  until: JobStage;
  maxCheckpointAgeHours?: number;
}

/** Callbacks while an index runs. */
export interface IndexHooks {
  signal?: AbortSignal;
  /** Every engine event of the job (progress displays). */
  onEvent?: (event: JobEvent) => void;
  /** Every log line of the job, as a ledger entry (without worker id). */
  onLog?: (entry: LogEntry) => void;
  /** The stage table (default: the real one). */
  stages?: readonly StageDefinition[];
}

/** What one index produced: its ledger record (worker and attempts filled in by the caller). */
export type IndexOutcome = Omit<IndexRecord, "workerId" | "attempts">;

/** Logger name of lines coming from the job (engine and stages). */
export const JOB_LOGGER = "splatbook.job";

function ledgerLogger(idx: number, onLog: IndexHooks["onLog"]): Logger {
  const emit = (levelName: LogEntry["levelName"], message: string) =>
    onLog?.({
      timestamp: new Date().toISOString(),
      levelName,
      loggerName: JOB_LOGGER,
      message,
      workerId: null,
      idx,
    });
  return {
    info: (m) => emit("INFO", m),
    warn: (m) => emit("WARNING", m),
    debug: (m) => emit("DEBUG", m),
  };
}

/** Stage rows from the job's events, completed with recorded times for reused stages. */
function stageMetrics(events: JobEvent[], checkpoint: Readonly<Checkpoint> | undefined) {
  const byStage = new Map<StageName, StageMetric>();
  const order = (s: StageName) => STAGES.indexOf(s);
  const put = (stage: StageName, secs: number, status: StageMetric["status"]) =>
    byStage.set(stage, {
      stageOrder: order(stage),
      stageName: stage,
      wallTimeNs: Math.round(secs * 1e9),
      status,
    });
  for (const e of events) {
    if (e.type === "stage-complete") put(e.stage, e.durationSecs, "completed");
    else if (e.type === "stage-failed") put(e.stage, e.durationSecs, "failed");
    else if (e.type === "stage-skipped") put(e.stage, 0, "skipped");
    else if (e.type === "stage-cached") {
      // Reused from the checkpoint: the time it took when it ran.
      put(e.stage, checkpoint?.stages[e.stage]?.duration_secs ?? 0, "cached");
    }
  }
  return [...byStage.values()].sort((a, b) => a.stageOrder - b.stageOrder);
}

/**
 * Runs one index: the 8-stage job (up to `until`) in its own output folder with its own
 * checkpoint, timing it, sampling peak memory and collecting per-stage times, outputs and
 * artifacts. A failed job becomes an `error` record with its one-line cause; an interruption
 * (the signal) is rethrown, since the index did not fail and should simply run again.
 */
export async function runIndex(
  task: IndexTask,
  settings: JobSettings,
  hooks: IndexHooks = {},
): Promise<IndexOutcome> {
  const events: JobEvent[] = [];
  let checkpoint: Readonly<Checkpoint> | undefined;
  const onEvent = (e: JobEvent) => {
    events.push(e);
    checkpoint = e.checkpoint;
    hooks.onEvent?.(e);
  };
  const memory = startPeakMemorySampler();
  gpuMemory.peak = gpuMemory.current;
  const started = process.hrtime.bigint();
  let error: string | null = null;
  try {
    await runJob({
      input: task.input,
      output: task.output,
      stages: hooks.stages ?? (await loadStageTable()),
      params: settings.params,
      until: settings.until,
      maxCheckpointAgeHours: settings.maxCheckpointAgeHours,
      signal: hooks.signal,
      logger: ledgerLogger(task.idx, hooks.onLog),
      onEvent,
    });
  } catch (err) {
    if (err instanceof InterruptedError || hooks.signal?.aborted) {
      memory.stop();
      throw err instanceof InterruptedError ? err : new InterruptedError("interrupt");
    }
    error = oneLine(err);
  }
  const wallTimeNs = Number(process.hrtime.bigint() - started);
  const peak = memory.stop();
  const usedGpu = events.some((e) => e.type === "stage-start" && e.stage === "Training");
  return {
    idx: task.idx,
    scene: task.scene || basename(task.input),
    status: error === null ? "completed" : "error",
    outputPaths: indexOutputPaths(task.output, checkpoint),
    completedAt: new Date().toISOString(),
    wallTimeNs,
    peakMemoryBytes: peak,
    gpuMemoryBytes: usedGpu && gpuMemory.peak > 0 ? gpuMemory.peak : null,
    error,
    stages: stageMetrics(events, checkpoint),
    artifacts: checkpoint ? stageArtifacts(checkpoint) : [],
  };
}
