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

/** What the tracker holds between events. */
interface TrackerState {
  state: HealthState;
  lastUpdate: string;
  errorMessage: string | null;
  job: HealthJob | null;
  stageFraction: number | null;
  watchMode: boolean;
}

/** The `/health` job block for an event (at `stage`, default the checkpoint's). */
function jobFrom(e: JobEvent, stage = e.checkpoint.stage): HealthJob {
  return {
    job_id: e.jobId,
    stage,
    progress_percentage: progressPercentage(stage),
    video_count: e.checkpoint.completed_stages.video_count,
    total_frames: e.checkpoint.completed_stages.total_frames,
    gaussian_count: e.checkpoint.completed_stages.gaussian_count,
    started_at: e.checkpoint.started_at,
  };
}

/** Applies one engine event to the tracker's state. */
function applyEvent(t: TrackerState, e: JobEvent): void {
  switch (e.type) {
    case "job-start":
      t.state = "processing";
      t.errorMessage = null;
      t.stageFraction = null;
      t.job = jobFrom(e);
      break;
    case "stage-start":
      t.stageFraction = 0;
      t.job = jobFrom(e, e.stage);
      break;
    case "stage-progress":
      t.stageFraction = e.fraction;
      t.job = jobFrom(e, e.stage);
      break;
    case "stage-complete":
    case "stage-cached":
    case "stage-skipped":
    case "resume":
      t.stageFraction = null;
      t.job = jobFrom(e);
      break;
    case "stage-failed":
    case "job-failed":
      t.state = "error";
      t.errorMessage = `${e.stage}: ${e.error}`;
      t.job = jobFrom(e, e.stage);
      break;
    case "job-complete":
      t.state = t.watchMode ? "watching" : "idle";
      t.stageFraction = null;
      t.job = jobFrom(e);
      break;
  }
  t.lastUpdate = new Date().toISOString();
}

/** Creates a tracker in state `initial` (default `idle`). */
export function createHealthTracker(initial: HealthState = "idle"): HealthTracker {
  const t: TrackerState = {
    state: initial,
    lastUpdate: new Date().toISOString(),
    errorMessage: null,
    job: null,
    stageFraction: null,
    watchMode: initial === "watching",
  };
  const set = (state: HealthState, errorMessage = t.errorMessage) => {
    t.state = state;
    t.errorMessage = errorMessage;
    t.lastUpdate = new Date().toISOString();
  };
  return {
    onEvent: (e) => applyEvent(t, e),
    setWatching(message = null) {
      t.watchMode = true;
      set("watching", message);
    },
    setIdle: () => set("idle"),
    setError: (message) => set("error", message),
    snapshot: () => ({
      state: t.state,
      last_update: t.lastUpdate,
      error_message: t.errorMessage,
      current_job: t.job ? { ...t.job, stage_progress: t.stageFraction } : null,
    }),
  };
}
