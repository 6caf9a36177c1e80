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

/**
 * A cli-progress bar per running stage on a TTY; plain lines otherwise (a progress line at most
 * every 10 % or 10 s per stage, so logs stay short). `json` prints every event as one JSON line.
 */
export function createProgressDisplay(
  opts: { tty?: boolean; json?: boolean; stream?: NodeJS.WriteStream } = {},
): ProgressDisplay {
  const stream = opts.stream ?? process.stderr;
  const tty = opts.tty ?? Boolean(stream.isTTY);
  const print = (line: string) => {
    bar?.stop();
    bar = undefined;
    stream.write(line + "\n");
  };
  let bar: cliProgress.SingleBar | undefined;
  let barFormat = "";
  let barValue = 0;
  let barDetail = "";
  const startBar = () => {
    bar = new cliProgress.SingleBar(
      { stream, format: barFormat, hideCursor: true, clearOnComplete: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(100, barValue, { detail: barDetail });
  };
  const printAbove = (text: string, out: NodeJS.WritableStream) => {
    if (!bar) return void out.write(text);
    bar.stop();
    out.write(text);
    startBar();
  };
  let lastLineAt = 0;
  let lastLineFraction = -1;

  if (opts.json) {
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
  return {
    printAbove,
    onEvent(e) {
      switch (e.type) {
        case "stage-start":
          print(`[${e.progressPercentage.toFixed(1)}%] ${e.stage} …`);
          lastLineAt = Date.now();
          lastLineFraction = 0;
          if (tty) {
            barFormat = `  ${e.stage} [{bar}] {percentage}% {detail}`;
            barValue = 0;
            barDetail = "";
            startBar();
          }
          break;
        case "stage-progress":
          if (bar) {
            barValue = Math.round(e.fraction * 100);
            barDetail = e.detail ?? "";
            bar.update(barValue, { detail: barDetail });
          } else if (
            e.fraction - lastLineFraction >= 0.1 ||
            Date.now() - lastLineAt >= 10_000 ||
            e.fraction === 1
          ) {
            if (e.fraction === lastLineFraction) break;
            lastLineAt = Date.now();
            lastLineFraction = e.fraction;
            print(`  ${e.stage} ${Math.round(e.fraction * 100)}%${e.detail ? ` ${e.detail}` : ""}`);
          }
          break;
        case "stage-complete":
          print(`  ${e.stage} done in ${formatDuration(e.durationSecs)}`);
          break;
        case "stage-cached":
          print(`  ${e.stage}: unchanged, reusing the earlier result`);
          break;
        case "stage-skipped":
          print(`  ${e.stage}: skipped (${e.reason})`);
          break;
        case "stage-failed":
          print(`  ${e.stage} ${e.interrupted ? "interrupted" : "failed"}: ${e.error}`);
          break;
        case "job-complete":
          print(
            e.stage === "Completed"
              ? `[100%] ${e.jobId} completed`
              : `stopped before ${e.stage} (${e.checkpoint.progress_percentage}%)`,
          );
          break;
        default:
          break;
      }
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
