import type { Checkpoint } from "./checkpoint.js";
import type { JobStage, StageName } from "./stages.js";

/** Fields every job event carries. */
interface JobEventBase {
  readonly jobId: string;
  /** The live checkpoint at the time of the event (read-only; do not keep or mutate). */
  readonly checkpoint: Readonly<Checkpoint>;
  /** ISO time of the event. */
  readonly at: string;
}

/**
 * What the engine reports while it works. The CLI progress display, `/health`, and the notebook
 * displays all consume these; nothing else is needed to follow a job.
 */
export type JobEvent =
  | (JobEventBase & {
      readonly type: "job-start";
      readonly inputFolder: string;
      readonly outputFolder: string;
      readonly resumed: boolean;
    })
  | (JobEventBase & {
      readonly type: "resume";
      readonly stage: JobStage;
      readonly checkpointAgeHours: number;
    })
  | (JobEventBase & {
      readonly type: "stage-start";
      readonly stage: StageName;
      readonly progressPercentage: number;
    })
  | (JobEventBase & {
      readonly type: "stage-progress";
      readonly stage: StageName;
      /** 0..1 within the stage. */
      readonly fraction: number;
      readonly detail: string | undefined;
    })
  | (JobEventBase & {
      readonly type: "stage-complete";
      readonly stage: StageName;
      readonly durationSecs: number;
      readonly result: unknown;
    })
  | (JobEventBase & {
      /** Completed earlier with the same fingerprint: not run again. */
      readonly type: "stage-cached";
      readonly stage: StageName;
      readonly fingerprint: string;
    })
  | (JobEventBase & {
      /** Not needed for this input (e.g. precalibrated cameras). */
      readonly type: "stage-skipped";
      readonly stage: StageName;
      readonly reason: string;
    })
  | (JobEventBase & {
      readonly type: "stage-failed";
      readonly stage: StageName;
      readonly error: string;
      readonly interrupted: boolean;
      readonly durationSecs: number;
    })
  | (JobEventBase & {
      readonly type: "job-complete";
      /** `Completed`, or the next stage when `until` stopped the job early. */
      readonly stage: JobStage;
      readonly durationSecs: number;
    })
  | (JobEventBase & {
      readonly type: "job-failed";
      readonly stage: StageName;
      readonly error: string;
      readonly interrupted: boolean;
    });

export type JobEventType = JobEvent["type"];
export type JobEventListener = (event: JobEvent) => void;
