import { Command } from "commander";
import { join, resolve } from "node:path";
import { CHECKPOINT_FILENAME } from "../../contracts/checkpoint.js";
import { runJob } from "../../engine/runJob.js";
import { loadStageTable } from "../../engine/stageTable.js";
import { addJobOptions, jobParamsFromFlags, type JobFlags } from "../jobOptions.js";
import { openCliJobSession } from "../jobSession.js";

/**
 * Runs one job from the CLI: progress display, `/health`, signal handling. Errors propagate
 * (main prints SplatbookErrors as one line and exits with their code: 1, or 130/143 when
 * interrupted).
 */
export async function executeProcess(
  input: string,
  output: string,
  flags: JobFlags,
): Promise<void> {
  const session = await openCliJobSession({ jsonLog: flags.jsonLog });
  try {
    const result = await runJob({
      input,
      output,
      params: jobParamsFromFlags(flags),
      stages: await loadStageTable(),
      fresh: flags.fresh,
      until: flags.until,
      maxCheckpointAgeHours: flags.maxCheckpointAgeHours,
      signal: session.signal,
      logger: session.log,
      onEvent: session.onEvent,
    });
    const ran = result.outcomes.filter((o) => !o.cached).length;
    session.log.info(
      `${result.jobId}: ${result.completed ? "Completed" : `next stage ${result.stage}`}` +
        ` (${ran} stage(s) run, ${result.outcomes.length - ran} reused); ` +
        `checkpoint ${join(resolve(output), CHECKPOINT_FILENAME)}`,
    );
  } finally {
    await session.close();
  }
}

/** `splatbook process <input> <output> [options]`. */
export function processCommand(): Command {
  return addJobOptions(
    new Command("process")
      .description("run the 8-stage pipeline on a folder of videos (resumes from its checkpoint)")
      .argument("<input>", "folder of captured videos")
      .argument("<output>", "output folder (holds .checkpoint.json)"),
  ).action((input: string, output: string, flags: JobFlags) =>
    executeProcess(input, output, flags),
  );
}

/** Adds `process` to the program. */
export function register(program: Command): void {
  program.addCommand(processCommand());
}
