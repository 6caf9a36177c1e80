import type { Checkpoint } from "../contracts/checkpoint.js";
import type { JobStage } from "../contracts/stages.js";
import { oneLine } from "../util/errors.js";
import {
  checkpointAgeHours,
  checkpointPath,
  newCheckpoint,
  readCheckpoint,
} from "./checkpointStore.js";
import type { Logger } from "../contracts/logger.js";
import type { ParamValues } from "./jobParams.js";

/** Default age after which an unfinished checkpoint is ignored: 24 h. */
export const DEFAULT_MAX_CHECKPOINT_AGE_HOURS = 24;

/** How a job's checkpoint was obtained on open. */
export interface OpenedCheckpoint {
  checkpoint: Checkpoint;
  /** True when the checkpoint is new (nothing on disk was used). */
  created: boolean;
  /** The stage a resumed checkpoint stood at, else null. */
  resumedFrom: JobStage | null;
  ageHours: number | null;
}

/**
 * Decides whether to resume: `fresh` ignores any checkpoint; a Completed one is kept (its stages
 * are reused by fingerprint, so nothing reruns); an unfinished one younger than `maxAgeHours`
 * resumes with the log line `Resuming from checkpoint at stage <Stage>`; older or unreadable
 * ones are ignored with the reason logged.
 */
export async function openCheckpoint(opts: {
  jobId: string | undefined;
  defaultJobId: string;
  inputFolder: string;
  outputFolder: string;
  tempFolderFor: (jobId: string) => string;
  /** Parameters of a new checkpoint (an existing one keeps its recorded ones). */
  params: ParamValues;
  fresh: boolean;
  maxAgeHours: number;
  log: Logger;
}): Promise<OpenedCheckpoint> {
  const start = (): OpenedCheckpoint => {
    const jobId = opts.jobId ?? opts.defaultJobId;
    return {
      checkpoint: newCheckpoint({
        jobId,
        inputFolder: opts.inputFolder,
        outputFolder: opts.outputFolder,
        tempFolder: opts.tempFolderFor(jobId),
        params: opts.params,
      }),
      created: true,
      resumedFrom: null,
      ageHours: null,
    };
  };
  let existing: Checkpoint | undefined;
  try {
    existing = await readCheckpoint(opts.outputFolder);
  } catch (err) {
    opts.log.warn(`Ignoring unreadable checkpoint (${oneLine(err)}); starting fresh`);
    return start();
  }
  if (!existing) return start();
  const path = checkpointPath(opts.outputFolder);
  if (opts.fresh) {
    opts.log.info(`--fresh: ignoring checkpoint ${path} at stage ${existing.stage}`);
    return start();
  }
  if (opts.jobId !== undefined && opts.jobId !== existing.job_id) {
    opts.log.warn(
      `Ignoring checkpoint of job ${existing.job_id} (this job is ${opts.jobId}); starting fresh`,
    );
    return start();
  }
  const ageHours = checkpointAgeHours(existing);
  if (existing.stage !== "Completed" && ageHours > opts.maxAgeHours) {
    opts.log.warn(
      `Checkpoint too old: ${path} at stage ${existing.stage} is ${ageHours.toFixed(1)} h old ` +
        `(limit ${opts.maxAgeHours} h); starting fresh`,
    );
    return start();
  }
  if (existing.input_folder !== opts.inputFolder) {
    opts.log.warn(
      `checkpoint was made for input ${existing.input_folder}; now ${opts.inputFolder}: stages rerun`,
    );
  }
  const resumed = existing.stage !== "Completed";
  if (resumed) opts.log.info(`Resuming from checkpoint at stage ${existing.stage}`);
  existing.input_folder = opts.inputFolder;
  return {
    checkpoint: existing,
    created: false,
    resumedFrom: resumed ? existing.stage : null,
    ageHours,
  };
}
