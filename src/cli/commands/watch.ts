import { Command } from "commander";
import { loadStageTable } from "../../engine/stageTable.js";
import { retentionDaysFromEnv } from "../../engine/retention.js";
import { watchFolder } from "../../engine/watch.js";
import { SplatbookError } from "../../util/errors.js";
import {
  addJobOptions,
  jobParamsFromFlags,
  positiveInt,
  positiveNumber,
  type JobFlags,
} from "../jobOptions.js";
import { openCliJobSession } from "../jobSession.js";

interface WatchFlags extends JobFlags {
  stableSecs?: number;
  pollSecs?: number;
  maxAttempts?: number;
}

/** `splatbook watch [input] [output]`: process each new scene folder as it settles. */
export function watchCommand(): Command {
  return addJobOptions(
    new Command("watch")
      .description(
        "watch INPUT_PATH for new scene folders and process each into OUTPUT_PATH/<job_id>; " +
          "failed scenes go to INPUT_PATH/.failed/<scene>/ with error.txt",
      )
      .argument("[input]", "folder to watch (default: $INPUT_PATH)")
      .argument("[output]", "where job folders go (default: $OUTPUT_PATH)")
      .option(
        "--stable-secs <s>",
        "wait until a folder is unchanged this long (default 10)",
        positiveNumber,
      )
      .option("--poll-secs <s>", "poll interval (default 2)", positiveNumber)
      .option(
        "--max-attempts <n>",
        "tries per scene before moving it to .failed (default 3)",
        positiveInt,
      ),
    { fresh: false },
  ).action(async (input: string | undefined, output: string | undefined, flags: WatchFlags) => {
    const inputRoot = input ?? process.env.INPUT_PATH;
    const outputRoot = output ?? process.env.OUTPUT_PATH;
    if (!inputRoot || !outputRoot) {
      throw new SplatbookError(
        "watch needs input and output folders (arguments or INPUT_PATH/OUTPUT_PATH)",
      );
    }
    const session = await openCliJobSession({ jsonLog: flags.jsonLog, initialHealth: "watching" });
    try {
      await watchFolder({
        inputRoot,
        outputRoot,
        stages: await loadStageTable(),
        params: jobParamsFromFlags(flags),
        until: flags.until,
        stableSecs: flags.stableSecs,
        pollSecs: flags.pollSecs,
        maxAttempts: flags.maxAttempts,
        retentionDays: retentionDaysFromEnv(process.env),
        maxCheckpointAgeHours: flags.maxCheckpointAgeHours,
        signal: session.signal,
        logger: session.log,
        onEvent: session.onEvent,
        onWatching: (lastError) => session.health.setWatching(lastError),
      });
      // The loop ends only when a signal aborted it.
      if (session.signal.reason instanceof Error) throw session.signal.reason;
    } finally {
      await session.close();
    }
  });
}

/** Adds `watch` to the program. */
export function register(program: Command): void {
  program.addCommand(watchCommand());
}
