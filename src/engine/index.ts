/** The job engine: stage table, resumable jobs, events, lock, retention and watch mode. */
export { JobRun, type JobRunOpenOptions, type StageOutcome, type JobRunResult } from "./job.js";
export { runJob, type RunJobOptions } from "./runJob.js";
export { createJobEventHub, type JobEventHub } from "./events.js";
export { loadStageTable, lazyStage } from "./stageTable.js";
export { DEFAULT_MAX_CHECKPOINT_AGE_HOURS } from "./openCheckpoint.js";
export { checkpointPath, readCheckpoint, checkpointAgeHours } from "./checkpointStore.js";
export { stableStringify, hashValue, stageFingerprint } from "./fingerprint.js";
export { sanitizeJobId, jobIdForOutput, tempFolderFor } from "./jobId.js";
export {
  acquireJobLock,
  readLock,
  liveLockHolder,
  isProcessAlive,
  LOCK_FILENAME,
  type JobLock,
  type LockInfo,
} from "./lock.js";
export {
  createConsoleLogger,
  silentLogger,
  teeLogger,
  type ConsoleLoggerOptions,
} from "./logger.js";
export {
  cleanupExpired,
  retentionDaysFromEnv,
  DEFAULT_RETENTION_DAYS,
  type CleanupReport,
} from "./retention.js";
export { watchFolder, folderSignature, FAILED_FOLDER, type WatchOptions } from "./watch.js";
