import { Command } from "commander";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describeGeoref, GeorefSchema } from "../../contracts/georef.js";
import type { Checkpoint } from "../../contracts/checkpoint.js";
import { formatFigure, stageFigures } from "../../contracts/figures.js";
import { STAGES } from "../../contracts/stages.js";
import { checkpointAgeHours, readCheckpoint } from "../../engine/checkpointStore.js";
import { liveLockHolder } from "../../engine/lock.js";
import { SplatbookError } from "../../util/errors.js";
import { formatDuration } from "../progressDisplay.js";

/**
 * The georeference lines: the record the exports wrote (with the CRS they named) when there is
 * one, else the reconstruction's.
 */
function georefStatus(cp: Checkpoint): string[] {
  const ply = cp.stages.PlyExport;
  const exported = ply?.state === "completed" ? (ply.result as { georef_path?: unknown }) : null;
  const colmap = cp.stages.ColmapReconstruction;
  const fromColmap = colmap?.state === "completed" ? (colmap.result as { georef?: unknown }) : null;
  let record = GeorefSchema.safeParse(fromColmap?.georef);
  if (typeof exported?.georef_path === "string" && existsSync(exported.georef_path)) {
    try {
      const side = GeorefSchema.safeParse(JSON.parse(readFileSync(exported.georef_path, "utf8")));
      if (side.success) record = side;
    } catch {
      // an unreadable sidecar: the checkpoint's record stands
    }
  }
  return record.success ? ["", ...describeGeoref(record.data)] : [];
}

/** The human-readable `status` report. */
export function formatStatus(cp: Checkpoint, running: { pid: number } | undefined): string {
  const lines = [
    `job        ${cp.job_id}`,
    `stage      ${cp.stage} (${cp.progress_percentage}%)` +
      (running ? `, running in pid ${running.pid}` : ""),
    `input      ${cp.input_folder}`,
    `output     ${cp.output_folder}`,
    `started    ${cp.started_at}`,
    `updated    ${new Date(cp.timestamp * 1000).toISOString()} (${checkpointAgeHours(cp).toFixed(1)} h ago)`,
    "",
  ];
  for (const name of STAGES) {
    const rec = cp.stages[name];
    const state = rec?.state ?? "pending";
    const time = rec?.duration_secs != null ? formatDuration(rec.duration_secs) : "";
    const extra =
      state === "failed"
        ? (rec?.error ?? "")
        : state === "skipped"
          ? (rec?.reason ?? "")
          : stageFigures(name, rec?.result);
    lines.push(`  ${name.padEnd(21)} ${state.padEnd(9)} ${time.padStart(12)}  ${extra}`.trimEnd());
  }
  lines.push("");
  for (const [k, v] of Object.entries(cp.completed_stages)) {
    if (v !== null) lines.push(`${k.padEnd(19)} ${typeof v === "number" ? formatFigure(v) : v}`);
  }
  lines.push(...georefStatus(cp));
  if (cp.error) lines.push(`last error: ${cp.error.stage}: ${cp.error.message} (${cp.error.at})`);
  return lines.join("\n");
}

/** `splatbook status <output> [--json]`. */
export function statusCommand(): Command {
  return new Command("status")
    .description("show a job's stage, progress, per-stage results and timings, last error")
    .argument("<output>", "the job's output folder")
    .option("--json", "print the checkpoint (plus `running_pid`) as JSON")
    .action(async (output: string, flags: { json?: boolean }) => {
      const folder = resolve(output);
      const cp = await readCheckpoint(folder);
      if (!cp) {
        throw new SplatbookError(`${folder}: no .checkpoint.json (not a splatbook job folder)`, {
          file: folder,
        });
      }
      const holder = await liveLockHolder(folder);
      if (flags.json) {
        console.log(JSON.stringify({ ...cp, running_pid: holder?.pid ?? null }, null, 2));
      } else {
        console.log(formatStatus(cp, holder));
      }
    });
}

/** Adds `status` to the program. */
export function register(program: Command): void {
  program.addCommand(statusCommand());
}
