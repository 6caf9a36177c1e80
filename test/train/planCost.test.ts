/**
 * The phase-by-phase price of a planned run (src/train/planCost.ts), against a step-by-step sum
 * over the schedule as the trainer walks it (pyramid.ts's levelAt, the densification window of
 * schedule.ts).
 */
import { describe, expect, it } from "vitest";
import {
  DEFAULT_GROWTH,
  rampAt,
  rampMean,
  runSeconds,
  splatRamp,
  type StepTimeGrowth,
} from "../../src/train/planCost.js";
import { coarseLevels, levelAt, levelShares } from "../../src/train/pyramid.js";
import { createSchedule } from "../../src/train/schedule.js";

const time = { a: 0.02, b: 0.08 / 160 ** 2 };
const secsAt = (r: number) => time.a + time.b * r * r;

/** Every step priced at its own level and the model's growth at its place in the run. */
function stepByStep(steps: number, resolution: number, share: number, g: StepTimeGrowth): number {
  const levels = coarseLevels(resolution);
  const ramp = splatRamp(steps, g);
  let secs = 0;
  for (let s = 0; s < steps; s++) {
    const side = resolution / 2 ** levelAt(s, steps, levels, share);
    secs += time.a * rampAt(ramp, (s + 0.5) / steps) + g.pixel * time.b * side * side;
  }
  return secs;
}

describe("run cost by phase", () => {
  it("per-splat work starts at the probe's growth, rises over the densification window, then holds", () => {
    const schedule = createSchedule(1000, 3);
    const ramp = splatRamp(1000);
    expect(ramp.from).toBeCloseTo(schedule.densifyFrom / 1000);
    expect(ramp.until).toBeCloseTo(schedule.densifyUntil / 1000);
    expect(rampAt(ramp, 0)).toBe(DEFAULT_GROWTH.splatStart);
    expect(rampAt(ramp, 0.99)).toBe(DEFAULT_GROWTH.splatEnd);
    expect(DEFAULT_GROWTH.splatEnd).toBeGreaterThan(DEFAULT_GROWTH.splatStart);
    // The mean over a part of the run is that part's integral (midpoint sums as the reference).
    for (const [a, b] of [
      [0, 1],
      [0, 0.3],
      [0.2, 0.7],
      [0.6, 1],
    ] as const) {
      let sum = 0;
      const n = 10_000;
      for (let i = 0; i < n; i++) sum += rampAt(ramp, a + ((i + 0.5) / n) * (b - a));
      expect(rampMean(ramp, a, b)).toBeCloseTo(sum / n, 6);
    }
  });

  it("agrees with pricing every step at its level and its place in the run", () => {
    for (const [steps, resolution, share] of [
      [1000, 320, 0.4],
      [1000, 352, 0.75],
      [1300, 248, 0.6],
      [3000, 640, 0.5],
      [1000, 120, 0.4],
    ] as const) {
      const levels = coarseLevels(resolution);
      const phases = runSeconds({ steps, resolution, levels, share, time });
      // Level boundaries fall between steps: within two steps' price of the exact integral.
      const step = DEFAULT_GROWTH.splatEnd * time.a + DEFAULT_GROWTH.pixel * secsAt(resolution);
      expect(Math.abs(phases - stepByStep(steps, resolution, share, DEFAULT_GROWTH))).toBeLessThan(
        2 * step,
      );
    }
  });

  it("with the same growth throughout, is the steps times the mix of the levels' step times", () => {
    const flat = { splatStart: 2, splatEnd: 2, pixel: 2 };
    const levels = coarseLevels(320);
    const mix = levelShares(levels, 0.6).reduce((t, s, l) => t + s * secsAt(320 / 2 ** l), 0);
    const secs = runSeconds({
      steps: 1000,
      resolution: 320,
      levels,
      share: 0.6,
      time,
      growth: flat,
    });
    expect(secs).toBeCloseTo(1000 * 2 * mix, 9);
  });

  it("prices the early coarse steps' splats at the small model and the late final ones' at the grown one", () => {
    const ramp = splatRamp(1000);
    const mean = rampMean(ramp, 0, 1);
    const flat = { ...DEFAULT_GROWTH, splatStart: mean, splatEnd: mean };
    const o = { steps: 1000, resolution: 320, levels: 2, share: 0.75 };
    // No per-pixel work: a coarse-heavy run's coarse steps come early, while the model is small.
    const splatsOnly = { a: 0.05, b: 0 };
    const grown = runSeconds({ ...o, time: splatsOnly });
    const atMean = runSeconds({ ...o, time: splatsOnly, growth: flat });
    expect(grown).toBeCloseTo(atMean, 9); // same total per-splat work over the run
    // The final quarter alone (its share of the run at the end) is dearer than at the mean.
    const finalQuarter = 250 * 0.05 * rampMean(ramp, 0.75, 1);
    expect(finalQuarter).toBeCloseTo(250 * 0.05 * DEFAULT_GROWTH.splatEnd, 9);
    expect(finalQuarter).toBeGreaterThan(250 * 0.05 * mean);
    // Per-pixel work grows by its own factor: the coarse levels' pixels cost far less.
    const pixelsOnly = { a: 0, b: 1e-6 };
    const px = runSeconds({ ...o, time: pixelsOnly });
    const mixPx = levelShares(2, 0.75).reduce((t, s, l) => t + s * (320 / 2 ** l) ** 2, 0);
    expect(px).toBeCloseTo(1000 * DEFAULT_GROWTH.pixel * 1e-6 * mixPx, 9);
  });
});
