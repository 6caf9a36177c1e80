/**
 * Captures what native code (Dawn) prints straight to file descriptor 2 while `fn` runs, so its
 * notices can go to the debug log instead of a user's terminal or notebook. Dawn prints its
 * adapter limit notices ("maxDynamicUniformBuffersPerPipelineLayout artificially reduced …") with
 * fprintf(stderr) while it enumerates adapters; Node has no dup2, so descriptor 2 is closed and
 * the lowest free descriptor — 2 again — is opened on a temporary file, then re-pointed at the
 * original stderr (reopened through /proc/self/fd) afterwards.
 *
 * Reopening gives a new open file description. That is harmless for a terminal or a pipe, which
 * have no file position, but not for the other two things stderr often is: a regular file
 * (`> log 2>&1`: stdout, still on the shell's description, would write over what stderr appended
 * through the new one) and a socket, which /proc cannot reopen at all (a process started by Node
 * with piped stdio — a test runner's worker, a kernel, a batch worker — has one: libuv makes its
 * pipes with socketpair()). For those, descriptor 2 is first moved, once per process, onto a
 * named pipe that a `cat` child copies to the original description (see
 * {@link relayStderrThroughFifo}); from then on it is a pipe. Only on Linux; where neither works
 * `fn` runs without capture and the notices print as before.
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
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
    const stat = fstatSync(2);
    const positionless = stat.isCharacterDevice() || stat.isFIFO();
    if (!positionless && !relayStderrThroughFifo()) return null;
    return openSync("/proc/self/fd/2", "a");
  } catch {
    return null;
  }
}

let relayTried = false;

/**
 * Points descriptor 2 at a named pipe whose reader, a `cat` child holding the original stderr
 * (the same open file description) as its stdout, copies everything on to it. The child reads independently of this
 * process's event loop, so a large synchronous write to stderr never waits on this process; it
 * sees end-of-file and exits when the last writer (this process and any children it gave its
 * stderr to) is gone. The pipe's name is removed as soon as both ends are open. Returns whether
 * descriptor 2 is now the pipe.
 */
function relayStderrThroughFifo(): boolean {
  if (relayTried) return false;
  relayTried = true;
  const dir = mkdtempSync(join(tmpdir(), "splatbook-stderr-"));
  const fifo = join(dir, "stderr.fifo");
  let writer: number | null = null;
  try {
    if (spawnSync("mkfifo", ["-m", "600", fifo]).status !== 0) return false;
    // Read-write first: then neither open waits for the other end.
    writer = openSync(fifo, "r+");
    const reader = openSync(fifo, "r");
    let started = false;
    try {
      const relay = spawn("cat", [], { stdio: [reader, 2, "ignore"] });
      relay.on("error", () => {});
      relay.unref();
      started = relay.pid !== undefined;
    } finally {
      closeSync(reader);
    }
    if (!started) return false;
    closeSync(2);
    const fd = openSync(`/proc/self/fd/${writer}`, "a");
    if (fd === 2) return true;
    // Another thread took descriptor 2 between the close and the open: nothing to restore.
    closeSync(fd);
    return false;
  } catch {
    return false;
  } finally {
    if (writer !== null) closeSync(writer);
    rmSync(dir, { recursive: true, force: true });
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
