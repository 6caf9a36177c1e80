import { Command } from "commander";
import { readLedgerReport, type LedgerReport } from "../../ledger/report.js";
import { positiveInt } from "../jobOptions.js";
import { formatDuration } from "../progressDisplay.js";

/** The human-readable form of a ledger report. */
export function formatLedgerReport(report: LedgerReport): string {
  const out: string[] = [
    `ledger ${report.path} (schema v${report.schemaVersion}, ${report.journalMode} journal)`,
  ];
  for (const run of report.runs) {
    const s = run.summary;
    const cfg = run.config as { source?: string; outputs?: string; until?: string };
    out.push(
      "",
      `run ${run.runId} · config ${run.configHash.slice(0, 16)} · started ${run.startedAt}`,
      `  source ${cfg.source ?? "?"} → ${cfg.outputs ?? "?"} (until ${cfg.until ?? "?"})`,
      `  ${s.total} indices: ${s.completed} completed, ${s.failed} failed, ${s.remaining} remaining; ` +
        `${s.errors} error log record(s); ${s.workers} worker(s)`,
      `  mean ${s.avgTimeMs === null ? "-" : formatDuration(s.avgTimeMs / 1000)} per completed index, ` +
        `elapsed ${formatDuration(s.elapsedMs / 1000)}`,
    );
    if (run.failures.length) {
      out.push("  failures:");
      for (const f of run.failures) out.push(`    ${f.idx} ${f.scene ?? ""}: ${f.error}`);
    }
    if (run.slowestStages.length) {
      out.push("  slowest stages:");
      for (const st of run.slowestStages) {
        out.push(
          `    ${formatDuration(st.wallTimeNs / 1e9).padStart(10)}  ${st.stageName.padEnd(21)} index ${st.idx} ${st.scene ?? ""}`,
        );
      }
    }
    if (run.workers.length) {
      out.push("  workers:");
      for (const w of run.workers) {
        out.push(
          `    ${w.workerId.slice(0, 8)} pid ${w.pid} on ${w.hostname} (${w.backend ?? "?"}): ` +
            `${w.completedCount} completed, last heartbeat ${w.lastHeartbeat ?? "-"}` +
            (w.currentIndex !== null ? `, was on index ${w.currentIndex}` : ""),
        );
      }
    }
  }
  return out.join("\n") + "\n";
}

/** `splatbook ledger <db> [--json] [--slowest N]`. */
export function ledgerCommand(): Command {
  return new Command("ledger")
    .description("summary, failures and slowest stages of a batch ledger (SQLite file)")
    .argument("<db>", "ledger file (<hash16>.db or <hash16>_<timestamp>.db)")
    .option("--slowest <n>", "how many of the slowest stage runs to list", positiveInt, 10)
    .option("--json", "print the report as JSON")
    .action((db: string, flags: { json?: boolean; slowest: number }) => {
      const report = readLedgerReport(db, { slowest: flags.slowest });
      process.stdout.write(
        flags.json ? JSON.stringify(report, null, 2) + "\n" : formatLedgerReport(report),
      );
    });
}

/** Adds `ledger` to the program. */
export function register(program: Command): void {
  program.addCommand(ledgerCommand());
}
