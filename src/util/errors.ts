/**
 * An expected failure (bad input, missing tool, a capture COLMAP cannot register): shown to the
 * user as one line naming the file and cause, without a stack trace.
 */
export class SplatbookError extends Error {
  /** The file the error is about, if any. */
  readonly file: string | undefined;
  /** Process exit code the CLI uses for it. */
  readonly exitCode: number;
  constructor(
    message: string,
    options: { file?: string; exitCode?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SplatbookError";
    this.file = options.file;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Raised when work stops because of SIGINT/SIGTERM or a notebook interrupt. */
export class InterruptedError extends SplatbookError {
  readonly signal: NodeJS.Signals | "interrupt";
  constructor(signal: NodeJS.Signals | "interrupt" = "SIGINT") {
    super(`interrupted (${signal})`, { exitCode: signal === "SIGTERM" ? 143 : 130 });
    this.name = "InterruptedError";
    this.signal = signal;
  }
}

/** True for errors we show without a stack trace. */
export function isExpectedError(err: unknown): err is SplatbookError {
  return err instanceof SplatbookError;
}

/** The one-line cause recorded in checkpoints and status files. */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s+/g, " ").trim().slice(0, 500);
}
