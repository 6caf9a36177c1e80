/**
 * The training plan (src/train/plan.ts) with a fake step-time measurement (the "fake timing"): a
 * fixed seconds-per-step at the probe resolution instead of a measured run.
 */
import { describe, expect, it } from "vitest";
import {
  COARSE_SHARES,
  DEFAULT_CPU_BUDGET_SECS,
  MIN_FINAL_EPOCHS,
  MIN_PLANNED_STEPS,
  RUN_COST_FACTOR,
  STANDARD_STEPS,
  cpuResolutions,
  planTraining,
} from "../../src/train/plan.js";
import { COARSE_SHARE, coarseLevels, levelShares } from "../../src/train/pyramid.js";

/** Step times of a + b·r²: `fixedShare` of the time at 160 px does not depend on the pixels. */
function context(hardware: boolean, frameLongSide: number, secsAt160: number, fixedShare = 0) {
  const probes: number[] = [];
  const a = fixedShare * secsAt160;
  const secsAt = (r: number) => a + (secsAt160 - a) * (r / 160) ** 2;
  return {
    probes,
    secsAt,
    ctx: {
      hardware,
      adapter: hardware ? "GPU X" : "llvmpipe",
      frameLongSide,
      measureSecsPerStep: async (r: number) => {
        probes.push(r);
        return secsAt(r);
      },
    },
  };
}

describe("training plan", () => {
  it("keeps explicit steps and resolution without measuring", async () => {
    const { ctx, probes } = context(false, 640, 0.05);
    const plan = await planTraining({ steps: 700, maxResolution: 96 }, ctx);
    expect(plan).toMatchObject({ steps: 700, maxResolution: 96, reason: "as requested" });
    expect(probes).toEqual([]);
  });

  it("on a hardware GPU: the frames' resolution up to 1600 px and 30 000 steps", async () => {
    const { ctx, probes } = context(true, 1920, 0.01);
    const plan = await planTraining({}, ctx);
    expect([plan.steps, plan.maxResolution]).toEqual([STANDARD_STEPS, 1600]);
    expect(plan.reason).toMatch(/hardware GPU/);
    expect(probes).toEqual([]);
    const small = await planTraining({}, context(true, 640, 0.01).ctx);
    expect(small.maxResolution).toBe(640);
  });

  it("on a CPU adapter: the largest resolution whose budget buys enough steps, and those steps", async () => {
    const { ctx, probes } = context(false, 1280, 0.05);
    const plan = await planTraining({ resolutionSchedule: "fixed" }, ctx);
    expect(probes).toEqual([160, 320]);
    // 0.05 s per step at 160 px, scaled by area and the run's growth; the budget less 10 %.
    const stepsAt = (r: number) =>
      Math.floor(
        (DEFAULT_CPU_BUDGET_SECS * 0.9) / (0.05 * (r / 160) ** 2 * RUN_COST_FACTOR) / 100,
      ) * 100;
    expect(stepsAt(plan.maxResolution)).toBeGreaterThanOrEqual(MIN_PLANNED_STEPS);
    expect(plan.steps).toBe(stepsAt(plan.maxResolution));
    const larger = cpuResolutions(1280).filter((r) => r > plan.maxResolution);
    expect(larger.length).toBeGreaterThan(0);
    for (const r of larger) expect(stepsAt(r)).toBeLessThan(MIN_PLANNED_STEPS); // would not fit
    expect(plan.reason).toMatch(/default 600 s budget/);
  });

  it("a short budget trades resolution for steps; a requested resolution gets the budget's steps", async () => {
    const quick = await planTraining({ timeBudget: 60 }, context(false, 640, 0.05).ctx);
    const long = await planTraining({ timeBudget: 600 }, context(false, 640, 0.05).ctx);
    expect(quick.maxResolution).toBeLessThan(long.maxResolution);
    expect(quick.reason).toMatch(/60 s time budget/);
    const fixed = await planTraining(
      { timeBudget: 100, maxResolution: 160, resolutionSchedule: "fixed" },
      context(false, 320, 0.05).ctx,
    );
    expect(fixed.maxResolution).toBe(160);
    expect(fixed.steps).toBe(Math.floor((100 * 0.9) / (0.05 * RUN_COST_FACTOR) / 100) * 100);
  });

  it("splits the step time into per-splat and per-pixel work, and prices the coarse-to-fine mix", async () => {
    // Half of the time at 160 px does not grow with the pixels.
    const { ctx, secsAt } = context(false, 1280, 0.05, 0.5);
    const fixed = await planTraining({ resolutionSchedule: "fixed" }, ctx);
    const c2f = await planTraining({}, ctx);
    const steps = (secs: number) =>
      Math.floor((DEFAULT_CPU_BUDGET_SECS * 0.9) / (secs * RUN_COST_FACTOR) / 100) * 100;
    expect(fixed.steps).toBe(steps(secsAt(fixed.maxResolution)));
    const r = c2f.maxResolution;
    const mix = levelShares(coarseLevels(r), c2f.coarseShare).reduce(
      (t, s, l) => t + s * secsAt(r / 2 ** l),
      0,
    );
    expect(c2f.steps).toBe(steps(mix));
    expect(c2f.steps).toBeGreaterThanOrEqual(MIN_PLANNED_STEPS);
    expect(r).toBeGreaterThan(fixed.maxResolution);
    expect(c2f.reason).toMatch(/coarse-to-fine/);
    // A busy second measurement (the larger image no slower) does not make pixels free.
    const noisy = await planTraining({}, { ...ctx, measureSecsPerStep: async () => 0.05 });
    expect(noisy.maxResolution).toBeLessThanOrEqual(r);
  });

  it("considers the frames' size and every multiple of 8 px below it, down to 96 px", () => {
    expect(cpuResolutions(130)).toEqual([130, 128, 120, 112, 104, 96]);
    expect(cpuResolutions(96)).toEqual([96]);
  });

  it("spends more of the run at the coarse levels where that buys a larger final resolution", async () => {
    // All per-pixel work: a final side 1.5 × larger costs 2.25 × per final step.
    const { ctx, secsAt } = context(false, 1280, 0.05);
    const only40 = await planTraining({}, { ...ctx, coarseShares: [COARSE_SHARE] });
    const chosen = await planTraining({}, { ...ctx, trainingViews: 50 });
    expect(chosen.maxResolution).toBeGreaterThan(only40.maxResolution);
    expect(chosen.coarseShare).toBeGreaterThan(COARSE_SHARE);
    expect(COARSE_SHARES).toContain(chosen.coarseShare);
    expect(chosen.steps).toBeGreaterThanOrEqual(MIN_PLANNED_STEPS);
    // The smallest share that buys the steps at that resolution.
    const r = chosen.maxResolution;
    const stepsWith = (share: number) => {
      const mix = levelShares(coarseLevels(r), share).reduce(
        (t, s, l) => t + s * secsAt(r / 2 ** l),
        0,
      );
      return Math.floor((DEFAULT_CPU_BUDGET_SECS * 0.9) / (mix * RUN_COST_FACTOR) / 100) * 100;
    };
    expect(chosen.steps).toBe(stepsWith(chosen.coarseShare));
    const smaller = COARSE_SHARES.filter((s) => s < chosen.coarseShare);
    for (const s of smaller) expect(stepsWith(s)).toBeLessThan(MIN_PLANNED_STEPS);
    expect(chosen.reason).toMatch(/% of them at the coarse levels/);
    expect(chosen.reason).toMatch(new RegExp(`at ${r} px$`));
    // Every view still gets MIN_FINAL_EPOCHS passes at the final size; with many views the
    // share (and so the resolution) stays smaller.
    const manyViews = await planTraining({}, { ...ctx, trainingViews: 300 });
    expect((1 - manyViews.coarseShare) * manyViews.steps).toBeGreaterThanOrEqual(
      MIN_FINAL_EPOCHS * 300,
    );
    expect(manyViews.maxResolution).toBeLessThan(chosen.maxResolution);
    // A requested resolution or run length keeps the default share.
    const asked = await planTraining({ maxResolution: r }, { ...ctx, trainingViews: 50 });
    expect(asked.coarseShare).toBe(COARSE_SHARE);
  });
});
