import { existsSync } from "node:fs";
import { mkdir, readdir, rename, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { writeFileAtomically } from "../util/atomicFile.js";
import { InterruptedError, SplatbookError, oneLine } from "../util/errors.js";
import type { JobEventListener } from "../contracts/events.js";
import { sanitizeJobId } from "./jobId.js";
import { silentLogger } from "./logger.js";
import { DEFAULT_RETENTION_DAYS, cleanupExpired } from "./retention.js";
import { runJob, type RunJobOptions } from "./runJob.js";
import type { Logger } from "../contracts/logger.js";
import type { ParamValues } from "./jobParams.js";
import type { StageDefinition } from "../contracts/stage.js";

/** Failed inputs are moved here, under the watched folder (`INPUT_PATH/.failed/<scene>/`). */
export const FAILED_FOLDER = ".failed";

/** Options of {@link watchFolder}. */
export interface WatchOptions {
  inputRoot: string;
  outputRoot: string;
  stages: readonly StageDefinition<any>[];
  /** Parameters named for every job (see `JobRunOpenOptions.params`). */
  params?: Readonly<ParamValues>;
  /** A folder is processed once its size and mtimes are unchanged this long (default 10 s). */
  stableSecs?: number;
  /** Poll interval (default 2 s). */
  pollSecs?: number;
  /** Attempts per folder before it is moved to `.failed/` (default 3). */
  maxAttempts?: number;
  /** Retention pass interval (default 1 h; 0 disables) and age (default 7 days). */
  cleanupIntervalHours?: number;
  retentionDays?: number;
  maxCheckpointAgeHours?: number;
  until?: RunJobOptions["until"];
  signal?: AbortSignal;
  logger?: Logger;
  onEvent?: JobEventListener;
  /** Called when the watcher is idle between jobs (health: `watching`), with the last error. */
  onWatching?: (lastError: string | null) => void;
  /** Called after each job attempt (tests, logs). */
  onJobDone?: (info: { folder: string; jobId: string; ok: boolean; error?: string }) => void;
}

interface Candidate {
  signature: string;
  stableSince: number;
  attempts: number;
  /** Signature last processed successfully (or moved away). */
  doneSignature?: string;
}

/**
 * Watch mode: polls `inputRoot` for scene folders; once a folder stops changing for
 * `stableSecs` it is processed into `outputRoot/<job_id>` (job id = sanitized folder name).
 * A failure is retried (at most `maxAttempts` tries in all); the last failure moves the input to
 * `inputRoot/.failed/<scene>/` with the cause in `error.txt` inside it. Each folder is seen once
 * per content: after a restart of the watcher, a folder whose job is already Completed gets a
 * run in which every stage is reused by fingerprint (cheap), so content changed while the
 * watcher was down is still processed. Runs until `signal` aborts.
 */
export async function watchFolder(opts: WatchOptions): Promise<void> {
  const log = opts.logger ?? silentLogger;
  const inputRoot = resolve(opts.inputRoot);
  const outputRoot = resolve(opts.outputRoot);
  for (const [label, dir] of [
    ["input", inputRoot],
    ["output", outputRoot],
  ] as const) {
    if (!existsSync(dir)) {
      throw new SplatbookError(`${dir}: ${label} folder does not exist`, { file: dir });
    }
  }
  const stableMs = (opts.stableSecs ?? 10) * 1000;
  const pollMs = (opts.pollSecs ?? 2) * 1000;
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 3);
  const cleanupMs = (opts.cleanupIntervalHours ?? 1) * 3600_000;
  const seen = new Map<string, Candidate>();
  let lastError: string | null = null;
  let lastCleanup = 0;
  log.info(`watching ${inputRoot} for scene folders → ${outputRoot}`);
  opts.onWatching?.(null);
  while (!opts.signal?.aborted) {
    if (cleanupMs > 0 && Date.now() - lastCleanup >= cleanupMs) {
      lastCleanup = Date.now();
      await cleanupExpired({
        outputRoot,
        retentionDays: opts.retentionDays ?? DEFAULT_RETENTION_DAYS,
        log,
      }).catch((err: unknown) => log.warn(`cleanup failed: ${oneLine(err)}`));
    }
    for (const name of await sceneFolders(inputRoot)) {
      if (opts.signal?.aborted) break;
      const folder = join(inputRoot, name);
      const signature = await folderSignature(folder);
      const c = seen.get(name);
      if (!c || c.signature !== signature) {
        seen.set(name, {
          signature,
          stableSince: Date.now(),
          attempts: 0,
          doneSignature: c?.doneSignature,
        });
        continue;
      }
      if (c.doneSignature === signature || Date.now() - c.stableSince < stableMs) continue;
      const outcome = await processScene({
        opts,
        log,
        inputRoot,
        outputRoot,
        name,
        c,
        maxAttempts,
      });
      lastError = outcome.ok ? null : outcome.error;
      if (!outcome.ok && outcome.quarantined) seen.delete(name);
      opts.onWatching?.(lastError);
    }
    await sleep(pollMs, undefined, { signal: opts.signal }).catch(() => {});
  }
}

/**
 * One attempt at a settled scene folder: runs its job; on failure logs it and, after the last
 * attempt, moves the folder to `.failed/`. Interruptions propagate.
 */
async function processScene(a: {
  opts: WatchOptions;
  log: Logger;
  inputRoot: string;
  outputRoot: string;
  name: string;
  c: Candidate;
  maxAttempts: number;
}): Promise<{ ok: true } | { ok: false; error: string; quarantined: boolean }> {
  const { opts, log, c, name, maxAttempts } = a;
  const folder = join(a.inputRoot, name);
  const jobId = sanitizeJobId(name);
  const output = join(a.outputRoot, jobId);
  c.attempts++;
  log.info(`processing ${folder} → ${output} (attempt ${c.attempts}/${maxAttempts})`);
  try {
    await runJob({
      input: folder,
      output,
      jobId,
      stages: opts.stages,
      params: opts.params,
      until: opts.until,
      maxCheckpointAgeHours: opts.maxCheckpointAgeHours,
      signal: opts.signal,
      logger: log,
      onEvent: opts.onEvent,
    });
    c.doneSignature = c.signature;
    c.attempts = 0;
    opts.onJobDone?.({ folder, jobId, ok: true });
    return { ok: true };
  } catch (err) {
    if (err instanceof InterruptedError || opts.signal?.aborted) throw err;
    const cause = oneLine(err);
    log.warn(`job ${jobId} failed (attempt ${c.attempts}/${maxAttempts}): ${cause}`);
    opts.onJobDone?.({ folder, jobId, ok: false, error: cause });
    const quarantined = c.attempts >= maxAttempts;
    if (quarantined) {
      const moved = await moveToFailed(a.inputRoot, name, cause, c.attempts);
      log.warn(`moved ${folder} to ${moved} after ${c.attempts} failed attempt(s)`);
    }
    return { ok: false, error: `${jobId}: ${cause}`, quarantined };
  }
}

/** Visible subfolders of the watched folder (dot-folders such as `.failed` are ignored). */
async function sceneFolders(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .map((e) => e.name)
    .sort();
}

/** Total size, newest mtime and file count of a folder tree: changes while files arrive. */
export async function folderSignature(folder: string): Promise<string> {
  let size = 0;
  let newest = 0;
  let count = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else {
        const s = await stat(p).catch(() => undefined);
        if (!s) continue;
        size += s.size;
        newest = Math.max(newest, s.mtimeMs);
        count++;
      }
    }
  };
  await walk(folder);
  return `${count}:${size}:${newest}`;
}

/** Moves a failed scene to `.failed/<name>` (suffixed if taken) with `error.txt` inside. */
async function moveToFailed(
  root: string,
  name: string,
  cause: string,
  attempts: number,
): Promise<string> {
  const failedRoot = join(root, FAILED_FOLDER);
  await mkdir(failedRoot, { recursive: true });
  let target = join(failedRoot, name);
  for (let n = 2; existsSync(target); n++) target = join(failedRoot, `${name}-${n}`);
  await rename(join(root, name), target);
  const text =
    `splatbook could not process this scene after ${attempts} attempt(s).\n` +
    `time: ${new Date().toISOString()}\ncause: ${cause}\n`;
  // Atomic: a poller that sees error.txt sees all of it.
  await writeFileAtomically(join(target, "error.txt"), text);
  return target;
}
