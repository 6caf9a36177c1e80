import cliProgress from "cli-progress";
import { STAGES, type JobStage } from "../contracts/stages.js";
import type { BatchEvent, IndexResult, PipelineRunResult } from "../ledger/index.js";
import { formatDuration } from "./progressDisplay.js";

/** Shows a batch while it runs. */
export interface BatchDisplay {
  onEvent(event: BatchEvent): void;
  stop(): void;
}

/** Overall progress (0..100) of a job that runs stages up to `until`. */
function jobPercent(stage: string, fraction: number, until: JobStage): number {
  const last = until === "Completed" ? STAGES.length - 1 : STAGES.indexOf(until);
  const i = STAGES.indexOf(stage as (typeof STAGES)[number]);
  return Math.round((100 * (Math.max(0, i) + fraction)) / (last + 1));
}

/**
 * A progress bar per worker on a TTY (scene, stage, job %); plain lines otherwise; one JSON
 * object per event with `json`.
 */
export function createBatchDisplay(opts: {
  until: JobStage;
  json?: boolean;
  stream?: NodeJS.WriteStream;
}): BatchDisplay {
  const stream = opts.stream ?? process.stderr;
  if (opts.json) {
    return { onEvent: (e) => void process.stdout.write(JSON.stringify(e) + "\n"), stop() {} };
  }
  const labels = new Map<string, string>();
  const label = (id: string | null) => {
    if (!id) return "coordinator";
    if (!labels.has(id)) labels.set(id, `w${labels.size + 1}`);
    return labels.get(id)!;
  };
  if (!stream.isTTY) {
    return {
      onEvent(e) {
        const line = plainLine(e, label);
        if (line) stream.write(line + "\n");
      },
      stop() {},
    };
  }
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: "{worker} [{bar}] {percentage}% | {scene} {stage} | done {done}",
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, { bar: cliProgress.SingleBar; done: number; scene: string }>();
  return {
    onEvent(e) {
      if (e.type === "worker-start") {
        const bar = multi.create(100, 0, { worker: label(e.workerId), scene: "", stage: "idle" });
        bars.set(e.workerId, { bar, done: 0, scene: "" });
        return;
      }
      if (e.type === "log") {
        if (e.entry.levelName === "ERROR" || e.entry.levelName === "WARNING") {
          multi.log(`${label(e.entry.workerId)}: ${e.entry.message}\n`);
        }
        return;
      }
      const b = "workerId" in e && e.workerId ? bars.get(e.workerId) : undefined;
      if (!b) return;
      if (e.type === "index-start") {
        b.scene = e.scene;
        b.bar.update(0, { scene: e.scene, stage: "starting", done: b.done });
      } else if (e.type === "index-progress") {
        b.bar.update(jobPercent(e.stage, e.fraction, opts.until), { stage: e.stage });
      } else if (e.type === "index-done") {
        b.done += e.status === "completed" ? 1 : 0;
        b.bar.update(100, { stage: e.status === "completed" ? "done" : "failed", done: b.done });
      } else if (e.type === "worker-exit") {
        b.bar.update({ stage: e.signal ? `exited (${e.signal})` : "exited" });
      }
    },
    stop: () => multi.stop(),
  };
}

function plainLine(e: BatchEvent, label: (id: string | null) => string): string | undefined {
  switch (e.type) {
    case "worker-start":
      return `${label(e.workerId)}: worker pid ${e.pid} on ${e.hostname}`;
    case "index-start":
      return `${label(e.workerId)}: index ${e.idx} (${e.scene}) started${e.attempt > 1 ? ` (attempt ${e.attempt})` : ""}`;
    case "index-progress":
      return e.fraction === 0 ? `${label(e.workerId)}: index ${e.idx} ${e.stage} …` : undefined;
    case "index-done":
      return e.status === "completed"
        ? `${label(e.workerId)}: index ${e.idx} (${e.scene}) completed in ${formatDuration(e.wallTimeMs / 1000)}`
        : `${label(e.workerId)}: index ${e.idx} (${e.scene}) failed: ${e.error}`;
    case "worker-exit":
      return e.signal
        ? `${label(e.workerId)}: worker pid ${e.pid} killed by ${e.signal}`
        : undefined;
    case "log":
      return e.entry.levelName === "WARNING" && e.entry.loggerName === "splatbook.batch"
        ? `${label(e.entry.workerId)}: ${e.entry.message}`
        : undefined;
  }
}

function cell(text: string, width: number): string {
  return text.length > width ? text.slice(0, width - 1) + "…" : text.padEnd(width);
}

/** The table printed after a batch: one row per index, then the totals. */
export function summaryTable(result: PipelineRunResult, ledger: string | null): string {
  const rows: string[] = [];
  const sceneWidth = Math.min(32, Math.max(5, ...result.results.map((r) => r.scene.length)));
  rows.push(
    `${cell("idx", 5)} ${cell("scene", sceneWidth)} ${cell("status", 10)} ${cell("time", 12)} error`,
  );
  const how = (r: IndexResult) => (r.reused ? "reused" : r.status);
  for (const r of result.results) {
    const time = r.wallTimeMs === null ? "-" : formatDuration(r.wallTimeMs / 1000);
    rows.push(
      `${cell(String(r.idx), 5)} ${cell(r.scene, sceneWidth)} ${cell(how(r), 10)} ${cell(time, 12)} ${r.error ?? ""}`.trimEnd(),
    );
  }
  const s = result.summary;
  rows.push(
    `${s.total} indices: ${s.completed} completed (${result.ran.length} run now, ${result.reused.length} reused), ` +
      `${s.failed} failed, ${s.remaining} remaining` +
      (s.avgTimeMs !== null ? `; mean ${formatDuration(s.avgTimeMs / 1000)} per index` : ""),
  );
  if (ledger) rows.push(`ledger: ${ledger}`);
  return rows.join("\n") + "\n";
}
