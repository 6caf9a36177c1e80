/** The batch ledger: SQLite run records, the Pipeline API and its backends. */
export {
  Pipeline,
  type PipelineOptions,
  type PipelineRunOptions,
  type PipelineRunResult,
} from "./pipeline.js";
export type { BatchEvent, IndexResult, BatchBackend, BackendRunContext } from "./backend.js";
export { resolveBackend, type BackendOptions } from "./backends.js";
export {
  batchConfig,
  canonicalConfigJson,
  configHash,
  defaultLedgerDir,
  ledgerPath,
  type BatchConfig,
} from "./config.js";
export { openLedger, type Ledger, type IndexRecord, type LogEntry } from "./ledger.js";
export { openLedgerDatabase, networkFileSystem, type LedgerDatabase } from "./database.js";
export { LEDGER_SCHEMA_VERSION, migrate, schemaVersion } from "./schema.js";
export type { LedgerQueries } from "./queries.js";
export { listScenes } from "./scenes.js";
export { runIndex, type IndexTask, type JobSettings } from "./indexRunner.js";
