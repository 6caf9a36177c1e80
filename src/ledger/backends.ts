import type { BatchBackendName } from "../contracts/ledger.js";
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
  _opts: BackendOptions,
): Promise<BatchBackend> {
  switch (name) {
    case "sequential":
      return createSequentialBackend();
    case "process_pool":
      return createProcessPoolBackend();
    default:
      throw new SplatbookError(`unknown batch backend "${name}" (sequential, process_pool)`);
  }
}
