import { Command, Option } from "commander";
import { BATCH_BACKENDS, type BatchBackendName } from "../../contracts/ledger.js";
import { Pipeline, type PipelineRunResult } from "../../ledger/index.js";
import { InterruptedError } from "../../util/errors.js";
import { createBatchDisplay, summaryTable } from "../batchDisplay.js";
import { addJobOptions, jobParamsFromFlags, positiveInt, type JobFlags } from "../jobOptions.js";
import { installInterruptHandlers } from "../signals.js";

/** Flags of `splatbook batch`. */
interface BatchFlags extends JobFlags {
  jobs: number;
  resume?: boolean;
  backend?: BatchBackendName;
  redis?: string;
  queue?: string;
  dbDir?: string;
  metrics: boolean;
  json?: boolean;
}

/**
 * Runs a batch from the CLI: the display, SIGINT/SIGTERM → stop at a safe point, the summary
 * table (or JSON). Exit code 1 when any index failed, 130/143 when interrupted.
 */
export async function executeBatch(
  scenesRoot: string,
  outputsRoot: string,
  flags: BatchFlags,
): Promise<void> {
  const pipeline = new Pipeline({
    source: scenesRoot,
    output: outputsRoot,
    params: jobParamsFromFlags(flags),
    until: flags.until,
    resume: flags.resume ?? false,
    dbDir: flags.dbDir,
    trackMetrics: flags.metrics,
    maxCheckpointAgeHours: flags.maxCheckpointAgeHours,
  });
  const display = createBatchDisplay({ until: pipeline.config.until, json: flags.json });
  const controller = new AbortController();
  const uninstall = installInterruptHandlers(controller);
  const unsubscribe = pipeline.subscribe(display.onEvent);
  let result: PipelineRunResult;
  try {
    result = await pipeline.run({
      jobs: flags.jobs,
      backend: flags.backend,
      redis: flags.redis,
      queue: flags.queue,
      signal: controller.signal,
    });
  } catch (err) {
    display.stop();
    if (err instanceof InterruptedError) {
      const s = pipeline.summary();
      process.stderr.write(
        `batch interrupted: ${s.completed}/${s.total} completed, ${s.failed} failed` +
          (pipeline.dbPath
            ? `; rerun with --resume to continue (ledger ${pipeline.dbPath})\n`
            : "\n"),
      );
    }
    throw err;
  } finally {
    unsubscribe();
    uninstall();
    pipeline.close();
  }
  display.stop();
  if (flags.json) {
    const summary = { type: "summary", ledger: pipeline.dbPath, ...result };
    process.stdout.write(JSON.stringify(summary) + "\n");
  } else process.stdout.write(summaryTable(result, pipeline.dbPath));
  if (result.summary.failed > 0) process.exitCode = 1;
}

/** `splatbook batch <scenes-root> <outputs-root> [options]`. */
export function batchCommand(): Command {
  const cmd = new Command("batch")
    .description("run the pipeline on every scene folder under a root, with a SQLite run ledger")
    .argument("<scenes-root>", "folder whose sub-folders are the scenes (sorted by name)")
    .argument("<outputs-root>", "folder receiving one output folder per scene")
    .option("--jobs <n>", "worker processes (default 1)", positiveInt, 1)
    .option("--resume", "reuse this configuration's ledger: skip completed, retry failed")
    .addOption(
      new Option(
        "--backend <name>",
        "how indices run (default: bullmq with --redis, else sequential for 1 job, process_pool for more)",
      ).choices(BATCH_BACKENDS),
    )
    .option("--redis <url>", "Redis URL for --backend bullmq (redis://host:port/db)")
    .option("--queue <name>", "BullMQ queue name (default splatbook)")
    .option("--db-dir <dir>", "ledger folder (default SPLATBOOK_CACHE_DIR or ~/.cache/splatbook)")
    .option("--no-metrics", "keep no ledger (no resume)")
    .option("--json", "JSON lines: every batch event, then the summary");
  return addJobOptions(cmd, { fresh: false }).action(
    (scenes: string, outputs: string, flags: BatchFlags) => executeBatch(scenes, outputs, flags),
  );
}

/** Adds `batch` to the program. */
export function register(program: Command): void {
  program.addCommand(batchCommand());
}
