import { BATCH_BACKENDS, type BatchBackendName } from "../contracts/ledger.js";
import { SplatbookError } from "../util/errors.js";
import type { BatchBackend } from "./backend.js";
import { createProcessPoolBackend } from "./processPool.js";
import { createSequentialBackend } from "./sequential.js";

/** Options only some backends read. */
export interface BackendOptions {
  /** BullMQ: Redis URL (`redis://host:port/db`). */
  redis?: string;
  /** BullMQ: queue name (default `splatbook`). */
  queue?: string;
}

/** The backend of a name. */
export async function resolveBackend(
  name: BatchBackendName,
  opts: BackendOptions,
): Promise<BatchBackend> {
  switch (name) {
    case "sequential":
      return createSequentialBackend();
    case "process_pool":
      return createProcessPoolBackend();
    case "bullmq": {
      // Loaded only when used: the queue client is not needed by the other backends.
      const { createQueueBackend } = await import("./bullmq/coordinator.js");
      return createQueueBackend(opts);
    }
    default:
      throw new SplatbookError(`unknown batch backend "${name}" (${BATCH_BACKENDS.join(", ")})`);
  }
}
