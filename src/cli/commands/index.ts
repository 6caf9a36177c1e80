import type { Command } from "commander";
import { register as registerProcess } from "./process.js";
import { register as registerStatus } from "./status.js";
import { register as registerWatch } from "./watch.js";
import { register as registerCleanup } from "./cleanup.js";
import { register as registerSample } from "./sample.js";
import { register as registerDemo } from "./demo.js";
import { register as registerExport } from "./export.js";
import { register as registerBatch } from "./batch.js";
import { register as registerLedger } from "./ledger.js";
import { register as registerWorker } from "./worker.js";
import { runCommand } from "./run.js";
import { trainCommand } from "./train.js";
import { installCommand, uninstallCommand } from "./install.js";
import { register as registerKernel } from "./kernel.js";

/** Adds one or more subcommands to the program. */
export type RegisterCommand = (program: Command) => void;

/**
 * Every subcommand, in help order: one line per command file. A new command adds its file under
 * commands/ exporting `register(program)` and one line here.
 */
export const commands: readonly RegisterCommand[] = [
  registerProcess,
  registerStatus,
  registerWatch,
  registerCleanup,
  registerSample,
  registerDemo,
  registerExport,
  registerBatch,
  registerLedger,
  registerWorker,
  (program) => program.addCommand(runCommand()),
  (program) => program.addCommand(trainCommand()),
  (program) => program.addCommand(installCommand()).addCommand(uninstallCommand()),
  registerKernel,
];
