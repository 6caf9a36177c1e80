#!/usr/bin/env node
import { Command } from "commander";
import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { isExpectedError } from "../util/errors.js";
import { commands } from "./commands/index.js";

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

/** The `splatbook` program with every registered subcommand. */
export function buildProgram(): Command {
  const program = new Command("splatbook")
    .description("captured video → 3D Gaussian splats: pipeline CLI, notebook kernel and tools")
    .version(version())
    .showHelpAfterError();
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
    await buildProgram().parseAsync(argv);
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
