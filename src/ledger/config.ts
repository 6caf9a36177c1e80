import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { JobStage, StageName } from "../contracts/stages.js";
import { hashValue, stableStringify } from "../engine/fingerprint.js";
import { stageOfParam, type JobParams } from "../contracts/params.js";

/** What identifies a batch: the same configuration resumes the same ledger. */
export interface BatchConfig {
  /** Bumped if the meaning of the configuration changes. */
  version: 1;
  /** Absolute scenes root (each folder under it is one index). */
  source: string;
  /** Absolute outputs root (each index writes `<outputs>/<scene>`). */
  outputs: string;
  /** The last stage each job runs (`Completed` = all of them). */
  until: JobStage;
  /** Parameters grouped by the stage that reads them (`other` for the rest). */
  stages: Partial<Record<StageName | "other", Record<string, unknown>>>;
}

/** Builds the batch configuration from its parts (paths made absolute). */
export function batchConfig(opts: {
  source: string;
  outputs: string;
  until?: JobStage;
  params?: JobParams;
}): BatchConfig {
  const stages: BatchConfig["stages"] = {};
  for (const [key, value] of Object.entries(opts.params ?? {})) {
    if (value === undefined) continue;
    const stage = stageOfParam(key) ?? "other";
    (stages[stage] ??= {})[key] = value;
  }
  return {
    version: 1,
    source: resolve(opts.source),
    outputs: resolve(opts.outputs),
    until: opts.until ?? "Completed",
    stages,
  };
}

/** Canonical JSON (sorted keys at every level) of a configuration. */
export function canonicalConfigJson(config: BatchConfig): string {
  return stableStringify(config);
}

/** SHA-256 (hex) of the canonical JSON. */
export function configHash(config: BatchConfig): string {
  return hashValue(config);
}

/** `SPLATBOOK_CACHE_DIR`, then `$XDG_CACHE_HOME/splatbook`, then `~/.cache/splatbook`. */
export function defaultLedgerDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.SPLATBOOK_CACHE_DIR?.trim();
  if (explicit) return resolve(explicit);
  const xdg = env.XDG_CACHE_HOME?.trim();
  if (xdg) return join(resolve(xdg), "splatbook");
  return join(homedir(), ".cache", "splatbook");
}

/** `20260101T120000123Z`: sortable and safe in a file name. */
export function fileTimestamp(at: Date): string {
  return at.toISOString().replace(/[-:.]/g, "");
}

/**
 * The ledger file of a batch: `<hash16>.db` when resuming (stable across runs of the same
 * configuration), else `<hash16>_<timestamp>.db` (fresh; a millisecond later if that name is
 * taken), in `dbDir` or the default folder.
 */
export function ledgerPath(opts: {
  hash: string;
  resume: boolean;
  dbDir?: string;
  now?: Date;
  env?: NodeJS.ProcessEnv;
}): string {
  const dir = opts.dbDir ? resolve(opts.dbDir) : defaultLedgerDir(opts.env);
  const stem = opts.hash.slice(0, 16);
  if (opts.resume) return join(dir, `${stem}.db`);
  let at = (opts.now ?? new Date()).getTime();
  for (;;) {
    const path = join(dir, `${stem}_${fileTimestamp(new Date(at))}.db`);
    if (!existsSync(path)) return path;
    at += 1;
  }
}
