import { readFileSync } from "node:fs";
import { open, readFile, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { SplatbookError } from "../util/errors.js";
import type { Logger } from "../contracts/logger.js";

/** `<output>/.splatbook.lock`. */
export const LOCK_FILENAME = ".splatbook.lock";

/** What the lock file holds. */
export interface LockInfo {
  pid: number;
  hostname: string;
  started_at: string;
}

/** A held lock; `release` removes the file if it is still ours. */
export interface JobLock {
  readonly path: string;
  readonly info: LockInfo;
  release(): Promise<void>;
}

/** Lock file younger than this with no readable content is a holder still writing it. */
const UNREADABLE_GRACE_MS = 10_000;

/** True if a process with this pid exists on this machine (a zombie does not count). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  // A process killed with SIGKILL stays a zombie until its parent reaps it; it holds nothing.
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    return false;
  }
}

/**
 * When a process started (ms since the epoch), from /proc on Linux; undefined elsewhere or when
 * unknown. Assumes the usual 100 clock ticks per second.
 */
export function processStartedAt(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[19]);
    const btime = /^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1];
    if (!Number.isFinite(ticks) || !btime) return undefined;
    return Number(btime) * 1000 + (ticks / 100) * 1000;
  } catch {
    return undefined;
  }
}

let procClockChecked: boolean | undefined;
/** /proc start times are trusted only if ours matches this process's real start (±5 s). */
function procClockAgrees(): boolean {
  if (procClockChecked === undefined) {
    const ours = processStartedAt(process.pid);
    procClockChecked = ours !== undefined && Math.abs(ours - performance.timeOrigin) < 5000;
  }
  return procClockChecked;
}

/**
 * True if the lock's holder still runs: the pid exists and (where /proc tells) that process
 * started before the lock was written — a pid reused by a later process does not count.
 */
export function isHolderAlive(info: LockInfo): boolean {
  if (!isProcessAlive(info.pid)) return false;
  const started = procClockAgrees() ? processStartedAt(info.pid) : undefined;
  const locked = Date.parse(info.started_at);
  // 2 s slack for clock granularity (btime is whole seconds).
  return started === undefined || !Number.isFinite(locked) || started <= locked + 2000;
}

/** Reads a lock file; undefined if it is missing or not valid JSON. */
export async function readLock(outputFolder: string): Promise<LockInfo | undefined> {
  try {
    const raw = JSON.parse(await readFile(join(outputFolder, LOCK_FILENAME), "utf8")) as LockInfo;
    return typeof raw.pid === "number" ? raw : undefined;
  } catch {
    return undefined;
  }
}

/** The live holder of an output folder's lock on this host, if any. */
export async function liveLockHolder(outputFolder: string): Promise<LockInfo | undefined> {
  const info = await readLock(outputFolder);
  if (!info) return undefined;
  if (info.hostname !== hostname()) return info;
  return isHolderAlive(info) ? info : undefined;
}

/**
 * Takes the one-process-per-output-folder lock: the file is created with O_EXCL so two
 * processes cannot both win. A live holder is refused with its pid; a lock whose process is
 * gone (same host) is taken over and logged.
 */
export async function acquireJobLock(outputFolder: string, log: Logger): Promise<JobLock> {
  const path = join(outputFolder, LOCK_FILENAME);
  const info: LockInfo = {
    pid: process.pid,
    hostname: hostname(),
    started_at: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fh = await open(path, "wx");
      try {
        await fh.writeFile(JSON.stringify(info) + "\n");
        await fh.sync();
      } finally {
        await fh.close();
      }
      return { path, info, release: () => releaseIfOurs(path, info) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new SplatbookError(`${path}: cannot create lock (${(err as Error).message})`, {
          file: path,
        });
      }
    }
    await handleExistingLock(path, outputFolder, log);
  }
  throw new SplatbookError(`${path}: could not take the lock (another process keeps taking it)`, {
    file: path,
  });
}

/** Throws if the existing lock is live; removes it if it is stale. */
async function handleExistingLock(path: string, outputFolder: string, log: Logger): Promise<void> {
  const holder = await readLock(outputFolder);
  if (!holder) {
    const age = await stat(path).then(
      (s) => Date.now() - s.mtimeMs,
      () => Infinity,
    );
    if (age < UNREADABLE_GRACE_MS) {
      throw new SplatbookError(`${outputFolder} is being locked by another splatbook process`, {
        file: path,
      });
    }
    log.warn(`removing unreadable lock file ${path}`);
  } else if (holder.hostname !== hostname()) {
    throw new SplatbookError(
      `${outputFolder} is in use by splatbook pid ${holder.pid} on host ${holder.hostname} (since ${holder.started_at}); delete ${path} if that process is gone`,
      { file: path },
    );
  } else if (isHolderAlive(holder)) {
    throw new SplatbookError(
      `${outputFolder} is in use by another splatbook process (pid ${holder.pid}, since ${holder.started_at})`,
      { file: path },
    );
  } else {
    // Re-read just before removing: another process may have taken over in between.
    const again = await readLock(outputFolder);
    if (again && (again.pid !== holder.pid || again.started_at !== holder.started_at)) return;
    log.warn(`taking over the lock of ${outputFolder} left by dead process pid ${holder.pid}`);
  }
  await unlink(path).catch(() => {});
}

async function releaseIfOurs(path: string, info: LockInfo): Promise<void> {
  try {
    const now = JSON.parse(await readFile(path, "utf8")) as LockInfo;
    if (now.pid !== info.pid || now.started_at !== info.started_at) return;
    await unlink(path);
  } catch {
    // Already gone: nothing to release.
  }
}
