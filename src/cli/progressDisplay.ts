import cliProgress from "cli-progress";
import type { JobEvent } from "../contracts/events.js";

/** Seconds as `12.3 s` or `4 min 05 s`. */
export function formatDuration(secs: number): string {
  if (secs < 60) return `${secs.toFixed(1)} s`;
  const m = Math.floor(secs / 60);
  const s = Math.round(secs % 60);
  return `${m} min ${String(s).padStart(2, "0")} s`;
}

/** Renders engine events for a terminal. */
export interface ProgressDisplay {
  onEvent(event: JobEvent): void;
  /** Writes a log line without tearing the progress bar (it is redrawn below the line). */
  printAbove(text: string, stream: NodeJS.WritableStream): void;
  stop(): void;
}

/** The line a stage's end (completed, cached, skipped, failed) or the job's end prints. */
function endLine(e: JobEvent): string | null {
  switch (e.type) {
    case "stage-complete":
      return `  ${e.stage} done in ${formatDuration(e.durationSecs)}`;
    case "stage-cached":
      return `  ${e.stage}: unchanged, reusing the earlier result`;
    case "stage-skipped":
      return `  ${e.stage}: skipped (${e.reason})`;
    case "stage-failed":
      return `  ${e.stage} ${e.interrupted ? "interrupted" : "failed"}: ${e.error}`;
    case "job-complete":
      return e.stage === "Completed"
        ? `[100%] ${e.jobId} completed`
        : `stopped before ${e.stage} (${e.checkpoint.progress_percentage}%)`;
    default:
      return null;
  }
}

/** Every event as one JSON line on stdout (the checkpoint reduced to its percentage). */
function jsonDisplay(): ProgressDisplay {
  return {
    printAbove: (text, out) => void out.write(text),
    onEvent(e) {
      const { checkpoint, ...rest } = e;
      process.stdout.write(
        JSON.stringify({ ...rest, progress_percentage: checkpoint.progress_percentage }) + "\n",
      );
    },
    stop() {},
  };
}

/**
 * A cli-progress bar per running stage on a TTY; plain lines otherwise (a progress line at most
 * every 10 % or 10 s per stage, so logs stay short). `json` prints every event as one JSON line.
 */
export function createProgressDisplay(
  opts: { tty?: boolean; json?: boolean; stream?: NodeJS.WriteStream } = {},
): ProgressDisplay {
  if (opts.json) return jsonDisplay();
  const stream = opts.stream ?? process.stderr;
  const tty = opts.tty ?? Boolean(stream.isTTY);
  let bar: cliProgress.SingleBar | undefined;
  let barFormat = "";
  let barValue = 0;
  let barDetail = "";
  let lastLineAt = 0;
  let lastLineFraction = -1;
  const print = (line: string) => {
    bar?.stop();
    bar = undefined;
    stream.write(line + "\n");
  };
  const startBar = () => {
    bar = new cliProgress.SingleBar(
      { stream, format: barFormat, hideCursor: true, clearOnComplete: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(100, barValue, { detail: barDetail });
  };
  const stageStart = (e: Extract<JobEvent, { type: "stage-start" }>) => {
    print(`[${e.progressPercentage.toFixed(1)}%] ${e.stage} …`);
    lastLineAt = Date.now();
    lastLineFraction = 0;
    if (!tty) return;
    barFormat = `  ${e.stage} [{bar}] {percentage}% {detail}`;
    barValue = 0;
    barDetail = "";
    startBar();
  };
  const stageProgress = (e: Extract<JobEvent, { type: "stage-progress" }>) => {
    if (bar) {
      barValue = Math.round(e.fraction * 100);
      barDetail = e.detail ?? "";
      bar.update(barValue, { detail: barDetail });
      return;
    }
    const due =
      e.fraction - lastLineFraction >= 0.1 || Date.now() - lastLineAt >= 10_000 || e.fraction === 1;
    if (!due || e.fraction === lastLineFraction) return;
    lastLineAt = Date.now();
    lastLineFraction = e.fraction;
    print(`  ${e.stage} ${Math.round(e.fraction * 100)}%${e.detail ? ` ${e.detail}` : ""}`);
  };
  return {
    printAbove(text, out) {
      if (!bar) return void out.write(text);
      bar.stop();
      out.write(text);
      startBar();
    },
    onEvent(e) {
      if (e.type === "stage-start") stageStart(e);
      else if (e.type === "stage-progress") stageProgress(e);
      else {
        const line = endLine(e);
        if (line !== null) print(line);
      }
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
