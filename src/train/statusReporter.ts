import {
  startingTrainingStatus,
  type TrainingState,
  type TrainingStatus,
} from "../contracts/trainingStatus.js";
import { rfc3339 } from "../status/trainingStatusWriter.js";

/**
 * Where status snapshots go: src/status's atomic, throttled `createTrainingStatusWriter`, or a
 * test spy.
 */
export interface TrainingStatusSink {
  write(status: TrainingStatus): Promise<void>;
  /** Writes anything held back by throttling (called when training ends, however it ends). */
  flush?(): Promise<void>;
}

/**
 * Keeps the trainer's view of `training_status.json` (Brush's status file fields plus job_id, preview_file,
 * metrics_file, resumed_from_step, psnr_history, error_message) and writes it on demand. Status
 * writes never fail training: an I/O error is reported once through `onWriteError`.
 */
export class TrainingStatusReporter {
  private status: TrainingStatus;
  private warned = false;

  constructor(
    private readonly sink: TrainingStatusSink | null,
    init: { totalSteps: number; exportPath: string; jobId?: string | null; metricsFile?: string },
    private readonly onWriteError: (err: unknown) => void = () => {},
  ) {
    this.status = {
      ...startingTrainingStatus(init.totalSteps, init.exportPath, rfc3339()),
      error_message: null,
      job_id: init.jobId ?? null,
      preview_file: null,
      metrics_file: init.metricsFile ?? null,
      resumed_from_step: 0,
      psnr_history: [],
    };
  }

  /** The current status object (a copy). */
  get current(): TrainingStatus {
    return structuredClone(this.status);
  }

  /** Writes whatever the sink held back. */
  async flush(): Promise<void> {
    try {
      await this.sink?.flush?.();
    } catch (err) {
      if (!this.warned) this.onWriteError(err);
      this.warned = true;
    }
  }

  /** Merges `patch`, recomputes the derived fields and writes the file. */
  async update(
    patch: Partial<TrainingStatus> & { status?: TrainingState },
    timing?: { elapsedSecs: number; secsPerStep: number | null },
  ): Promise<void> {
    Object.assign(this.status, patch);
    const s = this.status;
    s.progress_percentage =
      s.total_iterations > 0
        ? Math.round((s.current_iteration / s.total_iterations) * 1e4) / 100
        : 0;
    if (timing) {
      s.elapsed_time_seconds = Math.round(timing.elapsedSecs * 100) / 100;
      const left = s.total_iterations - s.current_iteration;
      s.estimated_remaining_seconds =
        timing.secsPerStep === null ? null : Math.round(left * timing.secsPerStep * 100) / 100;
    }
    if (s.status === "completed") s.estimated_remaining_seconds = 0;
    s.last_updated = rfc3339();
    if (!this.sink) return;
    try {
      await this.sink.write(structuredClone(s));
    } catch (err) {
      if (!this.warned) this.onWriteError(err);
      this.warned = true;
    }
  }
}
