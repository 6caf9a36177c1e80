import type { Logger } from "../contracts/logger.js";

/** Discards everything (the default when no logger is given). */
export const silentLogger: Logger = { info() {}, warn() {}, debug() {} };

/** Options of {@link createConsoleLogger}. */
export interface ConsoleLoggerOptions {
  /** One JSON object per line (`{"time","level","msg"}`) instead of plain text. */
  json?: boolean;
  /** Print debug lines too (default: when SPLATBOOK_DEBUG is set). */
  debug?: boolean;
  /** Where info/debug go (default stdout); warnings go to `errStream` (default stderr). */
  stream?: NodeJS.WritableStream;
  errStream?: NodeJS.WritableStream;
  /** Replaces the streams: receives each formatted line (e.g. to print above a progress bar). */
  sink?: (line: string, level: "info" | "warn" | "debug") => void;
}

/** Plain lines (`message`, `warning: message`) or JSON lines, for the CLI. */
export function createConsoleLogger(opts: ConsoleLoggerOptions = {}): Logger {
  const out = opts.stream ?? process.stdout;
  const err = opts.errStream ?? process.stderr;
  const debug = opts.debug ?? Boolean(process.env.SPLATBOOK_DEBUG);
  const line = (level: "info" | "warn" | "debug", msg: string): string =>
    opts.json
      ? JSON.stringify({ time: new Date().toISOString(), level, msg }) + "\n"
      : (level === "warn" ? "warning: " : "") + msg + "\n";
  const emit = (level: "info" | "warn" | "debug", msg: string) => {
    const text = line(level, msg);
    if (opts.sink) opts.sink(text, level);
    else (level === "warn" && !opts.json ? err : out).write(text);
  };
  return {
    info: (msg) => emit("info", msg),
    warn: (msg) => emit("warn", msg),
    debug: (msg) => {
      if (debug) emit("debug", msg);
    },
  };
}

/** Forwards to `inner` and to `tap` (e.g. a notebook log panel or a test recorder). */
export function teeLogger(inner: Logger, tap: (level: keyof Logger, msg: string) => void): Logger {
  return {
    info: (m) => (tap("info", m), inner.info(m)),
    warn: (m) => (tap("warn", m), inner.warn(m)),
    debug: (m) => (tap("debug", m), inner.debug(m)),
  };
}
