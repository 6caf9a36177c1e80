// A job made with `splatbook process` (the real CLI, real stages, non-default settings) and then
// continued from the notebook API: a call that names only its own stage's settings keeps the
// values the checkpoint recorded for every other stage, so nothing upstream reruns and no file
// under frames/ or colmap/ changes. A misspelt key is an error naming it and the accepted keys.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CheckpointSchema, type Checkpoint } from "../../src/contracts/checkpoint.js";
import { Job, type TrainingParams } from "../../src/index.js";
import { ROOT, spawnNode, tempDir } from "../engine/helpers.js";
import { ensureKernelBuilt } from "../kernel/helpers.js";

// The built CLI (lib/): Training loads its WebGPU backend with a dynamic import, which a
// single-entry compile would leave out.
const cli = join(ROOT, "lib", "cli", "main.js");
beforeAll(() => ensureKernelBuilt(), 300_000);

async function splatbook(args: string[]) {
  const s = spawnNode(cli, args, { HEALTH_CHECK_ENABLED: "" });
  const exit = await s.exited;
  return { code: exit.code, out: s.output() };
}

/** Every file under `dir`: size, mtime and sha256, keyed by relative path. */
function fileStates(dir: string, root = dir): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) Object.assign(out, fileStates(p, root));
    else {
      const s = statSync(p);
      const hash = createHash("sha256").update(readFileSync(p)).digest("hex");
      out[relative(root, p)] = `${s.size} ${s.mtimeMs} ${hash}`;
    }
  }
  return out;
}

const readCp = (output: string) =>
  CheckpointSchema.parse(
    JSON.parse(readFileSync(join(output, ".checkpoint.json"), "utf8")),
  ) as Checkpoint;

const UPSTREAM = [
  "Validation",
  "FrameExtraction",
  "MetadataExtraction",
  "ManifestGeneration",
  "ColmapReconstruction",
] as const;

// The training settings the CLI run uses, again as the notebook call names them.
const TRAINING: TrainingParams = {
  steps: 40,
  maxResolution: 64,
  maxSplats: 3000,
  seed: 3,
  evalEvery: 20,
  previewEvery: 20,
  snapshotEvery: 20,
};

describe("recorded parameters are the defaults", () => {
  it("process on the CLI, then job.train(<same training settings>) in the notebook API reruns nothing upstream", async () => {
    const root = tempDir("recorded");
    const sample = join(root, "capture");
    const output = join(root, "out");
    const r = await splatbook(["sample", sample, "--frames-per-orbit", "12"]);
    expect(r.code, r.out).toBe(0);
    const processed = await splatbook([
      ...["process", sample, output],
      ...["--frames-per-video", "40", "--max-long-side", "1000"],
      ...["--matcher", "exhaustive", "--min-registered-fraction", "0.4"],
      ...["--steps", "40", "--max-resolution", "64", "--max-splats", "3000", "--seed", "3"],
      ...["--eval-every", "20", "--preview-every", "20", "--snapshot-every", "20"],
    ]);
    expect(processed.code, processed.out).toBe(0);
    const before = readCp(output);
    expect(before.stage).toBe("Completed");
    expect(before.stages.FrameExtraction?.params).toEqual({
      framesPerVideo: 40,
      maxLongSide: 1000,
      sharpest: false,
      photoFilter: false,
    });
    expect(before.stages.ColmapReconstruction?.params).toEqual({
      matcher: "exhaustive",
      minRegisteredFraction: 0.4,
      sfmAttempts: 6,
    });
    const frames = fileStates(join(output, "frames"));
    const colmap = fileStates(join(output, "colmap"));
    expect(Object.keys(frames).length).toBeGreaterThan(10);
    expect(Object.keys(colmap).length).toBeGreaterThan(3);

    const job = await Job.open({ input: sample, output, display: false });
    const trained = await job.train(TRAINING);
    expect(trained).toMatchObject({ stage: "Training", status: "cached", cached: true });
    const after = readCp(output);
    for (const stage of UPSTREAM) {
      // Same record (fingerprint, start time): not run again.
      expect(after.stages[stage], stage).toEqual(before.stages[stage]);
      expect((await job[methodOf(stage)]()).status, stage).toBe("cached");
    }
    expect(fileStates(join(output, "frames"))).toEqual(frames);
    expect(fileStates(join(output, "colmap"))).toEqual(colmap);

    // The status card shows the parameters in effect, the recorded ones marked.
    const card = String(job);
    expect(card).toContain("framesPerVideo=40*");
    expect(card).toContain("matcher=exhaustive*");
    expect(card).toContain("steps=40*");
    expect(card).toContain("shDegree=3,");

    // A misspelt key: an error naming it and Training's keys, before anything runs.
    await expect(job.train({ step: 100 } as TrainingParams)).rejects.toThrow(
      'unknown parameter "step" for Training (did you mean "steps"?); accepted: steps, ' +
        "maxResolution, timeBudget, shDegree, maxSplats, seed, evalEvery, previewEvery, snapshotEvery",
    );
    // @ts-expect-error: excess property check on a stage's parameters
    await expect(job.train({ step: 100 })).rejects.toThrow(/unknown parameter "step"/);
    expect(readCp(output).stages).toEqual(after.stages);
  }, 480_000); // the real CLI through COLMAP and training, twice
});

function methodOf(stage: (typeof UPSTREAM)[number]) {
  return (
    {
      Validation: "validate",
      FrameExtraction: "extractFrames",
      MetadataExtraction: "extractMetadata",
      ManifestGeneration: "writeManifest",
      ColmapReconstruction: "reconstruct",
    } as const
  )[stage];
}
