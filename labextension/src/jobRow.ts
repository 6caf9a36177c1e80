/** One line of the jobs panel, derived from what the server extension reports (pure). */
import { inputsLine, jobIsFinal } from "@splatbook/views";
import type { JobFiles } from "./api";
import { isStale } from "./format";

/** What the panel shows for a job. */
export interface JobRow {
  path: string;
  jobId: string;
  stage: string;
  /** "N photos, M videos" once Validation ran, else null. */
  inputs: string | null;
  /** 0..100, with the training fraction inside the Training stage's share. */
  percent: number;
  psnr: number | null;
  splats: number | null;
  updated: number | null;
  completed: boolean;
  failed: boolean;
  /** Not finished and not updated for longer than the stale setting. */
  stale: boolean;
  error: string | null;
}

/** The row of `job`; a folder whose checkpoint cannot be read shows as failed with the reason. */
export function jobRow(job: JobFiles, staleAfterSeconds: number, nowMs = Date.now()): JobRow {
  const cp = job.checkpoint;
  const status = job.training_status;
  if (!cp) {
    return {
      path: job.path,
      jobId: job.path,
      stage: "unknown",
      inputs: null,
      percent: 0,
      psnr: null,
      splats: null,
      updated: job.updated,
      completed: false,
      failed: true,
      stale: false,
      error: job.errors[0] ?? "no readable checkpoint",
    };
  }
  const final = jobIsFinal(cp);
  const failed = final && cp.stage !== "Completed";
  let percent = cp.progress_percentage;
  if (cp.stage === "Training" && status && status.total_iterations > 0) {
    percent += (status.current_iteration / status.total_iterations) * (100 / 8);
  }
  return {
    path: job.path,
    jobId: cp.job_id,
    stage: cp.stage,
    inputs: inputsLine(cp.completed_stages),
    percent: cp.stage === "Completed" ? 100 : Math.min(100, percent),
    psnr: status?.last_eval_psnr ?? null,
    splats: status?.current_splat_count ?? cp.completed_stages?.gaussian_count ?? null,
    updated: job.updated,
    completed: cp.stage === "Completed",
    failed,
    stale: !final && isStale(job.updated, staleAfterSeconds, nowMs),
    error: cp.error ? `${cp.error.stage}: ${cp.error.message}` : null,
  };
}
