import { Command } from "commander";
import { createConsoleLogger } from "../../engine/logger.js";
import { runQueueWorker } from "../../ledger/bullmq/worker.js";
import { healthConfigFromEnv } from "../../status/healthServer.js";
import { positiveInt, wholeNumber } from "../jobOptions.js";
import { installInterruptHandlers } from "../signals.js";

/** Flags of `splatbook worker`. */
interface WorkerFlags {
  redis: string;
  queue?: string;
  concurrency: number;
  lockSecs: number;
  stopSecs: number;
  healthPort?: number;
  jsonLog?: boolean;
}

/** `splatbook worker --redis URL [options]`: a batch worker on a BullMQ queue. */
export function workerCommand(): Command {
  return new Command("worker")
    .description(
      "run batch jobs from a BullMQ queue (any machine that sees the same scenes and outputs roots)",
    )
    .requiredOption("--redis <url>", "Redis URL (redis://host:port/db)")
    .option("--queue <name>", "queue name (default splatbook)")
    .option("--concurrency <n>", "jobs at once in this process", positiveInt, 1)
    .option(
      "--lock-secs <s>",
      "seconds before a job of a worker that stopped answering goes to another worker",
      positiveInt,
      30,
    )
    .option(
      "--stop-secs <s>",
      "seconds from SIGTERM/SIGINT to exit, Redis reachable or not (running jobs go back to the queue)",
      positiveInt,
      10,
    )
    .option(
      "--health-port <port>",
      "serve GET /health here (default: HEALTH_CHECK_ENABLED/HEALTH_CHECK_PORT)",
      wholeNumber,
    )
    .option("--json-log", "log as JSON lines")
    .action(async (flags: WorkerFlags) => {
      const log = createConsoleLogger({ json: flags.jsonLog });
      const env = healthConfigFromEnv();
      const controller = new AbortController();
      const uninstall = installInterruptHandlers(controller, (m) => log.warn(m));
      // The last resort of the stop budget: whatever still holds the process (a connection
      // retrying an unreachable Redis) does not keep it past --stop-secs.
      controller.signal.addEventListener("abort", () => {
        setTimeout(() => {
          log.warn(`still running ${flags.stopSecs} s after the stop signal; exiting`);
          process.exit(143);
        }, flags.stopSecs * 1000).unref();
      });
      try {
        await runQueueWorker({
          redis: flags.redis,
          queue: flags.queue,
          concurrency: flags.concurrency,
          lockSecs: flags.lockSecs,
          stopSecs: flags.stopSecs,
          health:
            flags.healthPort !== undefined
              ? { host: env.host, port: flags.healthPort }
              : env.enabled
                ? env
                : undefined,
          log,
          signal: controller.signal,
          onReady: ({ healthUrl }) => {
            if (healthUrl) log.info(`health endpoint: ${healthUrl}`);
          },
        });
      } finally {
        uninstall();
      }
    });
}

/** Adds `worker` to the program. */
export function register(program: Command): void {
  program.addCommand(workerCommand());
}
