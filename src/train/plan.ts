/**
 * How long and at what resolution to train when the user does not say: from the adapter and a
 * time budget. A hardware GPU trains at the frames' resolution (long side up to 1600 px) with the
 * standard 30 000-step schedule. A CPU adapter (lavapipe, SwiftShader) gets the largest
 * resolution at which the budget still buys enough steps, and as many steps as the budget buys
 * there, from a short measurement of the step time. A given budget caps a hardware run too. The
 * choice and its reason are logged and recorded in the run's result.
 *
 * The step time is measured at two resolutions and modelled as a + b·pixels (a: the per-splat
 * work — projection, sorting, Adam — that does not grow with the image; b: the rasterizer's and
 * the loss's per-pixel work), and a run is priced phase by phase (planCost.ts): each level of the
 * coarse-to-fine schedule (pyramid.ts) at its own size, times the model's growth at that point of
 * the run (small while the coarse steps run, full size for the final-resolution ones). Where the
 * default coarse share (40 % of the steps) does not buy the minimum steps at a resolution, the
 * plan may spend more of the run at the coarse levels ({@link COARSE_SHARES}, smallest first), as
 * long as the final resolution keeps {@link MIN_FINAL_SHARE} of the steps and every training view
 * is still seen {@link MIN_FINAL_EPOCHS} times there. Why: with two coarse levels a coarse step
 * costs a + 0.16·b·pixels of the final level's (one level: a + 0.25·b·pixels), so at 40 % the
 * average step is a + 0.66·b·pixels, and a final side 1.5 × larger (2.25 × the pixels) for the
 * same time needs a + 0.29·b·pixels: 84 % of the steps at two coarse levels, 92 % at one, where
 * the per-pixel work b dominates — less where the coarse steps are also the cheap, early ones.
 */
import type { TrainSettings } from "../contracts/params.js";
import { DEFAULT_GROWTH, runSeconds, type StepTimeGrowth, type StepTime } from "./planCost.js";
import { COARSE_SHARE, coarseLevels, describeSchedule } from "./pyramid.js";

/** The standard (3DGS) run length, and the most any plan chooses. */
export const STANDARD_STEPS = 30_000;
/** Largest training resolution chosen automatically (long side, px). */
export const MAX_AUTO_RESOLUTION = 1600;
/** Training time a CPU adapter gets when no budget is given (seconds). */
export const DEFAULT_CPU_BUDGET_SECS = 600;
/** Fewest steps worth training at a resolution: below it a smaller resolution is chosen. */
export const MIN_PLANNED_STEPS = 1000;
/** Smallest resolution a CPU plan considers (long side, px). */
export const MIN_CPU_RESOLUTION = 96;
/** A CPU plan considers the frames' size and every multiple of this below it (px). */
export const CPU_RESOLUTION_STEP = 8;
/**
 * Share of the budget left for what is not stepping: loading, the first step at each image size
 * (pipelines, buffers: 14 s each on lavapipe), evaluations, previews, snapshots and the export
 * (57 s and 80 s of two 600 s runs that the per-step pricing leaves out, planCost.ts).
 */
export const OVERHEAD_SHARE = 0.15;
/**
 * Coarse shares a CPU plan may choose at a resolution, smallest first: a larger one only where
 * the smaller ones do not buy {@link MIN_PLANNED_STEPS} there. The last keeps a quarter of the
 * steps at the final resolution ({@link MIN_FINAL_SHARE}).
 */
export const COARSE_SHARES = [COARSE_SHARE, 0.5, 0.6, 0.7, 0.75] as const;
/**
 * Least share of the steps a plan leaves at the final resolution: with 15 % (150 of 1000 steps)
 * a courtyard capture's model was 1.02 dB below a smaller fixed-size one at that size, with 25 %
 * the sample's was 0.28 dB above (README's resolution table).
 */
export const MIN_FINAL_SHARE = 0.25;
/** Passes over the training views a larger coarse share leaves at the final resolution. */
export const MIN_FINAL_EPOCHS = 2;

/**
 * What the user asked for (undefined: choose; `timeBudget` undefined: the adapter's default), and
 * the run's resolution schedule (default coarse-to-fine).
 */
export type PlanRequest = Pick<TrainSettings, "steps" | "maxResolution" | "timeBudget"> &
  Partial<Pick<TrainSettings, "resolutionSchedule">>;

/** The chosen run length and resolution, and why. */
export interface TrainingPlan {
  steps: number;
  maxResolution: number;
  /** Share of the steps at the coarse levels of a coarse-to-fine run (pyramid.ts). */
  coarseShare: number;
  reason: string;
  /** What the plan priced the stepping at (s), where it turned a budget into steps. */
  pricedSecs?: number;
}

/** What the planner knows about the machine and the data. */
export interface PlanContext {
  /** A hardware GPU (else a CPU adapter or the CPU reference). */
  hardware: boolean;
  adapter: string;
  /** Long side of the dataset's frames (px). */
  frameLongSide: number;
  /**
   * Seconds per step at `resolution` with the initial splats (a short measured run); called only
   * when a budget has to be turned into steps.
   */
  measureSecsPerStep(resolution: number): Promise<number>;
  /** Coarse shares the plan may choose from (default {@link COARSE_SHARES}). */
  coarseShares?: readonly number[];
  /** Resolutions a CPU plan may choose from (default {@link cpuResolutions}). */
  resolutions?(cap: number): number[];
  /** Training views of the run (for {@link MIN_FINAL_EPOCHS}; unknown: no such bound). */
  trainingViews?: number;
  /**
   * Step-time growth over a run relative to the probe (default planCost.ts's; all three equal
   * price every step alike, as plans did before pricing by phase).
   */
  growth?: StepTimeGrowth;
  /** Share of the budget kept for what is not stepping (default {@link OVERHEAD_SHARE}). */
  overheadShare?: number;
}

/** The frames' long side `cap` and every multiple of {@link CPU_RESOLUTION_STEP} below it, ≥ 96 px. */
export function cpuResolutions(cap: number): number[] {
  const out = [cap];
  let r = Math.ceil(cap / CPU_RESOLUTION_STEP) * CPU_RESOLUTION_STEP - CPU_RESOLUTION_STEP;
  for (; r >= MIN_CPU_RESOLUTION; r -= CPU_RESOLUTION_STEP) out.push(r);
  return out;
}

/** Turns a request into a plan (see the module comment). */
export async function planTraining(req: PlanRequest, ctx: PlanContext): Promise<TrainingPlan> {
  const cap = Math.min(ctx.frameLongSide, MAX_AUTO_RESOLUTION);
  const hardware = ctx.hardware;
  if (req.steps !== undefined && req.maxResolution !== undefined) {
    return withSchedule(req, { ...pick(req), coarseShare: COARSE_SHARE, reason: "as requested" });
  }
  const budget = req.timeBudget ?? (hardware ? undefined : DEFAULT_CPU_BUDGET_SECS);
  const budgetText =
    req.timeBudget !== undefined
      ? `the ${budget} s time budget`
      : `the default ${budget} s budget of a CPU adapter`;
  if (budget === undefined) {
    return withSchedule(req, {
      steps: req.steps ?? STANDARD_STEPS,
      maxResolution: req.maxResolution ?? cap,
      coarseShare: COARSE_SHARE,
      reason: `${ctx.adapter} is a hardware GPU: the frames' resolution (≤ ${MAX_AUTO_RESOLUTION} px) and the standard ${STANDARD_STEPS}-step schedule`,
    });
  }
  return withSchedule(req, await budgetPlan(req, ctx, budget, budgetText));
}

/**
 * The largest candidate resolution (and the smallest coarse share there) at which `budget`
 * seconds buy at least {@link MIN_PLANNED_STEPS} steps, from the measured step times.
 */
async function budgetPlan(
  req: PlanRequest,
  ctx: PlanContext,
  budget: number,
  budgetText: string,
): Promise<TrainingPlan> {
  const cap = Math.min(ctx.frameLongSide, MAX_AUTO_RESOLUTION);
  const hardware = ctx.hardware;
  const usable = budget * (1 - (ctx.overheadShare ?? OVERHEAD_SHARE));
  const candidates =
    req.maxResolution !== undefined
      ? [req.maxResolution]
      : hardware
        ? [cap]
        : (ctx.resolutions ?? cpuResolutions)(cap);
  const model = await measureStepTime(ctx, Math.min(cap, req.maxResolution ?? 160), cap);
  const c2f = req.resolutionSchedule !== "fixed";
  // A requested run length or resolution keeps the default share: only the plan's own choice of
  // resolution is worth a larger one.
  const chosen = req.steps === undefined && req.maxResolution === undefined;
  const shares = chosen ? (ctx.coarseShares ?? COARSE_SHARES) : [COARSE_SHARE];
  const levelsAt = (r: number) => (c2f ? coarseLevels(r) : 0);
  const growth = ctx.growth ?? DEFAULT_GROWTH;
  const secsFor = (steps: number, r: number, share: number) =>
    runSeconds({ steps, resolution: r, levels: levelsAt(r), share, time: model, growth });
  // The most steps (a multiple of 100) whose phases, each priced at its level's step time and
  // the model's growth at that point of the run, fit the budget.
  const stepsAt = (r: number, share: number) => {
    if (req.steps !== undefined) return req.steps;
    let n = 0;
    while (n < STANDARD_STEPS && secsFor(n + 100, r, share) <= usable) n += 100;
    return n;
  };
  // A larger share only while the final size keeps MIN_FINAL_SHARE of the steps and every view
  // is seen MIN_FINAL_EPOCHS times there.
  const finalStepsOk = (n: number, share: number) =>
    share <= COARSE_SHARE ||
    (1 - share >= MIN_FINAL_SHARE - 1e-9 &&
      (1 - share) * n >= MIN_FINAL_EPOCHS * (ctx.trainingViews ?? 0));
  const options = candidates.flatMap((r) => shares.map((share) => ({ r, share })));
  const { r: resolution, share } = options.find((o) => {
    const n = stepsAt(o.r, o.share);
    return n >= MIN_PLANNED_STEPS && finalStepsOk(n, o.share);
  }) ?? {
    r: candidates[candidates.length - 1]!,
    share: shares[0]!,
  };
  const steps = Math.max(100, stepsAt(resolution, share));
  const secs = secsFor(steps, resolution, share);
  const measured =
    `${model.text} with the initial splats; ${steps} steps ` +
    `${c2f ? "over the coarse-to-fine schedule " : ""}at ${resolution} px priced at ${secs.toFixed(0)} s ` +
    `(growth by phase: per-splat work ×${growth.splatStart}–${growth.splatEnd}, per-pixel ×${growth.pixel})`;
  const why =
    req.maxResolution !== undefined
      ? `the steps ${budgetText} buys at the requested ${resolution} px`
      : `the largest resolution at which ${budgetText} buys ≥ ${MIN_PLANNED_STEPS} steps` +
        (c2f && coarseLevels(resolution) > 0 && share > shares[0]!
          ? ` (with ${Math.round(share * 100)} % of them at the coarse levels)`
          : "");
  return {
    steps,
    maxResolution: resolution,
    coarseShare: c2f && coarseLevels(resolution) > 0 ? share : COARSE_SHARE,
    reason: `${ctx.adapter}: ${why} (${measured})`,
    pricedSecs: Math.round(secs),
  };
}

/** Adds the coarse-to-fine schedule to a plan's reason. */
function withSchedule(req: PlanRequest, plan: TrainingPlan): TrainingPlan {
  const levels = req.resolutionSchedule === "fixed" ? 0 : coarseLevels(plan.maxResolution);
  if (levels === 0) return plan;
  const schedule = describeSchedule(plan.steps, plan.maxResolution, levels, plan.coarseShare);
  return { ...plan, reason: `${plan.reason}; coarse-to-fine: ${schedule}` };
}

/** Seconds per step as a + b·r², from the measurements, and how they were made. */
interface StepTimeModel extends StepTime {
  text: string;
}

/**
 * Measures the step time at `probe` and, where the frames allow, at twice that, and splits it
 * into a + b·r² anchored at the probe, the fixed part a at most half of it (a busy moment during
 * the second measurement must not make large images look free); with one measurement, t ∝ r².
 */
async function measureStepTime(
  ctx: PlanContext,
  probe: number,
  cap: number,
): Promise<StepTimeModel> {
  const t1 = await ctx.measureSecsPerStep(probe);
  const ms = (t: number) => `${(t * 1000).toFixed(0)} ms`;
  const second = Math.min(cap, probe * 2);
  if (second <= probe * 1.25) {
    return { a: 0, b: t1 / probe ** 2, text: `${ms(t1)}/step measured at ${probe} px` };
  }
  const t2 = await ctx.measureSecsPerStep(second);
  const s2 = (second / probe) ** 2;
  const a = Math.min(0.5 * t1, Math.max(0, (t1 * s2 - t2) / (s2 - 1)));
  const b = (t1 - a) / probe ** 2;
  return {
    a,
    b,
    text: `${ms(t1)}/step at ${probe} px and ${ms(t2)} at ${second} px measured (${ms(a)} of it not per pixel)`,
  };
}

function pick(req: PlanRequest): { steps: number; maxResolution: number } {
  return { steps: req.steps!, maxResolution: req.maxResolution! };
}
