/** Public API of the `splatbook` package (used by notebooks, the CLI and the kernel). */
export * from "./contracts/index.js";
export * from "./engine/types.js";
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
} from "./kernel/runtime.js";
// The notebook API (same engine and checkpoints as the CLI).
export { Job, type JobOpenOptions, type StageCallResult } from "./notebook/index.js";
// The synthetic sample capture, so notebooks can make their own input.
export { renderSample, type SampleOptions, type SampleResult } from "./sample/index.js";
