/** Public API of the `splatbook` package (used by notebooks, the CLI and the kernel). */
export * from "./contracts/index.js";
export * from "./engine/types.js";
export { SplatbookError, InterruptedError } from "./util/errors.js";
