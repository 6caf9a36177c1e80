// Stand-in stages for engine behaviour tests ("fake stages"): each appends its name to
// <output>/runs.log when it runs, so tests can see exactly which stages ran. Each stage declares
// one parameter, knob_<Stage> (a string or number in its fingerprint, recorded like any
// parameter). Behaviour is driven by FakeControls, which the stages read live (a test may change
// them between calls; a child process gets them as JSON), and by the input: a file named FAIL in
// the input folder makes Validation fail (watch tests).
import { existsSync } from "node:fs";
import { appendFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { STAGES, type StageName } from "../../src/contracts/stages.js";
import type { StageContext, StageDefinition } from "../../src/contracts/stage.js";
import { InterruptedError, SplatbookError } from "../../src/util/errors.js";

/** How the fake stages behave (not parameters: never recorded, never fingerprinted). */
export interface FakeControls {
  /** Stage that throws a SplatbookError. */
  failAt?: string;
  /** Stage that writes <output>/hanging-<Stage> and waits for the abort signal. */
  hangAt?: string;
  /** Like hangAt, but only stops after `hangMs` (a stage that has no safe point). */
  ignoreAbortAt?: string;
  hangMs?: number;
  /** How long each stage works (in 10 ms slices that check the signal). */
  sleepMs?: number;
  /** Stage whose skipReason asks to skip it. */
  skip?: string;
}

/** What each fake stage returns (its result schema replaces the contract's). */
const FakeResultSchema = z.object({ stage: z.enum(STAGES), depth: z.number() });
export type FakeResult = z.infer<typeof FakeResultSchema>;

const SUMMARIES: Partial<Record<StageName, Record<string, unknown>>> = {
  Validation: { video_count: 2 },
  FrameExtraction: { total_frames: 24 },
  ManifestGeneration: { manifest_path: "/nowhere/manifest.json" },
  ColmapReconstruction: { colmap_points: 600, colmap_sparse_path: "/nowhere/sparse" },
  Training: { gaussian_count: 1000 },
  PlyExport: { ply_path: "/nowhere/model.ply" },
  SplatExport: { splat_path: "/nowhere/model.splat" },
};

async function work(ctx: StageContext, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 10) {
    if (ctx.signal.aborted) throw new InterruptedError();
    ctx.progress(t / ms, `t=${t}`);
    await sleep(10);
  }
}

/** One fake stage. */
export function fakeStage(name: StageName, p: FakeControls = {}): StageDefinition<FakeResult> {
  return {
    name,
    params: z.strictObject({ [`knob_${name}`]: z.union([z.string(), z.number()]).optional() }),
    result: FakeResultSchema,
    fingerprintInputs: (ctx) => ({ knob: ctx.params[`knob_${name}`] ?? null }),
    skipReason: () => (p.skip === name ? `skip requested for ${name}` : null),
    async run(ctx) {
      await appendFile(join(ctx.outputFolder, "runs.log"), name + "\n");
      if (p.hangAt === name || p.ignoreAbortAt === name) {
        await writeFile(join(ctx.outputFolder, `hanging-${name}`), String(process.pid));
        const until = Date.now() + Number(p.hangMs ?? 60_000);
        while (Date.now() < until) {
          if (p.hangAt === name && ctx.signal.aborted) throw new InterruptedError();
          await sleep(10);
        }
      }
      await work(ctx, Number(p.sleepMs ?? 0));
      if (name === "Validation" && existsSync(join(ctx.inputFolder, "FAIL"))) {
        throw new SplatbookError(`${join(ctx.inputFolder, "FAIL")}: this scene is marked to fail`);
      }
      if (p.failAt === name) throw new SplatbookError(`${name} failed: boom\nsecond line`);
      if (name === "FrameExtraction") {
        await ctx.saveStageProgress({ videos: { "a.mp4": { frames_extracted: 12, done: true } } });
      }
      const upstream =
        STAGES.indexOf(name) > 0
          ? (ctx.resultOf(STAGES[STAGES.indexOf(name) - 1]!) as FakeResult | undefined)
          : undefined;
      ctx.progress(1, "done");
      return { stage: name, depth: (upstream?.depth ?? 0) + 1 };
    },
    summarize: () => SUMMARIES[name] ?? {},
  };
}

/** All eight fake stages in order, sharing one `controls` object. */
export function fakeStages(controls: FakeControls = {}): StageDefinition<FakeResult>[] {
  return STAGES.map((name) => fakeStage(name, controls));
}
