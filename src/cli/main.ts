#!/usr/bin/env node
import { Command } from "commander";
import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { isExpectedError } from "../util/errors.js";

/** The package version (from package.json next to lib/ or src/). */
function version(): string {
  try {
    const pkg = new URL("../../package.json", import.meta.url);
    const v = (JSON.parse(readFileSync(pkg, "utf8")) as { version?: unknown }).version;
    // commander's version() with undefined is the getter, so never hand it undefined.
    return typeof v === "string" ? v : "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/**
 * Arguments that run without loading the other commands' modules (about 2 s of imports): Jupyter
 * starts `kernel` for every notebook, and the Python package asks for `--version`.
 */
const ALONE: Record<string, (program: Command) => Promise<void>> = {
  kernel: async (program) => (await import("./commands/kernel.js")).register(program),
  "--version": async () => {},
  "-V": async () => {},
};

/**
 * The `splatbook` program with every registered subcommand, or, when `first` (the first
 * argument) is one of {@link ALONE}, with that command only.
 */
export async function buildProgram(first?: string): Promise<Command> {
  const program = new Command("splatbook")
    .description("captured video → 3D Gaussian splats: pipeline CLI, notebook kernel and tools")
    .version(version())
    .showHelpAfterError();
  const alone = first !== undefined ? ALONE[first] : undefined;
  if (alone) {
    await alone(program);
    return program;
  }
  const { commands } = await import("./commands/index.js");
  for (const register of commands) register(program);
  return program;
}

/**
 * Runs the CLI; returns the exit code. Expected errors (SplatbookError) print one line,
 * `splatbook: <message>`, with no stack trace, and exit with the error's code (1 by default,
 * 130/143 when interrupted); anything else prints its stack and exits 1.
 */
export async function main(argv: string[] = process.argv): Promise<number> {
  try {
    await (await buildProgram(argv[2])).parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (isExpectedError(err)) {
      process.stderr.write(`splatbook: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`splatbook: unexpected error\n${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}

function invokedDirectly(): boolean {
  try {
    return realpathSync(process.argv[1] ?? "") === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  // Exit explicitly: a stage may leave handles (GPU device, worker pools) that would keep
  // the process alive after the job is over.
  process.exit(await main());
}
