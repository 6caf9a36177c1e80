import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { liveLockHolder } from "../engine/lock.js";
import { InterruptedError } from "../util/errors.js";

/** How often a job waiting for an output folder looks again. */
const POLL_MS = 1_000;

/**
 * Waits while another live holder (or processes a dead holder left running) has the output
 * folder's lock: a retried or re-delivered index must not start while its previous attempt's
 * ffmpeg/COLMAP still write there. `say` hears one line when waiting starts.
 */
export async function waitForFolder(
  output: string,
  signal: AbortSignal | undefined,
  say: (message: string) => void,
): Promise<void> {
  let told = false;
  for (;;) {
    const holder = await liveLockHolder(output);
    if (!holder || (holder.pid === process.pid && holder.hostname === hostname())) return;
    if (!told) say(`waiting for ${output}: held by pid ${holder.pid} on ${holder.hostname}`);
    told = true;
    await sleep(POLL_MS, undefined, { signal }).catch(() => {});
    if (signal?.aborted) throw new InterruptedError("SIGTERM");
  }
}
