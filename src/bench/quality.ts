/**
 * `npm run bench:quality -- <experiment> [--steps N] [--resolution PX] [--budget S] [--captures a,b]`: the
 * training-quality comparisons behind the README's Training section, each arm a real training
 * run on corpus captures processed to ColmapReconstruction (cached under the corpus cache), all
 * arms of a comparison run back to back so they share the machine's load. Prints a table.
 *
 * Experiments:
 * - `appearance`: the auto-exposure capture with and without per-image appearance compensation,
 *   and its fixed-exposure twin; held-out PSNR against the drifted views (neutral render, and
 *   the fitted-half protocol) and against the fixed-exposure views.
 * - `fixed`: fixed-exposure captures with and without compensation (it must cost ≤ 0.2 dB).
 * `--modes a,b` picks the appearance modes both train (default auto,off).
 * - `aliasing`: trained at one resolution with and without anti-aliasing, rendered at half and
 *   twice that resolution against the views decoded at those sizes.
 * - `densify`: the densification strategies on the real-like captures at equal steps and cap.
 * - `rates`: the learning rates scaled to the run's length against the published 3DGS ones, on the
 *   real-like captures and the sample at equal steps, resolution and cap (steps/s over the whole
 *   run and over its last 60 %, where a coarse-to-fine run is at the final resolution).
 * - `truth`: the pipeline's own model against one built on the renderer's true cameras (same
 *   features and matches, points triangulated with the true poses and intrinsics held), both
 *   trained with the same settings on the same held-out views (default capture: the sample).
 * - `resolution`: the plans a time budget (`--budget`, default 600 s) buys with and without the
 *   choice of coarse share, trained back to back (qualityResolution.ts).
 */
import { loadavg } from "node:os";
import { join } from "node:path";
import { cachedCorpusCapture } from "../sample/corpus.js";
import { truthCameraDataset } from "./truthModel.js";
import { describeAccuracy, jobPoseAccuracy } from "./poseAccuracy.js";
import {
  evaluateModel,
  prepareCapture,
  prepareTwin,
  releaseGpu,
  trainArm,
  type ArmSettings,
  type PreparedCapture,
  type StepTrace,
} from "./qualityRuns.js";
import { resolutionPlans } from "./qualityResolution.js";

interface Options {
  budget: number;
  steps: number;
  resolution: number;
  maxSplats: number;
  captures: string[] | null;
  /** Appearance modes the `appearance` experiment trains on both captures. */
  modes: string[];
  /** Suffix of the arms' folder names (a variant's runs keep their own folders). */
  tag: string;
  /**
   * What the `appearance` experiment trains on: `drifted` (the auto-exposure capture), `twin`
   * (its fixed-exposure twin, processed on its own), `fixed-images` (the twin's frames with the
   * drifted capture's cameras and points: appearance alone differs). `--drifted-only` = drifted.
   */
  arms: string[];
}

const load = () => loadavg()[0]!.toFixed(2);
const db = (v: number | null | undefined) => (v === null || v === undefined ? "–" : v.toFixed(2));

function parseArgs(argv: string[]): { experiment: string; opts: Options } {
  const [experiment = "", ...rest] = argv;
  const opts: Options = {
    budget: 600,
    steps: 1000,
    resolution: 160,
    maxSplats: 20000,
    captures: null,
    modes: ["auto", "off"],
    tag: "",
    arms: ["drifted", "twin", "fixed-images"],
  };
  for (let i = 0; i < rest.length; i += 2) {
    const [flag, value] = [rest[i], rest[i + 1] ?? ""];
    if (flag === "--steps") opts.steps = Number(value);
    else if (flag === "--budget") opts.budget = Number(value);
    else if (flag === "--resolution") opts.resolution = Number(value);
    else if (flag === "--max-splats") opts.maxSplats = Number(value);
    else if (flag === "--captures") opts.captures = value.split(",");
    else if (flag === "--modes") opts.modes = value.split(",");
    else if (flag === "--tag") opts.tag = `-${value}`;
    else if (flag === "--arms") opts.arms = value.split(",");
    else if (flag === "--drifted-only") [opts.arms, i] = [["drifted"], i - 1];
    else throw new Error(`unknown option ${flag}`);
  }
  return { experiment, opts };
}

function base(o: Options): ArmSettings {
  return { steps: o.steps, maxResolution: o.resolution, maxSplats: o.maxSplats, seed: 42 };
}

async function appearance(o: Options): Promise<void> {
  const name = o.captures?.[0] ?? "courtyard-autoexposure";
  const { drifted, twin, fixedImages } = await prepareTwin(name);
  const arms: Record<string, { capture: PreparedCapture; suffix: string; fixed?: string }> = {
    drifted: { capture: drifted, suffix: "", fixed: fixedImages },
    twin: { capture: twin, suffix: "" },
    "fixed-images": {
      capture: { ...drifted, name: `${name} fixed images`, imagesDir: fixedImages },
      suffix: "-fixed-images",
      fixed: fixedImages,
    },
  };
  const rows: string[] = [];
  for (const [arm, mode] of o.modes.flatMap((m) => o.arms.map((a) => [arms[a]!, m] as const))) {
    const { capture, suffix, fixed: images } = arm;
    const l0 = load();
    const r = await trainArm(capture, `appearance-${mode}-${o.steps}${suffix}${o.tag}`, {
      ...base(o),
      appearance: mode as ArmSettings["appearance"],
    });
    const own = await evaluateModel(
      r.params_path,
      capture.dataset,
      o.resolution,
      capture.imagesDir,
    );
    const fixed = images
      ? await evaluateModel(r.params_path, capture.dataset, o.resolution, images)
      : own;
    rows.push(
      `| ${capture.name} | ${mode} | ${db(own.psnr)} | ${db(own.psnrFitted)} | ${db(fixed.psnr)} | ` +
        `${db(fixed.psnrOneGain)} | ${r.gaussian_count} | ${r.stepsPerSec.toFixed(2)} | ${l0} → ${load()} |`,
    );
    console.log(rows.at(-1));
  }
  console.log(
    `\n${o.steps} steps, ${o.resolution} px, ≤ ${o.maxSplats} splats; held-out views, PSNR in dB\n` +
      "| capture | appearance | PSNR vs its views (neutral) | fitted-half PSNR | PSNR vs fixed-exposure views | same, one gain over all views | splats | steps/s | load |\n" +
      "|---|---|---|---|---|---|---|---|---|",
  );
  for (const r of rows) console.log(r);
}

async function fixedExposure(o: Options): Promise<void> {
  const names = o.captures ?? ["sample", "courtyard-duo", "courtyard-phone"];
  const rows: string[] = [];
  for (const name of names) {
    const capture = await prepareCapture(name);
    const figures: string[] = [];
    for (const mode of o.modes) {
      const r = await trainArm(capture, `appearance-${mode}-${o.steps}`, {
        ...base(o),
        appearance: mode as ArmSettings["appearance"],
      });
      figures.push(
        `${db(r.psnr)} (fitted ${db(r.psnr_fitted)}, ${r.stepsPerSec.toFixed(2)} steps/s)`,
      );
    }
    rows.push(`| ${name} | ${figures.join(" | ")} | load ${load()} |`);
    console.log(rows.at(-1));
  }
  const heads = o.modes.map((m) => ` appearance ${m} |`).join("");
  console.log(`\n| capture |${heads} |\n|---|${o.modes.map(() => "---|").join("")}---|`);
  for (const r of rows) console.log(r);
}

async function aliasing(o: Options): Promise<void> {
  const names = o.captures ?? ["sample", "courtyard-duo"];
  const rows: string[] = [];
  for (const name of names) {
    const capture = await prepareCapture(name);
    for (const mode of ["off", "mip"] as const) {
      const l0 = load();
      const r = await trainArm(capture, `aliasing-${mode}-${o.resolution}-${o.steps}`, {
        ...base(o),
        antiAliasing: mode,
      });
      const at = async (px: number) =>
        (await evaluateModel(r.params_path, capture.dataset, px)).psnr;
      const [half, same, twice] = [
        await at(o.resolution / 2),
        await at(o.resolution),
        await at(o.resolution * 2),
      ];
      rows.push(
        `| ${name} | ${mode} | ${db(half)} | ${db(same)} | ${db(twice)} | ${l0} → ${load()} |`,
      );
      console.log(rows.at(-1));
    }
  }
  const [h, t] = [o.resolution / 2, o.resolution * 2];
  console.log(
    `\ntrained at ${o.resolution} px, ${o.steps} steps; held-out PSNR (dB) rendered at each size\n` +
      `| capture | anti-aliasing | ${h} px | ${o.resolution} px | ${t} px | load |\n|---|---|---|---|---|---|`,
  );
  for (const r of rows) console.log(r);
}

/** Steps per second over the last 60 % of a run (the final resolution of a coarse-to-fine run). */
function lateStepsPerSec(trace: StepTrace[]): number {
  const [a, b] = [trace[Math.floor(trace.length * 0.4)]!, trace.at(-1)!];
  return (b.step - a.step) / Math.max(1e-9, b.secs - a.secs);
}

/** Arms trained back to back on each capture at equal steps, resolution and cap (`prefix-arm-steps`). */
async function compareArms(
  o: Options,
  prefix: string,
  defaultCaptures: string[],
  arms: Record<string, ArmSettings>,
): Promise<void> {
  const rows: string[] = [];
  for (const name of o.captures ?? defaultCaptures) {
    const capture = await prepareCapture(name);
    for (const [arm, settings] of Object.entries(arms)) {
      const l0 = load();
      const r = await trainArm(capture, `${prefix}-${arm}-${o.steps}${o.tag}`, {
        ...base(o),
        ...settings,
      });
      rows.push(
        `| ${name} | ${arm} | ${db(r.psnr)} | ${db(r.psnr_fitted)} | ${r.gaussian_count} | ` +
          `${r.stepsPerSec.toFixed(2)} | ${lateStepsPerSec(r.trace).toFixed(2)} | ${l0} → ${load()} |`,
      );
      console.log(rows.at(-1));
    }
  }
  console.log(
    `\n${o.steps} steps, ${o.resolution} px, ≤ ${o.maxSplats} splats, seed 42\n` +
      "| capture | arm | held-out PSNR | fitted-half PSNR | splats | steps/s | steps/s, last 60 % | load |\n" +
      "|---|---|---|---|---|---|---|---|",
  );
  for (const r of rows) console.log(r);
}

async function truthCameras(o: Options): Promise<void> {
  const rows: string[] = [];
  for (const name of o.captures ?? ["sample"]) {
    const capture = await prepareCapture(name);
    const truthFile = (await cachedCorpusCapture(name)).truth;
    if (!truthFile) throw new Error(`${name}: the corpus capture has no truth file`);
    const truth = await truthCameraDataset(capture.job, truthFile);
    const own = await jobPoseAccuracy(capture.job, truthFile);
    console.log(`  ${name} own model against the true cameras: ${describeAccuracy(own)}`);
    const figures: number[] = [];
    const l0 = load();
    for (const [arm, dataset] of [
      ["own", capture.dataset],
      ["true", truth.dataset],
    ] as const) {
      const r = await trainArm({ ...capture, dataset }, `truth-${arm}-${o.steps}`, base(o));
      console.log(
        `  ${name} ${arm} cameras: ${db(r.psnr)} dB held-out (fitted ${db(r.psnr_fitted)}), ` +
          `${r.gaussian_count} splats, ${r.stepsPerSec.toFixed(2)} steps/s`,
      );
      figures.push(r.psnr ?? NaN);
    }
    const [mine, tru] = figures as [number, number];
    rows.push(
      `| ${name} | ${truth.images} | ${own.rotationDeg.median.toFixed(3)} | ${db(mine)} | ${db(tru)} | ` +
        `${db(mine - tru)} | ${l0} → ${load()} |`,
    );
  }
  console.log(
    `\n${o.steps} steps, ${o.resolution} px, ≤ ${o.maxSplats} splats, seed 42; held-out PSNR (dB)\n` +
      "| capture | images | own model's rotation error (° median) | own model | true-camera model | own − true | load |\n" +
      "|---|---|---|---|---|---|---|",
  );
  for (const r of rows) console.log(r);
}

const { experiment, opts } = parseArgs(process.argv.slice(2));
const experiments: Record<string, () => Promise<void>> = {
  appearance: () => appearance(opts),
  fixed: () => fixedExposure(opts),
  aliasing: () => aliasing(opts),
  densify: () =>
    compareArms(opts, "densify", ["courtyard-autoexposure", "courtyard-phone", "garden-walk"], {
      // As in the README's table: appearance off, so the arms differ in densification alone.
      classic: { densification: "classic", appearance: "off" },
      relocate: { densification: "relocate", appearance: "off" },
    }),
  rates: () =>
    compareArms(
      opts,
      "rates",
      ["courtyard-autoexposure", "sample", "courtyard-phone", "garden-walk"],
      {
        "3dgs": { learningRates: "3dgs" },
        "run-length": { learningRates: "run-length" },
      },
    ),
  resolution: () => resolutionPlans(opts),
  truth: () => truthCameras(opts),
};
const run = experiments[experiment];
if (!run) {
  console.error(
    `usage: npm run bench:quality -- <${Object.keys(experiments).join("|")}> [--steps N] [--resolution PX] [--budget S] [--max-splats N] [--captures a,b] [--modes m,n] [--tag T] [--drifted-only]`,
  );
  process.exitCode = 1;
} else {
  console.log(
    `bench:quality ${experiment} (load ${load()}; jobs under ${join("<cache>", "bench-quality")})`,
  );
  try {
    await run();
  } finally {
    releaseGpu();
  }
}
