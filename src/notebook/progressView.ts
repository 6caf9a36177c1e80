import { statSync } from "node:fs";
import type { Checkpoint } from "../contracts/checkpoint.js";
import type { ProgressPayload } from "../contracts/mime.js";
import { STAGES, type StageName } from "../contracts/stages.js";
import type { JobEvent } from "../contracts/events.js";
import { display, type DisplayHandle } from "../jupyter/runtime.js";
import { progressBundle, trainingBundle } from "./bundles.js";
import { readTrainingPayload } from "./payloads.js";
import { serverPath } from "./serverRoot.js";
import { progressPayloadFromCheckpoint, stageRowsFromCheckpoint, type StageView } from "./views.js";

function fileTime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * One live output for a notebook call: a progress display updated from engine events and, while
 * Training runs, a second display fed by polling training_status.json (the same file external
 * monitors read). Updates are throttled; state changes are shown at once.
 */
export class ProgressView {
  private rows: StageView[];
  private cp: Readonly<Checkpoint>;
  private handle: DisplayHandle | undefined;
  private trainingHandle: DisplayHandle | undefined;
  private trainingTimer: NodeJS.Timeout | undefined;
  private lastDraw = 0;
  private pending: NodeJS.Timeout | undefined;
  private finished = false;
  private trainingStartedAt = 0;

  constructor(
    cp: Readonly<Checkpoint>,
    private readonly throttleMs = 250,
  ) {
    this.cp = cp;
    this.rows = stageRowsFromCheckpoint(cp);
  }

  /** Feeds one engine event. */
  readonly onEvent = (e: JobEvent): void => {
    this.cp = e.checkpoint;
    const row = "stage" in e ? this.rows.find((r) => r.name === e.stage) : undefined;
    let urgent = true;
    switch (e.type) {
      case "stage-start":
        if (row) Object.assign(row, { state: "running", fraction: 0, detail: null });
        if (e.stage === "Training") this.startTrainingPoll();
        break;
      case "stage-progress":
        if (row) Object.assign(row, { fraction: e.fraction, detail: e.detail ?? row.detail });
        urgent = false;
        break;
      case "stage-complete":
        if (row)
          Object.assign(row, { state: "completed", fraction: 1, duration_secs: e.durationSecs });
        if (e.stage === "Training") this.stopTrainingPoll(true);
        break;
      case "stage-cached":
        if (row) Object.assign(row, { state: "cached", detail: null });
        break;
      case "stage-skipped":
        if (row) Object.assign(row, { state: "skipped", detail: e.reason });
        break;
      case "stage-failed":
        if (row) Object.assign(row, { state: "failed", detail: e.error });
        if (e.stage === "Training") this.stopTrainingPoll(true);
        break;
      default:
        break;
    }
    this.draw(urgent);
  };

  /** The payload as of now (live until {@link finish}). */
  payload(): ProgressPayload {
    return progressPayloadFromCheckpoint(this.cp, {
      rows: this.rows,
      live: !this.finished,
      jobPath: serverPath(this.cp.output_folder),
    });
  }

  /** Final draw; stops polling. */
  finish(): void {
    this.finished = true;
    this.stopTrainingPoll(true);
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    this.draw(true);
  }

  private draw(urgent: boolean): void {
    const now = Date.now();
    if (!urgent && now - this.lastDraw < this.throttleMs) {
      this.pending ??= setTimeout(() => {
        this.pending = undefined;
        this.draw(true);
      }, this.throttleMs);
      return;
    }
    this.lastDraw = now;
    const bundle = progressBundle(this.payload());
    if (this.handle) this.handle.update(bundle);
    else this.handle = display(bundle);
  }

  private startTrainingPoll(): void {
    this.stopTrainingPoll(false);
    this.trainingStartedAt = Date.now();
    this.trainingTimer = setInterval(() => this.drawTraining(), 1000);
    this.trainingTimer.unref();
  }

  private stopTrainingPoll(finalDraw: boolean): void {
    // A run shorter than the poll's first second has no display yet: the final draw makes it.
    const polling = this.trainingTimer !== undefined;
    if (this.trainingTimer) clearInterval(this.trainingTimer);
    this.trainingTimer = undefined;
    if (finalDraw && (polling || this.trainingHandle)) this.drawTraining();
  }

  private drawTraining(): void {
    const t = readTrainingPayload(this.cp.output_folder, this.cp.job_id);
    if (!t) return;
    // A status file from an earlier run stays until the trainer rewrites it: not this run's.
    if (!this.trainingHandle && fileTime(t.status_file) < this.trainingStartedAt - 1000) return;
    const bundle = trainingBundle(t);
    if (this.trainingHandle) this.trainingHandle.update(bundle);
    else this.trainingHandle = display(bundle);
  }
}

/** Names of the stages in order, typed (re-exported for the Job API). */
export const STAGE_NAMES: readonly StageName[] = STAGES;
