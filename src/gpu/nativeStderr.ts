/**
 * Captures what native code (Dawn) prints straight to file descriptor 2 while `fn` runs, so its
 * notices can go to the debug log instead of a user's terminal or notebook. Dawn prints its
 * adapter limit notices ("maxDynamicUniformBuffersPerPipelineLayout artificially reduced …") with
 * fprintf(stderr) while it enumerates adapters; Node has no dup2, so descriptor 2 is closed and
 * the lowest free descriptor — 2 again — is opened on a temporary file, then re-pointed at the
 * original stderr (reopened through /proc/self/fd) afterwards. Only on Linux, and only when the
 * original stderr can be reopened (a terminal, pipe or file; not a socket): otherwise `fn` runs
 * without capture and the notices print as before.
 */
import { closeSync, fstatSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Runs `fn`; what native code writes to stderr meanwhile is passed to `onText` afterwards. */
export async function withNativeStderrCaptured<T>(
  fn: () => Promise<T>,
  onText: (text: string) => void,
): Promise<T> {
  const saved = reopenStderr();
  if (saved === null) return fn();
  const file = join(tmpdir(), `splatbook-stderr-${process.pid}-${Date.now()}.txt`);
  let captured = false;
  try {
    closeSync(2);
    const fd = openSync(file, "w+");
    captured = fd === 2;
    if (!captured) closeSync(fd);
    return await fn();
  } finally {
    restoreStderr(saved);
    if (captured) {
      const text = readFileSync(file, "utf8");
      if (text.trim()) onText(text);
    }
    rmSync(file, { force: true });
  }
}

/** A second descriptor on the original stderr, or null when it cannot be reopened. */
function reopenStderr(): number | null {
  if (process.platform !== "linux") return null;
  try {
    if (fstatSync(2).isSocket()) return null;
    return openSync("/proc/self/fd/2", "a");
  } catch {
    return null;
  }
}

/** Points descriptor 2 back at the original stderr (through the saved descriptor). */
function restoreStderr(saved: number): void {
  try {
    closeSync(2);
  } catch {
    // Already closed: the open below takes descriptor 2 either way.
  }
  const fd = openSync(`/proc/self/fd/${saved}`, "a");
  if (fd !== 2) {
    // Something else took descriptor 2 meanwhile; leave both open rather than lose stderr.
    return;
  }
  closeSync(saved);
}
