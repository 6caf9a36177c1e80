import type { BatchBackendName, IndexStatus } from "../contracts/ledger.js";
import type { StageName } from "../contracts/stages.js";
import type { BatchConfig } from "./config.js";
import type { IndexTask, JobSettings } from "./indexRunner.js";
import type { Ledger, LogEntry } from "./ledger.js";

/** What a batch reports while it runs (progress displays, notebooks, the CLI). */
export type BatchEvent =
  | { type: "worker-start"; workerId: string; pid: number; hostname: string }
  | {
      type: "worker-exit";
      workerId: string;
      pid: number;
      code: number | null;
      signal: string | null;
    }
  | { type: "index-start"; workerId: string; idx: number; scene: string; attempt: number }
  | {
      type: "index-progress";
      workerId: string;
      idx: number;
      stage: StageName;
      /** 0..1 within the stage. */
      fraction: number;
      detail?: string;
    }
  | {
      type: "index-done";
      workerId: string | null;
      idx: number;
      scene: string;
      status: IndexStatus;
      error: string | null;
      wallTimeMs: number;
      /** Time spent writing the ledger for this index (ms); null without a ledger. */
      ledgerMs: number | null;
    }
  | { type: "log"; entry: LogEntry };

/** The outcome of one index in a run. */
export interface IndexResult {
  idx: number;
  scene: string;
  status: IndexStatus;
  error: string | null;
  outputPaths: string[];
  /** Wall time of this run of it (ms); the recorded one for reused indices. */
  wallTimeMs: number | null;
  /** True when a completed record was reused and nothing ran. */
  reused: boolean;
}

/** Everything a backend needs to run a batch's pending indices. */
export interface BackendRunContext {
  readonly tasks: readonly IndexTask[];
  readonly settings: JobSettings;
  /** Worker processes (process pool) or job concurrency. */
  readonly jobs: number;
  readonly config: BatchConfig;
  /** The coordinator's ledger connection; undefined when metrics are off. */
  readonly ledger: Ledger | undefined;
  readonly invocationId: string;
  /** Names this batch outside the process (queue job ids): the ledger file's stem. */
  readonly batchId: string;
  /** A resumed batch (`--resume`): work finished earlier, as checkpoints show, is not redone. */
  readonly resume: boolean;
  readonly signal: AbortSignal;
  emit(event: BatchEvent): void;
}

/** A way to run indices: in this process, in worker processes, or on a queue. */
export interface BatchBackend {
  readonly name: BatchBackendName;
  /**
   * Runs the tasks; returns the results of those that finished (completed or error). Indices
   * cut short by the signal are left out: they did not fail and run again next time.
   */
  run(ctx: BackendRunContext): Promise<IndexResult[]>;
}
