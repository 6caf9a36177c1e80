import { InterruptedError } from "../util/errors.js";
import type { BatchBackend, IndexResult } from "./backend.js";
import { createIndexWorker } from "./worker.js";

/** Runs the indices one after another in this process (one worker row). */
export function createSequentialBackend(): BatchBackend {
  return {
    name: "sequential",
    async run(ctx) {
      const worker = createIndexWorker({
        ledger: ctx.ledger,
        settings: ctx.settings,
        invocationId: ctx.invocationId,
        backend: "sequential",
        emit: ctx.emit,
      });
      const results: IndexResult[] = [];
      for (const task of ctx.tasks) {
        if (ctx.signal.aborted) break;
        try {
          results.push(await worker.process(task, 1, ctx.signal));
        } catch (err) {
          if (err instanceof InterruptedError) break;
          throw err;
        }
      }
      return results;
    },
  };
}
