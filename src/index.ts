/** Public API of the `splatbook` package (used by notebooks, the CLI and the kernel). */
export * from "./contracts/index.js";
export { SplatbookError, InterruptedError } from "./util/errors.js";
// Kernel runtime for cells and the notebook API: abort signal of the running cell, rich display.
export {
  MIME_BUNDLE,
  clearOutput,
  display,
  getCellAbortSignal,
  isInsideKernel,
  requestInput,
  throwIfCellInterrupted,
  type DisplayHandle,
  type MimeBundle,
} from "./jupyter/runtime.js";
// The notebook API (same engine and checkpoints as the CLI).
export { Job, type JobOpenOptions, type StageCallResult } from "./notebook/index.js";
export { distance, type GeoreferenceResult, type ModelPoint } from "./notebook/index.js";
// The synthetic sample capture, so notebooks can make their own input.
export { renderSample, type SampleOptions, type SampleResult } from "./sample/index.js";
// The engine and status surfaces, for scripts that drive jobs without the CLI: `JobRun` is the
// engine's open job (holds the lock while open); `Job` above is the notebook-facing one.
export {
  JobRun,
  runJob,
  loadStageTable,
  readCheckpoint,
  cleanupExpired,
  watchFolder,
  type JobRunOpenOptions,
  type StageOutcome,
  type JobRunResult,
  type RunJobOptions,
} from "./engine/index.js";
export * from "./status/index.js";
// Batches with a SQLite run ledger (resume, retries, workers, metrics).
export {
  Pipeline,
  type PipelineOptions,
  type PipelineRunOptions,
  type PipelineRunResult,
  type BatchEvent,
  type IndexResult,
} from "./ledger/index.js";
export { readLedgerReport, type LedgerReport } from "./ledger/report.js";
export { showBatchProgress, type BatchView } from "./notebook/batchView.js";
