/**
 * `npm run bench:quality -- resolution [--budget S] [--max-splats N] [--captures a,b]`: the plan a
 * time budget bought before the planner chose the coarse share and priced growth by phase (40 %
 * of the steps at the coarse levels, sizes from a fixed list, every step at the run's mean growth)
 * against today's plan, both made from one step-time
 * measurement (so the machine's load at planning time cannot favour either), trained back to
 * back and evaluated on the held-out views at both final resolutions.
 */
import { loadavg } from "node:os";
import { loadSceneModel } from "../sfm/index.js";
import { acquireGpu } from "../gpu/device.js";
import { createGpuTrainingBackend } from "../train/gpu/index.js";
import { planTraining, type PlanRequest, type TrainingPlan } from "../train/plan.js";
import { planContext } from "../train/planning.js";
import { COARSE_SHARE } from "../train/pyramid.js";
import { evaluateModel, prepareCapture, trainArm, type PreparedCapture } from "./qualityRuns.js";

/** The sizes the planner chose from before it took every multiple of 8 px. */
const LIST_BEFORE = [640, 480, 360, 320, 240, 160, 120, 96];
/**
 * The growth factor the planner applied to every step before it priced growth by phase (and it
 * kept 10 % of the budget for the rest).
 */
const FLAT_GROWTH = 2.5;

const load = () => loadavg()[0]!.toFixed(2);
const db = (v: number | null | undefined) => (v === null || v === undefined ? "–" : v.toFixed(2));

/** Both plans for `req` on `capture`, from one measurement of the step time. */
export async function plansFor(capture: PreparedCapture, req: PlanRequest, maxSplats: number) {
  const model = await loadSceneModel(capture.dataset);
  const gpu = await acquireGpu();
  const backend = await createGpuTrainingBackend({ gpu });
  try {
    const ctx = planContext({
      ...{ model, source: capture.dataset, backend, trainingDir: capture.job },
      ...{ shDegree: 3, maxSplats },
    });
    const before = await planTraining(req, {
      ...ctx,
      coarseShares: [COARSE_SHARE],
      growth: { splatStart: FLAT_GROWTH, splatEnd: FLAT_GROWTH, pixel: FLAT_GROWTH },
      overheadShare: 0.1,
      resolutions: (cap) => [cap, ...LIST_BEFORE.filter((r) => r < cap)],
    });
    const after = await planTraining(req, ctx);
    return { before, after };
  } finally {
    backend.destroy();
    gpu.destroy();
  }
}

/** Trains each plan of each capture and prints the table. */
export async function resolutionPlans(o: {
  budget: number;
  maxSplats: number;
  captures: string[] | null;
}): Promise<void> {
  const names = o.captures ?? ["sample", "garden-walk"];
  const rows: string[] = [];
  for (const name of names) {
    const capture = await prepareCapture(name);
    const req: PlanRequest = { timeBudget: o.budget, resolutionSchedule: "coarse-to-fine" };
    const l0 = load();
    const plans = await plansFor(capture, req, o.maxSplats);
    console.log(`  ${name} (load ${l0} → ${load()}):`);
    for (const [arm, p] of Object.entries(plans)) console.log(`    ${arm}: ${describe(p)}`);
    const sizes = [plans.before.maxResolution, plans.after.maxResolution];
    for (const [arm, plan] of Object.entries(plans) as [string, TrainingPlan][]) {
      const l1 = load();
      const r = await trainArm(
        capture,
        `resolution-${arm}-${o.budget}`,
        { timeBudget: o.budget, maxSplats: o.maxSplats, seed: 42 },
        plan,
      );
      const psnrs: string[] = [];
      for (const px of sizes) {
        psnrs.push(db((await evaluateModel(r.params_path, capture.dataset, px)).psnr));
      }
      rows.push(
        `| ${name} | ${arm} | ${plan.maxResolution} px | ${plan.steps} | ${plan.coarseShare} | ` +
          `${psnrs.join(" | ")} | ${r.gaussian_count} | ${plan.pricedSecs ?? "–"} s | ${r.elapsed_secs.toFixed(0)} s | ${l1} → ${load()} |`,
      );
      console.log(rows.at(-1));
    }
  }
  console.log(
    `\n${o.budget} s budget, ≤ ${o.maxSplats} splats, seed 42; held-out PSNR (dB) at the before and after plans' final resolutions\n` +
      "| capture | plan | final resolution | steps | coarse share | PSNR at before's px | PSNR at after's px | splats | priced | training time | load |\n" +
      "|---|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const r of rows) console.log(r);
}

function describe(p: TrainingPlan): string {
  return `${p.steps} steps at ${p.maxResolution} px — ${p.reason}`;
}
