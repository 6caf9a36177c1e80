/**
 * The training plan (src/train/plan.ts) with a fake step-time measurement (the "fake timing"): a
 * fixed seconds-per-step at the probe resolution instead of a measured run.
 */
import { describe, expect, it } from "vitest";
import {
  COARSE_SHARES,
  DEFAULT_CPU_BUDGET_SECS,
  MIN_FINAL_EPOCHS,
  MIN_FINAL_SHARE,
  MIN_PLANNED_STEPS,
  STANDARD_STEPS,
  cpuResolutions,
  planTraining,
} from "../../src/train/plan.js";
import { runSeconds, type StepTime } from "../../src/train/planCost.js";
import { COARSE_SHARE, coarseLevels } from "../../src/train/pyramid.js";

const USABLE = DEFAULT_CPU_BUDGET_SECS * 0.85;

/** What a plan's run costs by the phase pricing (planCost.ts), from the fake step times. */
function priced(
  time: StepTime,
  p: { steps: number; maxResolution: number; coarseShare: number },
  c2f = true,
) {
  const levels = c2f ? coarseLevels(p.maxResolution) : 0;
  const o = { resolution: p.maxResolution, levels, share: p.coarseShare, time };
  return {
    secs: runSeconds({ ...o, steps: p.steps }),
    next: runSeconds({ ...o, steps: p.steps + 100 }),
  };
}

/** Step times of a + b·r²: `fixedShare` of the time at 160 px does not depend on the pixels. */
function context(hardware: boolean, frameLongSide: number, secsAt160: number, fixedShare = 0) {
  const probes: number[] = [];
  const a = fixedShare * secsAt160;
  const secsAt = (r: number) => a + (secsAt160 - a) * (r / 160) ** 2;
  return {
    probes,
    time: { a, b: (secsAt160 - a) / 160 ** 2 },
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
    const { ctx, probes, time } = context(false, 1280, 0.05);
    const plan = await planTraining({ resolutionSchedule: "fixed" }, ctx);
    expect(probes).toEqual([160, 320]);
    // The most steps (a multiple of 100) whose priced run fits the budget less 10 %.
    const { secs, next } = priced(time, plan, false);
    expect(secs).toBeLessThanOrEqual(USABLE);
    expect(next).toBeGreaterThan(USABLE);
    expect(plan.steps).toBeGreaterThanOrEqual(MIN_PLANNED_STEPS);
    const larger = cpuResolutions(1280).filter((r) => r > plan.maxResolution);
    expect(larger.length).toBeGreaterThan(0);
    for (const r of larger) {
      const at = { steps: MIN_PLANNED_STEPS, maxResolution: r, coarseShare: COARSE_SHARE };
      expect(priced(time, at, false).secs).toBeGreaterThan(USABLE); // would not fit
    }
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
    const at160 = (n: number) =>
      runSeconds({
        steps: n,
        resolution: 160,
        levels: 0,
        share: 0,
        time: { a: 0, b: 0.05 / 160 ** 2 },
      });
    expect(at160(fixed.steps)).toBeLessThanOrEqual(85);
    expect(at160(fixed.steps + 100)).toBeGreaterThan(85);
  });

  it("splits the step time into per-splat and per-pixel work, and prices the coarse-to-fine mix", async () => {
    // Half of the time at 160 px does not grow with the pixels.
    const { ctx, time } = context(false, 1280, 0.05, 0.5);
    const fixed = await planTraining({ resolutionSchedule: "fixed" }, ctx);
    const c2f = await planTraining({}, ctx);
    for (const [p, isC2f] of [
      [fixed, false],
      [c2f, true],
    ] as const) {
      const { secs, next } = priced(time, p, isC2f);
      expect(secs).toBeLessThanOrEqual(USABLE);
      expect(next).toBeGreaterThan(USABLE);
    }
    const r = c2f.maxResolution;
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
    const { ctx, time } = context(false, 1280, 0.05);
    const only40 = await planTraining({}, { ...ctx, coarseShares: [COARSE_SHARE] });
    const chosen = await planTraining({}, { ...ctx, trainingViews: 50 });
    expect(chosen.maxResolution).toBeGreaterThan(only40.maxResolution);
    expect(chosen.coarseShare).toBeGreaterThan(COARSE_SHARE);
    expect(COARSE_SHARES).toContain(chosen.coarseShare);
    expect(chosen.steps).toBeGreaterThanOrEqual(MIN_PLANNED_STEPS);
    // The smallest share that buys the steps at that resolution.
    const r = chosen.maxResolution;
    const cost = (share: number, steps: number) =>
      priced(time, { steps, maxResolution: r, coarseShare: share }).secs;
    expect(cost(chosen.coarseShare, chosen.steps)).toBeLessThanOrEqual(USABLE);
    const smaller = COARSE_SHARES.filter((s) => s < chosen.coarseShare);
    for (const s of smaller) expect(cost(s, MIN_PLANNED_STEPS)).toBeGreaterThan(USABLE);
    // The final resolution keeps at least a quarter of the steps.
    expect(1 - chosen.coarseShare).toBeGreaterThanOrEqual(MIN_FINAL_SHARE - 1e-9);
    const anyShare = await planTraining(
      {},
      { ...ctx, trainingViews: 50, coarseShares: [COARSE_SHARE, 0.8, 0.9] },
    );
    expect(anyShare.coarseShare).toBe(COARSE_SHARE); // 80 and 90 % leave too few final steps
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
