import cliProgress from "cli-progress";

/** Reports notebook progress on stderr. */
export interface NotebookProgress {
  start(totalCells: number): void;
  cellStarted(index: number, label: string): void;
  cellDone(index: number, status: "completed" | "failed", seconds: number): void;
  /** Prints a line without tearing the bar. */
  log(line: string): void;
  stop(): void;
}

/**
 * A cli-progress bar (cells done/total) on a TTY; plain one-line-per-cell output otherwise, so
 * CI logs stay readable. "none" prints nothing.
 */
export function createNotebookProgress(
  mode: "auto" | "bar" | "lines" | "none",
  stream: NodeJS.WriteStream = process.stderr,
): NotebookProgress {
  const kind = mode === "auto" ? (stream.isTTY ? "bar" : "lines") : mode;
  if (kind === "none") {
    return { start() {}, cellStarted() {}, cellDone() {}, log() {}, stop() {} };
  }
  if (kind === "lines") {
    let total = 0;
    return {
      start(n) {
        total = n;
      },
      cellStarted() {},
      cellDone(index, status, seconds) {
        stream.write(`cell ${index + 1}/${total} ${status} (${seconds.toFixed(1)} s)\n`);
      },
      log(line) {
        stream.write(line.endsWith("\n") ? line : line + "\n");
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: "Executing |{bar}| {value}/{total} cells | {label}",
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let done = 0;
  return {
    start(n) {
      bar.start(n, 0, { label: "" });
    },
    cellStarted(_index, label) {
      bar.update(done, { label });
    },
    cellDone() {
      done++;
      bar.update(done);
    },
    log(line) {
      // cli-progress redraws on the next update; clear the line first so text is not mixed in.
      stream.write("\r\x1b[K" + (line.endsWith("\n") ? line : line + "\n"));
    },
    stop() {
      bar.stop();
    },
  };
}
