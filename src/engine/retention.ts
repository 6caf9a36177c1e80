import { existsSync } from "node:fs";
import { readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SplatbookError, oneLine } from "../util/errors.js";
import { checkpointPath, readCheckpoint, unixNow } from "./checkpointStore.js";
import { liveLockHolder } from "./lock.js";
import { silentLogger } from "./logger.js";
import type { Logger } from "./types.js";

/** Seed 000's default. */
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
 * Retention: removes `.checkpoint.json` of Completed jobs last written more than `retentionDays`
 * ago — in `outputRoot` itself and in each folder directly under it — together with their temp
 * folders, and `os.tmpdir()/splatbook-*` folders untouched for that long. Products (model.ply,
 * frames, …) are kept; folders locked by a live process are never touched.
 */
export async function cleanupExpired(opts: {
  outputRoot: string;
  retentionDays?: number;
  now?: number;
  log?: Logger;
  /** Where temp folders live (default os.tmpdir()). */
  tempRoot?: string;
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
  const jobFolders = [root, ...(await subfolders(root))];
  const liveTemps = new Set<string>();
  for (const folder of jobFolders) {
    if (!existsSync(checkpointPath(folder))) continue;
    if (await liveLockHolder(folder)) continue;
    let cp;
    try {
      cp = await readCheckpoint(folder);
    } catch (err) {
      log.warn(`cleanup: skipping ${folder}: ${oneLine(err)}`);
      continue;
    }
    if (!cp) continue;
    if (cp.stage !== "Completed" || cp.timestamp > cutoffSecs) {
      liveTemps.add(resolve(cp.temp_folder));
      continue;
    }
    await rm(checkpointPath(folder), { force: true });
    report.checkpointsRemoved.push(checkpointPath(folder));
    if (existsSync(cp.temp_folder)) {
      await rm(cp.temp_folder, { recursive: true, force: true });
      report.tempFoldersRemoved.push(cp.temp_folder);
    }
    log.info(
      `cleanup: removed completed checkpoint of ${cp.job_id} (${ageDays(cp.timestamp, now)} days old)`,
    );
  }
  const tempRoot = opts.tempRoot ?? tmpdir();
  for (const name of await readdir(tempRoot).catch(() => [] as string[])) {
    if (!name.startsWith("splatbook-")) continue;
    const path = join(tempRoot, name);
    if (liveTemps.has(resolve(path)) || report.tempFoldersRemoved.includes(path)) continue;
    const info = await stat(path).catch(() => undefined);
    if (!info?.isDirectory() || info.mtimeMs / 1000 > cutoffSecs) continue;
    await rm(path, { recursive: true, force: true });
    report.tempFoldersRemoved.push(path);
    log.info(`cleanup: removed temp folder ${path}`);
  }
  return report;
}

function ageDays(timestamp: number, now: number): string {
  return ((unixNow(now) - timestamp) / 86400).toFixed(1);
}

async function subfolders(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => join(root, e.name));
}
