import type { StageName } from "../../contracts/stages.js";
import type { IndexOutcome, IndexTask, JobSettings } from "../indexRunner.js";

/** Queue name when none is given. */
export const DEFAULT_QUEUE = "splatbook";

/** What the coordinator puts on the queue: one job per index. */
export interface QueueJobData {
  /** The ledger file's stem (`<hash16>` or `<hash16>_<timestamp>`): one batch. */
  batchId: string;
  task: IndexTask;
  settings: JobSettings;
}

/** Who ran a job (a `workers` row). */
export interface QueueWorkerIdentity {
  workerId: string;
  pid: number;
  hostname: string;
  startedAt: string;
}

/** Progress a worker reports on a job (BullMQ progress events). */
export type QueueJobProgress =
  | { kind: "start"; worker: QueueWorkerIdentity; at: string }
  | {
      kind: "stage";
      worker: QueueWorkerIdentity;
      stage: StageName;
      fraction: number;
      detail?: string;
    };

/** A job's return value: the index's record and who ran it. */
export interface QueueJobResult {
  worker: QueueWorkerIdentity;
  outcome: IndexOutcome;
}

/** The queue job id of an index of a batch (stable, so a restarted coordinator finds it). */
export function queueJobId(batchId: string, idx: number): string {
  return `${batchId}-${idx}`;
}

/** Log line a worker writes at the start of each delivery of a job (counted as attempts). */
export const DELIVERY_MARK = "delivered to worker";
