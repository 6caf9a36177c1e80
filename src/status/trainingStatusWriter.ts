import { existsSync } from "node:fs";
import {
  TrainingStatusSchema,
  type TrainingState,
  type TrainingStatus,
} from "../contracts/trainingStatus.js";
import { readJsonFile, writeJsonAtomically } from "../util/atomicFile.js";
import { oneLine } from "../util/errors.js";

/** Default minimum gap between two writes that do not change `status`. */
export const DEFAULT_STATUS_THROTTLE_MS = 500;

/** RFC 3339 UTC without milliseconds, as Brush's status file writes it ("2025-06-28T09:34:56Z"). */
export function rfc3339(now = new Date()): string {
  return now.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Writes `training_status.json`; see {@link createTrainingStatusWriter}. */
export interface TrainingStatusWriter {
  /**
   * Records a status. A change of `status` (starting → training → … → completed/error) is
   * written at once; other updates at most every `throttleMs`, the latest one winning.
   * Resolves when this status (or a newer one) is on disk, or immediately when deferred.
   */
  write(status: TrainingStatus): Promise<void>;
  /** Writes the pending status now, if any. */
  flush(): Promise<void>;
  /** Writes `status: "error"` with `error_message` on top of the last status. */
  fail(cause: unknown): Promise<void>;
  /** Flushes and stops the timer. */
  close(): Promise<void>;
  /** The last status given. */
  readonly last: TrainingStatus | undefined;
}

/**
 * An atomic (temp file + fsync + rename), throttled writer for Brush's status file format (`training_status.json`). Writes
 * are validated against the contract and serialized; a reader never sees a partial file.
 * It also works as the trainer's `TrainingStatusSink`.
 */
export function createTrainingStatusWriter(
  path: string,
  opts: { throttleMs?: number } = {},
): TrainingStatusWriter {
  const throttleMs = opts.throttleMs ?? DEFAULT_STATUS_THROTTLE_MS;
  let last: TrainingStatus | undefined;
  let pending: TrainingStatus | undefined;
  let lastWrittenAt = 0;
  let lastWrittenState: TrainingState | undefined;
  let timer: NodeJS.Timeout | undefined;
  let queue: Promise<void> = Promise.resolve();

  const writeNow = (status: TrainingStatus): Promise<void> => {
    const parsed = TrainingStatusSchema.safeParse(status);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return Promise.reject(
        new Error(
          `${path}: status breaks the contract at ${issue?.path.join(".")}: ${issue?.message}`,
        ),
      );
    }
    const body = parsed.data;
    lastWrittenAt = Date.now();
    lastWrittenState = body.status;
    const next = queue.then(() => writeJsonAtomically(path, body));
    queue = next.catch(() => {});
    return next;
  };
  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const p = pending;
    pending = undefined;
    return p ? writeNow(p) : queue;
  };
  function write(status: TrainingStatus): Promise<void> {
    last = structuredClone(status);
    const stateChange = status.status !== lastWrittenState;
    if (stateChange || Date.now() - lastWrittenAt >= throttleMs) {
      pending = undefined;
      if (timer) clearTimeout(timer);
      timer = undefined;
      return writeNow(last);
    }
    pending = last;
    timer ??= setTimeout(
      () => void flush().catch(() => {}),
      throttleMs - (Date.now() - lastWrittenAt),
    );
    return Promise.resolve();
  }
  return {
    get last() {
      return last;
    },
    write,
    flush,
    async fail(cause) {
      if (!last) return;
      await write({
        ...last,
        status: "error",
        error_message: oneLine(cause),
        last_updated: rfc3339(),
      });
    },
    async close() {
      await flush();
    },
  };
}

/**
 * Turns an existing, unfinished `training_status.json` into `status: "error"` with the cause
 * (the engine calls this when Training fails, so pollers learn why). No file, or one already
 * `completed`/`error`, is left alone.
 */
export async function markTrainingStatusError(path: string, cause: unknown): Promise<boolean> {
  if (!existsSync(path)) return false;
  const status = await readJsonFile(path, TrainingStatusSchema);
  if (status.status === "completed" || status.status === "error") return false;
  await writeJsonAtomically(path, {
    ...status,
    status: "error",
    error_message: oneLine(cause),
    last_updated: rfc3339(),
  });
  return true;
}
