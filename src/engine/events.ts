import type { JobEvent, JobEventListener } from "../contracts/events.js";

/** A tiny synchronous fan-out; a throwing listener never breaks the job. */
export interface JobEventHub {
  emit(event: JobEvent): void;
  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: JobEventListener): () => void;
}

/** Creates a {@link JobEventHub}; `onError` hears listener exceptions (default: ignored). */
export function createJobEventHub(onError: (err: unknown) => void = () => {}): JobEventHub {
  const listeners = new Set<JobEventListener>();
  return {
    emit(event) {
      for (const l of [...listeners]) {
        try {
          l(event);
        } catch (err) {
          onError(err);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** An event without the fields the engine fills in (job id, checkpoint, time). */
export type JobEventPayload = JobEvent extends unknown
  ? DistributiveOmit<JobEvent, "jobId" | "checkpoint" | "at">
  : never;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
