import { existsSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { SplatbookError, oneLine } from "../util/errors.js";
import { checkpointPath, readCheckpoint, unixNow } from "./checkpointStore.js";
import { liveLockHolder } from "./lock.js";
import { silentLogger } from "./logger.js";
import type { Logger } from "../contracts/logger.js";

/** Days a job's checkpoint and temp folder are kept after its last write (`CLEANUP_RETENTION_DAYS`). */
export const DEFAULT_RETENTION_DAYS = 7;

/** CLEANUP_RETENTION_DAYS (default 7); anything but a number ≥ 0 is a one-line error. */
export function retentionDaysFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = (env.CLEANUP_RETENTION_DAYS ?? "").trim();
  if (text === "") return DEFAULT_RETENTION_DAYS;
  const days = Number(text);
  if (!Number.isFinite(days) || days < 0) {
    throw new SplatbookError(`CLEANUP_RETENTION_DAYS must be a number of days ≥ 0, got "${text}"`);
  }
  return days;
}

/** What a cleanup pass removed. */
export interface CleanupReport {
  checkpointsRemoved: string[];
  tempFoldersRemoved: string[];
}

/**
 * Retention: in `outputRoot` itself and in each folder directly under it, a Completed job whose
 * checkpoint was last written more than `retentionDays` ago loses its `.checkpoint.json` and its
 * temp folder; an unfinished job that old keeps its checkpoint (for `status`) but loses its temp
 * folder. Only temp folders named in those checkpoints are touched (never a blind sweep of
 * os.tmpdir(), which other programs share); products (model.ply, frames, …) are kept; folders
 * locked by a live process are skipped.
 */
export async function cleanupExpired(opts: {
  outputRoot: string;
  retentionDays?: number;
  now?: number;
  log?: Logger;
}): Promise<CleanupReport> {
  const log = opts.log ?? silentLogger;
  const days = opts.retentionDays ?? DEFAULT_RETENTION_DAYS;
  const now = opts.now ?? Date.now();
  const cutoffSecs = unixNow(now) - days * 86400;
  const root = resolve(opts.outputRoot);
  if (!existsSync(root)) {
    throw new SplatbookError(`${root}: output folder does not exist`, { file: root });
  }
  const report: CleanupReport = { checkpointsRemoved: [], tempFoldersRemoved: [] };
  for (const folder of [root, ...(await subfolders(root))]) {
    if (!existsSync(checkpointPath(folder))) continue;
    if (await liveLockHolder(folder)) continue;
    let cp;
    try {
      cp = await readCheckpoint(folder);
    } catch (err) {
      log.warn(`cleanup: skipping ${folder}: ${oneLine(err)}`);
      continue;
    }
    if (!cp || cp.timestamp > cutoffSecs) continue;
    const age = ageDays(cp.timestamp, now);
    if (cp.stage === "Completed") {
      await rm(checkpointPath(folder), { force: true });
      report.checkpointsRemoved.push(checkpointPath(folder));
      log.info(`cleanup: removed completed checkpoint of ${cp.job_id} (${age} days old)`);
    }
    if (isJobTempFolder(cp.temp_folder, cp.job_id) && existsSync(cp.temp_folder)) {
      await rm(cp.temp_folder, { recursive: true, force: true });
      report.tempFoldersRemoved.push(cp.temp_folder);
      log.info(`cleanup: removed temp folder ${cp.temp_folder} of ${cp.job_id} (${age} days old)`);
    }
  }
  return report;
}

/** Guards against a hand-edited checkpoint pointing at something that is not a job's scratch. */
function isJobTempFolder(path: string, jobId: string): boolean {
  const name = basename(path);
  const prefix = `splatbook-${jobId}`;
  return (
    name === prefix ||
    (name.startsWith(`${prefix}-`) && /^[0-9a-f]{8}$/.test(name.slice(prefix.length + 1)))
  );
}

function ageDays(timestamp: number, now: number): string {
  return ((unixNow(now) - timestamp) / 86400).toFixed(1);
}

async function subfolders(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => join(root, e.name));
}
