/**
 * The logger every layer writes to: info lines go to the user (stdout, a notebook, a log file),
 * warnings name what was skipped or went wrong, debug lines only when asked for. Implementations
 * live in `src/engine/logger.ts`.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}
