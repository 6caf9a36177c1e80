import type { JobStage } from "../contracts/stages.js";
import { JobRun, type JobRunResult, type JobRunOpenOptions } from "./job.js";

/** Options of {@link runJob}: those of `Job.open` plus where to stop. */
export interface RunJobOptions extends JobRunOpenOptions {
  /** Stop after this stage (`--until`); the checkpoint's stage is then the next one. */
  until?: JobStage;
}

/**
 * Opens the job, runs every stage still to do (up to `until`), and releases the lock. Failures
 * are recorded in the checkpoint and rethrown: SplatbookError for expected ones (exit code on
 * the error), InterruptedError (130/143) when the signal aborted.
 */
export async function runJob(options: RunJobOptions): Promise<JobRunResult> {
  const job = await JobRun.open(options);
  try {
    return await job.run({ until: options.until });
  } finally {
    await job.close();
  }
}
