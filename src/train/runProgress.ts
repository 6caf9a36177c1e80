import type { MetricsRow } from "./metrics.js";

/** The latest held-out evaluation and the step it was made at. */
export interface EvalResult {
  step: number;
  psnr: number;
  ssim: number;
  /** PSNR after fitting each view's colour transform on its left half (appearance.ts). */
  psnrFitted?: number;
}

/** What a snapshot stores of a run's progress besides the tensors. */
export interface ProgressRecord {
  history: MetricsRow[];
  lossSum: number;
  lossCount: number;
  last: EvalResult | null;
}

/**
 * The mutable state of one training run shared by the loop's collaborators: the step counter,
 * the loss window between evaluations, the evaluation history and the run's clock (elapsed time
 * carries over a resume; the step rate counts this session's steps only).
 */
export class RunProgress {
  /** Completed optimisation steps. */
  step = 0;
  /** The step this session started at (the resumed step, or 0). */
  sessionFirstStep = 0;
  /** The step of the last snapshot written or restored. */
  lastSnapshotStep = 0;
  history: MetricsRow[] = [];
  last: EvalResult | null = null;
  private lossSum = 0;
  private lossCount = 0;
  private elapsedBefore = 0;
  private readonly sessionStart = performance.now();

  /** Adds a loss read back from the backend to the current window. */
  addLoss(loss: number): void {
    this.lossSum += loss;
    this.lossCount++;
  }

  /** Mean loss of the window since the last call (NaN if none was read), and a new window. */
  takeMeanLoss(): number {
    const mean = this.lossCount ? this.lossSum / this.lossCount : NaN;
    this.lossSum = 0;
    this.lossCount = 0;
    return mean;
  }

  /** Seconds of training so far, earlier sessions included. */
  elapsed(): number {
    return this.elapsedBefore + (performance.now() - this.sessionStart) / 1000;
  }

  /** Elapsed time and this session's seconds per step, for the status file's ETA. */
  timing(): { elapsedSecs: number; secsPerStep: number | null } {
    const done = this.step - this.sessionFirstStep;
    const secs = (performance.now() - this.sessionStart) / 1000;
    return { elapsedSecs: this.elapsed(), secsPerStep: done > 0 ? secs / done : null };
  }

  /** `(step, psnr)` pairs of the evaluations so far. */
  psnrHistory(): [number, number][] {
    return this.history.map((r) => [r.step, r.psnr]);
  }

  /** The record a snapshot keeps. */
  record(): ProgressRecord {
    return {
      history: this.history,
      lossSum: this.lossSum,
      lossCount: this.lossCount,
      last: this.last,
    };
  }

  /** Continues from a snapshot made at `step` after `elapsedSecs` of training. */
  restore(step: number, elapsedSecs: number, r: Partial<ProgressRecord>): void {
    this.step = step;
    this.sessionFirstStep = step;
    this.lastSnapshotStep = step;
    this.elapsedBefore = elapsedSecs;
    this.history = r.history ?? [];
    this.lossSum = r.lossSum ?? 0;
    this.lossCount = r.lossCount ?? 0;
    this.last = r.last ?? null;
  }
}
