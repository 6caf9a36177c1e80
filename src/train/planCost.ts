/**
 * What a planned run costs in seconds, phase by phase: each level of the coarse-to-fine schedule
 * (pyramid.ts) at its own resolution's step time, with the model it trains at that point of the
 * run. The probe measures a step as a + b·pixels with the initial splats at SH degree 0. In a run
 * the per-splat part a grows with the model: densification adds splats and the SH degree rises
 * during the densification window (schedule.ts), so the early, coarse steps run on a small model
 * and the late, final-resolution ones on the grown one. The per-pixel part b grows less (more
 * splats overlap each pixel, but they also get smaller). Pricing every step at the run's mean
 * growth (a flat ×2.5, what this replaces) overpriced coarse-heavy plans by a third.
 *
 * The factors are fitted to every step's wall time of two 600 s lavapipe runs
 * (`npm run bench:quality -- resolution` keeps each run's `steps.json`): the sample (13 187
 * initial splats grown to the 20 000 cap, 248 px, 75 % at 124 px) and garden-walk (4 749 to
 * 19 704, 528 px, 90 % at 132 and 264 px): least squares over 25-step chunks gave a from 1.38 × to
 * 2.43 × and b 1.65 × (a single factor on both fits them no better: the final-resolution steps,
 * mostly per-pixel work, grow least). Rounded up, the constants price the two runs' stepping at
 * 416 s and 393 s against 393 s and 391 s measured (the flat ×2.5: 536 s and 535 s).
 */
import { levelShares } from "./pyramid.js";
import { createSchedule } from "./schedule.js";

/** Per-splat work relative to the probe's before densification starts. */
export const SPLAT_GROWTH_START = 1.5;
/** Per-splat work relative to the probe's once densification has ended. */
export const SPLAT_GROWTH_END = 2.5;
/** Per-pixel work relative to the probe's, throughout a run. */
export const PIXEL_GROWTH = 1.7;

/** The probe's step time: `a + b·long side²` seconds. */
export interface StepTime {
  /** Seconds per step that do not depend on the image size. */
  a: number;
  /** Seconds per step per squared pixel of the long side. */
  b: number;
}

/** How the step time grows over a run relative to the probe's. */
export interface StepTimeGrowth {
  splatStart: number;
  splatEnd: number;
  pixel: number;
}

/** The default growth (the constants above). */
export const DEFAULT_GROWTH: StepTimeGrowth = {
  splatStart: SPLAT_GROWTH_START,
  splatEnd: SPLAT_GROWTH_END,
  pixel: PIXEL_GROWTH,
};

/** A rise from `start` to `end` over the fractions [from, until] of a run, flat outside. */
export interface Ramp {
  start: number;
  end: number;
  from: number;
  until: number;
}

/** The per-splat growth of a run of `steps` steps (its densification window, schedule.ts). */
export function splatRamp(steps: number, g: StepTimeGrowth = DEFAULT_GROWTH): Ramp {
  const s = createSchedule(steps, 0);
  return {
    start: g.splatStart,
    end: g.splatEnd,
    from: Math.min(1, s.densifyFrom / steps),
    until: Math.min(1, Math.max(s.densifyFrom, s.densifyUntil) / steps),
  };
}

/** The ramp's value at the fraction `p` of the run. */
export function rampAt(g: Ramp, p: number): number {
  if (p <= g.from) return g.start;
  if (p >= g.until) return g.end;
  return g.start + ((g.end - g.start) * (p - g.from)) / (g.until - g.from);
}

/** ∫₀ˣ ramp(p) dp for a fraction x of the run. */
function rampIntegral(g: Ramp, x: number): number {
  const before = Math.min(x, g.from) * g.start;
  const span = g.until - g.from;
  const t = Math.min(Math.max(x - g.from, 0), span);
  const rise = span > 0 ? g.start * t + ((g.end - g.start) * t * t) / (2 * span) : 0;
  return before + rise + Math.max(0, x - g.until) * g.end;
}

/** The ramp's mean over the fractions [a, b] of the run. */
export function rampMean(g: Ramp, a: number, b: number): number {
  if (b - a < 1e-9) return rampAt(g, a);
  return (rampIntegral(g, b) - rampIntegral(g, a)) / (b - a);
}

/**
 * Seconds of stepping for a run of `steps` steps ending at `resolution` with `levels` coarse
 * levels and `share` of the steps at them. The coarsest level comes first (pyramid.ts's order);
 * each level's per-splat work is priced at the model's growth over the part of the run it
 * occupies.
 */
export function runSeconds(o: {
  steps: number;
  resolution: number;
  levels: number;
  share: number;
  time: StepTime;
  growth?: StepTimeGrowth;
}): number {
  const growth = o.growth ?? DEFAULT_GROWTH;
  const ramp = splatRamp(o.steps, growth);
  const shares = levelShares(o.levels, o.share);
  let at = 0;
  let secs = 0;
  // Level `levels` first, the final level (0) last.
  for (let l = o.levels; l >= 0; l--) {
    const part = shares[l]!;
    const side = o.resolution / 2 ** l;
    const splats = o.time.a * rampMean(ramp, at, at + part);
    secs += part * (splats + growth.pixel * o.time.b * side * side);
    at += part;
  }
  return secs * o.steps;
}
