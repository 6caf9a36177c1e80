import { readFileSync, readdirSync } from "node:fs";
import { open, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
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
  /**
   * Lease (seconds) the holder renews every third of it by rewriting `renewed_at`; a holder on
   * another host whose lease ran out is gone (its process cannot be checked from here). Absent
   * in locks written by older releases.
   */
  lease_secs?: number;
  renewed_at?: string;
}

/** Default lease of the lock; `SPLATBOOK_LOCK_LEASE_SECS` overrides it. */
export const DEFAULT_LOCK_LEASE_SECS = 30;

/** The lease this process writes into its locks. */
export function lockLeaseSecs(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.SPLATBOOK_LOCK_LEASE_SECS);
  return Number.isFinite(n) && n >= 1 ? n : DEFAULT_LOCK_LEASE_SECS;
}

/**
 * True when a lock carries a lease that has not been renewed within it. Compares the holder's
 * clock with ours, so hosts sharing output folders need synchronised clocks (NTP).
 */
export function leaseExpired(info: LockInfo, now = Date.now()): boolean {
  if (!info.lease_secs || !info.renewed_at) return false;
  const renewed = Date.parse(info.renewed_at);
  return Number.isFinite(renewed) && now > renewed + info.lease_secs * 1000;
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
 * Live (non-zombie) processes of the process group `pgid` other than its leader: what a killed
 * holder that led its group (a shell job, a service, a batch worker) left running — ffmpeg or
 * COLMAP still writing into the output folder. Empty where /proc is unavailable.
 */
export function leftoverProcesses(pgid: number): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((n) => /^\d+$/.test(n));
  } catch {
    return out;
  }
  for (const name of entries) {
    const pid = Number(name);
    if (pid === pgid) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z") out.push(pid);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/**
 * True if the lock's holder still runs, or a process it left in its group does: the pid exists and (where /proc tells) that process
 * started before the lock was written — a pid reused by a later process does not count.
 */
export function isHolderAlive(info: LockInfo): boolean {
  if (!isProcessAlive(info.pid)) return leftoverProcesses(info.pid).length > 0;
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

/**
 * The live holder of an output folder's lock, if any: on this host a running process, on
 * another host a holder whose lease is still current (or that has no lease).
 */
export async function liveLockHolder(outputFolder: string): Promise<LockInfo | undefined> {
  const info = await readLock(outputFolder);
  if (!info) return undefined;
  if (info.hostname !== hostname()) return leaseExpired(info) ? undefined : info;
  return isHolderAlive(info) ? info : undefined;
}

/**
 * Takes the one-process-per-output-folder lock: the file is created with O_EXCL so two
 * processes cannot both win. A live holder is refused with its pid; a lock whose process is
 * gone (same host), or whose lease expired (another host), is taken over and logged. While
 * held, the lease is renewed every third of it (the file rewritten atomically).
 */
export async function acquireJobLock(outputFolder: string, log: Logger): Promise<JobLock> {
  const path = join(outputFolder, LOCK_FILENAME);
  const now = new Date().toISOString();
  const info: LockInfo = {
    pid: process.pid,
    hostname: hostname(),
    started_at: now,
    lease_secs: lockLeaseSecs(),
    renewed_at: now,
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
      const renewal = startRenewal(path, info, log);
      return {
        path,
        info,
        release: async () => {
          await renewal.stop();
          await releaseIfOurs(path, info);
        },
      };
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
  } else if (holder.hostname !== hostname() && !leaseExpired(holder)) {
    const lease = holder.renewed_at
      ? `lease renewed ${holder.renewed_at}`
      : `no lease; delete ${path} if that process is gone`;
    throw new SplatbookError(
      `${outputFolder} is in use by splatbook pid ${holder.pid} on host ${holder.hostname} (since ${holder.started_at}; ${lease})`,
      { file: path },
    );
  } else if (holder.hostname === hostname() && isHolderAlive(holder)) {
    throw new SplatbookError(
      isProcessAlive(holder.pid)
        ? `${outputFolder} is in use by another splatbook process (pid ${holder.pid}, since ${holder.started_at})`
        : `${outputFolder} is in use: splatbook pid ${holder.pid} is gone but processes it started still run (pids ${leftoverProcesses(holder.pid).join(", ")}); wait for them or end them`,
      { file: path },
    );
  } else {
    // Re-read just before removing: another process may have taken over (or renewed) in between.
    const again = await readLock(outputFolder);
    if (again && !sameLock(again, holder)) return;
    log.warn(
      holder.hostname !== hostname()
        ? `taking over the lock of ${outputFolder} held by pid ${holder.pid} on host ${holder.hostname}: its lease expired (last renewed ${holder.renewed_at})`
        : `taking over the lock of ${outputFolder} left by dead process pid ${holder.pid}`,
    );
  }
  await unlink(path).catch(() => {});
}

function sameLock(a: LockInfo, b: LockInfo): boolean {
  return (
    a.pid === b.pid &&
    a.hostname === b.hostname &&
    a.started_at === b.started_at &&
    a.renewed_at === b.renewed_at
  );
}

/**
 * Renews the lease every third of it while the lock is ours: write a temp file, rename it over
 * the lock (readers see the old or the new content, never a partial one). `stop` waits for a
 * renewal in flight, so none lands after the lock is released.
 */
function startRenewal(path: string, info: LockInfo, log: Logger): { stop(): Promise<void> } {
  const everyMs = ((info.lease_secs ?? DEFAULT_LOCK_LEASE_SECS) * 1000) / 3;
  let lost = false;
  let stopped = false;
  let inflight: Promise<void> = Promise.resolve();
  const renew = async () => {
    const now = await readFile(path, "utf8").then(
      (t) => JSON.parse(t) as LockInfo,
      () => undefined,
    );
    if (stopped) return;
    if (!now || now.pid !== info.pid || now.started_at !== info.started_at) {
      if (!lost) log.warn(`lock ${path} is no longer held by this process (taken over or removed)`);
      lost = true;
      return;
    }
    info.renewed_at = new Date().toISOString();
    const tmp = `${path}.${process.pid}.renew`;
    await writeFile(tmp, JSON.stringify(info) + "\n");
    await rename(tmp, path);
  };
  const timer = setInterval(() => {
    // A failed renewal (e.g. a network file system hiccup) is retried at the next tick.
    inflight = inflight.then(renew).catch(() => {});
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inflight;
    },
  };
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
