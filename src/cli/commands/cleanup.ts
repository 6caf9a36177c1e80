import { Command } from "commander";
import { cleanupExpired, retentionDaysFromEnv } from "../../engine/retention.js";
import { createConsoleLogger } from "../../engine/logger.js";
import { SplatbookError } from "../../util/errors.js";

/** `splatbook cleanup [output] [--retention-days D]`. */
export function cleanupCommand(): Command {
  return new Command("cleanup")
    .description(
      "remove completed checkpoints and temp folders older than CLEANUP_RETENTION_DAYS (default 7)",
    )
    .argument("[output]", "output folder or a folder of job outputs (default: $OUTPUT_PATH)")
    .option("--retention-days <days>", "override CLEANUP_RETENTION_DAYS", Number)
    .action(async (output: string | undefined, flags: { retentionDays?: number }) => {
      const root = output ?? process.env.OUTPUT_PATH;
      if (!root)
        throw new SplatbookError("cleanup needs an output folder (argument or OUTPUT_PATH)");
      const days = flags.retentionDays ?? retentionDaysFromEnv(process.env);
      if (!Number.isFinite(days) || days < 0) {
        throw new SplatbookError("--retention-days must be a number of days ≥ 0");
      }
      const report = await cleanupExpired({
        outputRoot: root,
        retentionDays: days,
        log: createConsoleLogger(),
      });
      console.log(
        `removed ${report.checkpointsRemoved.length} checkpoint(s) and ` +
          `${report.tempFoldersRemoved.length} temp folder(s) older than ${days} day(s)`,
      );
    });
}

/** Adds `cleanup` to the program. */
export function register(program: Command): void {
  program.addCommand(cleanupCommand());
}
