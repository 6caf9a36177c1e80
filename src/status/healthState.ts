import type { Health, HealthJob, HealthState } from "../contracts/health.js";
import { progressPercentage } from "../contracts/stages.js";
import type { JobEvent } from "../contracts/events.js";

/**
 * The state `/health` reports, fed by engine events: `processing` while a job runs, `idle` after
 * a one-off job, `watching` between jobs in watch mode, `error` after a failure (with the cause).
 */
export interface HealthTracker {
  /** Feed every engine event here (it is a `JobEventListener`). */
  readonly onEvent: (event: JobEvent) => void;
  /** Between jobs in watch mode; keeps the last job and any error message for reference. */
  setWatching(errorMessage?: string | null): void;
  setIdle(): void;
  setError(message: string): void;
  /** The `/health` body now. */
  snapshot(): Health;
}

/** Creates a tracker in state `initial` (default `idle`). */
export function createHealthTracker(initial: HealthState = "idle"): HealthTracker {
  let state: HealthState = initial;
  let lastUpdate = new Date().toISOString();
  let errorMessage: string | null = null;
  let job: HealthJob | null = null;
  let stageFraction: number | null = null;
  let watchMode = initial === "watching";

  const touch = () => {
    lastUpdate = new Date().toISOString();
  };
  const jobFrom = (e: JobEvent, stage = e.checkpoint.stage): HealthJob => ({
    job_id: e.jobId,
    stage,
    progress_percentage: progressPercentage(stage),
    video_count: e.checkpoint.completed_stages.video_count,
    total_frames: e.checkpoint.completed_stages.total_frames,
    gaussian_count: e.checkpoint.completed_stages.gaussian_count,
    started_at: e.checkpoint.started_at,
  });

  const onEvent = (e: JobEvent): void => {
    switch (e.type) {
      case "job-start":
        state = "processing";
        errorMessage = null;
        stageFraction = null;
        job = jobFrom(e);
        break;
      case "stage-start":
        stageFraction = 0;
        job = jobFrom(e, e.stage);
        break;
      case "stage-progress":
        stageFraction = e.fraction;
        job = jobFrom(e, e.stage);
        break;
      case "stage-complete":
      case "stage-cached":
      case "stage-skipped":
      case "resume":
        stageFraction = null;
        job = jobFrom(e);
        break;
      case "stage-failed":
      case "job-failed":
        state = "error";
        errorMessage = `${e.stage}: ${e.error}`;
        job = jobFrom(e, e.stage);
        break;
      case "job-complete":
        state = watchMode ? "watching" : "idle";
        stageFraction = null;
        job = jobFrom(e);
        break;
    }
    touch();
  };

  return {
    onEvent,
    setWatching(message = null) {
      watchMode = true;
      state = "watching";
      errorMessage = message;
      touch();
    },
    setIdle() {
      state = "idle";
      touch();
    },
    setError(message) {
      state = "error";
      errorMessage = message;
      touch();
    },
    snapshot() {
      return {
        state,
        last_update: lastUpdate,
        error_message: errorMessage,
        current_job: job ? { ...job, stage_progress: stageFraction } : null,
      };
    },
  };
}
