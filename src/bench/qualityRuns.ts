/**
 * The pieces of `npm run bench:quality`: corpus captures processed to ColmapReconstruction
 * (kept between runs in the bench's cache folder), training runs with given settings, and
 * evaluation of a trained model on any image set the same cameras saw, at any resolution.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../contracts/logger.js";
import { TrainingParamsSchema, type TrainSettings } from "../contracts/params.js";
import type { ColmapReconstructionResult, TrainingResult } from "../contracts/stageResults.js";
import { loadStageTable, runJob } from "../engine/index.js";
import { readPly, writePly } from "../export/index.js";
import { acquireGpu, type GpuContext } from "../gpu/device.js";
import {
  cachedCorpusCapture,
  cachedRender,
  corpusCacheRoot,
  corpusCapture,
  withoutDrift,
} from "../sample/corpus.js";
import { loadSceneModel, undistortToPinhole } from "../sfm/index.js";
import { fittedHalfPsnr } from "../train/appearance.js";
import { buildTrainingDataset } from "../train/dataset.js";
import { createGpuTrainingBackend } from "../train/gpu/index.js";
import { psnr, ssim } from "../train/imageMetrics.js";
import type { TrainingPlan } from "../train/plan.js";
import type { ImageRGB } from "../train/types.js";
import { train } from "../train/train.js";

/** A capture processed to ColmapReconstruction. */
export interface PreparedCapture {
  name: string;
  /** The job's output folder (frames/, colmap/). */
  job: string;
  /** The undistorted model training reads. */
  dataset: string;
  /** Train on these images instead of the model's own (the same names and cameras). */
  imagesDir?: string;
}

/** Where the bench keeps its jobs: `<cache>/bench-quality`. */
export function benchRoot(): string {
  return join(corpusCacheRoot(), "..", "bench-quality");
}

const quiet: Logger = {
  info: () => {},
  warn: (m) => console.warn(`  warning: ${m}`),
  debug: () => {},
};

async function processCapture(name: string, input: string): Promise<PreparedCapture> {
  const job = join(benchRoot(), name);
  const run = await runJob({
    input,
    output: job,
    stages: await loadStageTable(),
    until: "ColmapReconstruction",
    logger: quiet,
  });
  const outcome = run.outcomes.find((o) => o.stage === "ColmapReconstruction");
  const result = outcome?.result as ColmapReconstructionResult | undefined;
  if (!result) throw new Error(`${name}: ColmapReconstruction produced no model`);
  console.log(
    `  ${name}: ${result.registered_images}/${result.total_images} registered, ${result.points} points`,
  );
  return { name, job, dataset: result.undistorted_path };
}

/** A corpus capture processed to ColmapReconstruction (once; later calls reuse the job). */
export async function prepareCapture(name: string): Promise<PreparedCapture> {
  const capture = await cachedCorpusCapture(name);
  return processCapture(name, capture.dir);
}

/**
 * A capture with simulated auto-exposure, its fixed-exposure twin (same videos without the
 * drift, processed on its own), and the twin's frames undistorted with the drifted capture's
 * cameras: the images the drifted model should reproduce.
 */
export async function prepareTwin(name: string) {
  const drifted = await prepareCapture(name);
  const specs = withoutDrift(corpusCapture(name).specs());
  const twinCapture = await cachedRender(`${name}-fixed`, specs);
  const twin = await processCapture(`${name}-fixed`, twinCapture.dir);
  // Keyed by the drifted capture's cameras: a reprocessed capture gets its own undistortion.
  const sparse = join(drifted.job, "colmap", "sparse");
  const hash = createHash("sha256");
  for (const f of ["cameras.bin", "images.bin"]) hash.update(await readFile(join(sparse, f)));
  const fixedImages = join(
    drifted.job,
    "colmap",
    `undistorted-fixed-${hash.digest("hex").slice(0, 12)}`,
  );
  if (!existsSync(join(fixedImages, "images"))) {
    await rm(fixedImages, { recursive: true, force: true });
    await undistortToPinhole(join(twin.job, "frames"), sparse, fixedImages);
  }
  return { drifted, twin, fixedImages: join(fixedImages, "images") };
}

/** Settings every arm of a comparison shares unless it says otherwise. */
export type ArmSettings = Partial<TrainSettings>;

/** One step of a run's trace: seconds since the run started and splats after the step. */
export interface StepTrace {
  step: number;
  secs: number;
  splats: number;
}

/**
 * One training run of an arm; its output folder is `<job>/bench/<arm>`. The run's trace (every
 * step's wall time and splat count) is returned and kept in `<output>/steps.json`.
 */
export async function trainArm(
  capture: PreparedCapture,
  arm: string,
  settings: ArmSettings,
  plan?: TrainingPlan,
): Promise<TrainingResult & { output: string; stepsPerSec: number; trace: StepTrace[] }> {
  const output = join(capture.job, "bench", arm);
  await mkdir(output, { recursive: true });
  const t0 = performance.now();
  const trace: StepTrace[] = [];
  const result = await train({
    settings: TrainingParamsSchema.parse({
      evalEvery: 0,
      previewEvery: 0,
      snapshotEvery: 0,
      ...settings,
    }),
    dataset: capture.dataset,
    io: {
      loadScene: (p) =>
        loadSceneModel(p, capture.imagesDir ? { imagesDir: capture.imagesDir } : {}),
      writePly,
    },
    outputFolder: output,
    statusFilename: null,
    fresh: true,
    log: quiet,
    plan,
    onStep: ({ step, splats }) =>
      trace.push({ step, secs: (performance.now() - t0) / 1000, splats }),
  });
  const secs = (performance.now() - t0) / 1000;
  await writeFile(join(output, "steps.json"), JSON.stringify(trace));
  return {
    ...result,
    trace,
    output,
    stepsPerSec: result.steps / Math.max(1e-9, result.elapsed_secs || secs),
  };
}

/** Held-out figures of a model rendered on a view set. */
export interface EvalFigures {
  psnr: number;
  ssim: number;
  psnrFitted: number;
  /**
   * PSNR after one per-channel gain fitted over all the held-out views together: a capture's
   * absolute exposure is a choice (compensation keeps the views' mean), not something the images
   * can tell, so this figure leaves it out and keeps every per-view difference.
   */
  psnrOneGain: number;
  /** That gain (r, g, b): how far the model's exposure sits from the views' one. */
  oneGain: number[];
  /** Each held-out view's PSNR (neutral render), in the dataset's order. */
  perView: { name: string; psnr: number }[];
}

/** The per-channel least-squares gain mapping all `renders` onto all `targets`. */
function commonGain(renders: ImageRGB[], targets: ImageRGB[]): number[] {
  return [0, 1, 2].map((c) => {
    let [rt, rr] = [0, 0];
    renders.forEach((r, k) => {
      for (let i = c; i < r.data.length; i += 3) {
        rt += r.data[i]! * targets[k]!.data[i]!;
        rr += r.data[i]! ** 2;
      }
    });
    return rr > 0 ? rt / rr : 1;
  });
}

let sharedGpu: GpuContext | null = null;

/**
 * Renders the trained model `ply` at every held-out view of `dataset` at `resolution` (long
 * side) and compares with that view's image, from `imagesDir` when given (the same names).
 */
export async function evaluateModel(
  ply: string,
  dataset: string,
  resolution: number,
  imagesDir?: string,
): Promise<EvalFigures> {
  const model = await loadSceneModel(dataset, imagesDir ? { imagesDir } : {});
  const data = await buildTrainingDataset(model, dataset, { maxResolution: resolution });
  const params = await readPly(ply);
  sharedGpu ??= await acquireGpu();
  const backend = await createGpuTrainingBackend({ gpu: sharedGpu });
  try {
    await backend.setParams(params);
    await backend.setAntiAliasing({ filter3d: null, antialiased: Boolean(params.antialiased) });
    const sum = { psnr: 0, ssim: 0, psnrFitted: 0, psnrOneGain: 0 };
    const renders: ImageRGB[] = [];
    const perView: EvalFigures["perView"] = [];
    for (const v of data.eval) {
      const img = await backend.render(v.camera, params.shDegree);
      renders.push(img);
      perView.push({ name: v.name, psnr: psnr(img, v.image) });
      sum.psnr += psnr(img, v.image);
      sum.ssim += ssim(img, v.image);
      sum.psnrFitted += fittedHalfPsnr(img, v.image);
    }
    const gain = commonGain(
      renders,
      data.eval.map((v) => v.image),
    );
    for (const [k, img] of renders.entries()) {
      const scaled = Float32Array.from(img.data, (x, i) => x * gain[i % 3]!);
      sum.psnrOneGain += psnr({ ...img, data: scaled }, data.eval[k]!.image);
    }
    const n = data.eval.length;
    return {
      psnr: sum.psnr / n,
      ssim: sum.ssim / n,
      psnrFitted: sum.psnrFitted / n,
      psnrOneGain: sum.psnrOneGain / n,
      oneGain: gain,
      perView,
    };
  } finally {
    backend.destroy();
  }
}

/** Releases the evaluation's GPU. */
export function releaseGpu(): void {
  sharedGpu?.destroy();
  sharedGpu = null;
}
