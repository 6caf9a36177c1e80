/**
 * Cells behave like one TypeScript program however they are split: every program of the
 * corpus (test/kernel/fixture-programs/) runs as one script under Node, compiled with the
 * kernel's compiler options, and through the real kernel split into cells, one top-level
 * statement per cell and then a seeded sample of splits that keep several statements in a cell;
 * stdout and the error that ends the run must match (for a program that does not compile: both
 * a CompileError, with the same TypeScript code when both name one). After each split an earlier
 * cell runs again, and every name must stay known to both the type checker and the run time.
 *
 * SPLATBOOK_TEST_SEED replays the random splits; SPLATBOOK_DIFF_SPLITS sets how many random
 * splits each program gets (default 2).
 */
import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTsHost } from "../../src/kernel/tsHost.js";
import { makeRandom, testSeed } from "../seed.js";
import {
  createKernelSession,
  rerunAndProbe,
  runInNewKernel,
  runSplit,
  type KernelSession,
} from "./differentialKernel.js";
import {
  compileReferences,
  type Program,
  type ProgramOutcome,
  type References,
} from "./differentialReference.js";
import {
  cellsOf,
  describeSplit,
  everyUnitSplit,
  programUnits,
  randomSplits,
  type Split,
} from "./differentialSplits.js";
import { ROOT } from "./helpers.js";

const PROGRAMS_DIR = join(ROOT, "test", "kernel", "fixture-programs");
const RANDOM_SPLITS = Number(process.env.SPLATBOOK_DIFF_SPLITS ?? 2);
const ts = loadTsHost(ROOT, ROOT).ts;

const programs: Program[] = readdirSync(PROGRAMS_DIR)
  .filter((f) => f.endsWith(".ts"))
  .sort()
  .map((f) => ({ name: f.slice(0, -3), source: readFileSync(join(PROGRAMS_DIR, f), "utf8") }));

/** Why the kernel's outcome differs from the script's, or undefined when they match. */
function difference(script: ProgramOutcome, cells: ProgramOutcome): string | undefined {
  const a = script.error;
  const b = cells.error;
  if (a?.ename === "CompileError") {
    if (b?.ename !== "CompileError") return "the script does not compile; the cells did";
    // The script's first error must be among the cell's (which lists its own diagnostics).
    const first = /^TS(\d+):/.exec(a.evalue)?.[1];
    const listed = [...(b.traceback ?? b.evalue).matchAll(/\bTS(\d+)\b/g)].map((m) => m[1]);
    if (first && listed.length > 0 && !listed.includes(first)) return "different TypeScript errors";
    return undefined;
  }
  if (script.stdout !== cells.stdout) return "stdout differs";
  if (!a !== !b || (a && b && (a.ename !== b.ename || a.evalue !== b.evalue))) {
    return "the error differs";
  }
  return undefined;
}

function showOutcome(o: ProgramOutcome): string {
  const error = o.error ? `\n  error: ${o.error.ename}: ${o.error.evalue}` : "\n  error: none";
  return `  stdout: ${JSON.stringify(o.stdout)}${error}`;
}

function mismatchReport(
  program: Program,
  split: Split,
  cells: readonly string[],
  why: string,
  script: ProgramOutcome,
  kernel: ProgramOutcome,
  seed: number,
): string {
  const shown = cells.map((c, i) => `--- cell ${i + 1}\n${c}`).join("\n");
  return [
    `${program.name}: ${why}, split ${describeSplit(split)} (seed ${seed})`,
    `program:\n${program.source.trimEnd()}`,
    `cells:\n${shown}`,
    `one script under Node:\n${showOutcome(script)}`,
    `the kernel:\n${showOutcome(kernel)}`,
  ].join("\n");
}

describe("cells behave like one program however they are split (against Node)", () => {
  let session: KernelSession;
  let references: References;
  const stats = { splits: 0, cells: 0, startedAt: 0 };
  beforeAll(async () => {
    stats.startedAt = performance.now();
    session = createKernelSession();
    references = await compileReferences(programs);
  });
  afterAll(async () => {
    await session?.close();
    references?.close();
    const seconds = ((performance.now() - stats.startedAt) / 1000).toFixed(0);
    const per = (ms: number, n: number) => (n > 0 ? `${(ms / n).toFixed(0)} ms each` : "none");
    console.log(
      `differential: ${programs.length} programs, ${stats.splits} splits (${stats.cells} cells) in ` +
        `${seconds} s, load ${loadavg()[0]!.toFixed(1)}; kernel processes started: ` +
        `${session?.started} (${per(session?.startMs ?? 0, session?.started ?? 0)}), resets: ` +
        `${session?.resets} (${per(session?.resetMs ?? 0, session?.resets ?? 0)})`,
    );
  });

  it("has a corpus of at least 60 programs", () => {
    expect(programs.length).toBeGreaterThanOrEqual(60);
  });

  it("resets the kernel as a restart would: names forgotten, programs run as in a new process", async () => {
    const seed = testSeed();
    const random = makeRandom(seed);
    const sample = Array.from(
      { length: 3 },
      () => programs[Math.floor(random() * programs.length)]!,
    );
    const kernel = await session.fresh();
    expect((await runSplit(kernel, ["const beforeReset = 1;"])).outcome.error).toBeUndefined();
    const after = await session.fresh();
    const forgotten = await runSplit(after, ["beforeReset"]);
    expect(forgotten.outcome.error?.evalue).toMatch(/Cannot find name 'beforeReset'/);
    for (const program of sample) {
      const cells = cellsOf(
        programUnits(ts, program.source),
        everyUnitSplit(programUnits(ts, program.source).length),
      );
      const reset = await runSplit(await session.fresh(), cells);
      const fresh = await runInNewKernel(cells);
      expect(reset.outcome, `${program.name} (seed ${seed})`).toEqual(fresh.outcome);
    }
  });

  for (const program of programs) {
    it(program.name, async () => {
      const seed = testSeed();
      const random = makeRandom(seed);
      // The script runs under Node while the kernel runs the first split.
      const scriptRun = references.outcome(program.name);
      const units = programUnits(ts, program.source);
      const splits = [
        everyUnitSplit(units.length),
        ...randomSplits(units.length, RANDOM_SPLITS, random),
      ];
      const problems: string[] = [];
      for (const split of splits) {
        const cells = cellsOf(units, split);
        const kernel = await session.fresh();
        const run = await runSplit(kernel, cells);
        const script = await scriptRun;
        stats.splits++;
        stats.cells += run.cellsRun;
        const why = difference(script, run.outcome);
        if (why)
          problems.push(mismatchReport(program, split, cells, why, script, run.outcome, seed));
        if (run.died) continue;
        const again = Math.floor(random() * run.cellsRun);
        const rerun = await rerunAndProbe(ts, kernel, cells, run, again);
        if (rerun)
          problems.push(`${program.name}, split ${describeSplit(split)} (seed ${seed}): ${rerun}`);
      }
      expect(problems, problems.join("\n\n")).toEqual([]);
    });
  }
});
