import { Command } from "commander";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { addJobOptions, type JobFlags } from "../jobOptions.js";
import { executeProcess } from "./process.js";
import { addSampleOptions, renderSampleWithProgress, type SampleFlags } from "./sample.js";

/**
 * The demo's own defaults, sized for a 2-core machine without a GPU: fewer frames than a real
 * capture wants, and a 150 s training budget (the plan picks resolution and steps to fit it, so
 * training ends within 3 minutes). Every one can be overridden by its flag.
 */
export const DEMO_DEFAULTS = {
  framesPerOrbit: 30,
  framesPerVideo: 30,
  matcher: "sequential",
  timeBudget: 150,
  maxSplats: 20_000,
  evalEvery: 250,
  previewEvery: 250,
  snapshotEvery: 250,
} as const;

function definedOnly<T extends object>(flags: T): Partial<T> {
  return Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `splatbook demo [dir]`: sample into <dir>/sample, then process into <dir>/output. */
export function demoCommand(): Command {
  return addSampleOptions(
    addJobOptions(
      new Command("demo")
        .description("render the sample capture and process it: <dir>/sample → <dir>/output")
        .argument("[dir]", "working folder", "splatbook-demo")
        .option("--resample", "render the sample again even if <dir>/sample has it"),
    ),
  ).action(async (dir: string, given: JobFlags & SampleFlags & { resample?: boolean }) => {
    const flags = { ...DEMO_DEFAULTS, ...definedOnly(given) };
    const root = resolve(dir);
    const sample = join(root, "sample");
    // Re-rendering would give the videos new mtimes and rerun every stage; reuse them.
    const present = ["orbit_a.mp4", "orbit_b.mp4"].every((f) => existsSync(join(sample, f)));
    if (present && !flags.resample) console.log(`sample: reusing ${sample}`);
    else await renderSampleWithProgress(sample, flags);
    await executeProcess(sample, join(root, "output"), flags);
  });
}

/** Adds `demo` to the program. */
export function register(program: Command): void {
  program.addCommand(demoCommand());
}
