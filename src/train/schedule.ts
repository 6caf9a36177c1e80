import type { LearningRates } from "./types.js";

/**
 * Learning rates and the densification/SH timetable, from the published 3DGS (INRIA) and gsplat
 * defaults for a 30 000-step run, scaled to the requested run length.
 *
 * Scaling: the start of densification and the SH-degree period (500 and 1000 steps) are
 * multiplied by g = clamp(sqrt(steps / 30000), 0.2, 1), so a short run still densifies early
 * and reaches its full SH degree. The densification interval stays at 3DGS's 100 steps: each round
 * needs about an epoch of views for the averaged gradient to mean anything (a scaled 32-step
 * interval grew the sample scene from 4.5k to 43k splats within 200 steps). Densification stops
 * at half the run, so a longer run both grows for longer and has longer to settle.
 *
 * No opacity reset. 3DGS clamps every opacity to 0.01 every 3000 steps; the model then needs a
 * fixed number of views to recover, which a short run does not have: on a 96-view capture a
 * 3000-step run reset at step 949, fell to 7.7 dB held-out right after and ended at 23.8 dB, below
 * the 26.7 dB of a 1000-step run that never reset. The reset's job — removing floaters — is done
 * by pruning transparent splats at every densification round (oversized ones are kept; see
 * refine.ts). The position learning rate decays log-linearly over the whole run, so every extra
 * step is spent at a smaller step size.
 *
 * Learning rates ("run-length", the default): the position rate is the 3DGS one divided by g, every
 * other rate (scale, rotation, opacity, SH) divided by √g. Adam moves a parameter by about its rate
 * per step, and the rates were set for 30 000 steps; the constant step size that does best in a
 * budget of T steps goes as 1/√T (the classic bound for stochastic gradient methods), so a
 * 1000-step run moves its splats 5× faster. The other rates grow less (× 2.24 at 1000 steps):
 * with all of them × 5, opacities swing so fast that splats are pruned and regrown (courtyard-phone
 * pruned 421 at the first round, 0 with opacity × 1) and the model ends lower on the real-like
 * captures (courtyard-phone 28.56 against 29.09 dB). "3dgs" keeps the published rates at any run
 * length. Measured gains and costs: README, Learning rates. Densifying every epoch of views instead
 * (52 steps on a 52-view capture) reached the splat cap early and gained nothing.
 */
export interface TrainingSchedule {
  /** The run's length (the plan's `steps`). */
  steps: number;
  /** First step at which densification runs. */
  densifyFrom: number;
  /** Densification stops after this step (half the run). */
  densifyUntil: number;
  densifyEvery: number;
  /** The SH degree goes up by one every this many steps, up to `shDegree`. */
  shDegreeEvery: number;
  /** The SH degree the run trains up to (the `shDegree` parameter). */
  shDegree: number;
  /** Learning rates, run-length scaling applied (position is also scaled by the scene extent and decays). */
  positionLrInit: number;
  positionLrFinal: number;
  scaleLr: number;
  rotationLr: number;
  opacityLr: number;
  shDcLr: number;
  shRestLr: number;
}

/** 3DGS/gsplat defaults for a 30 000-step run. */
export const DEFAULT_30K = {
  steps: 30000,
  densifyFrom: 500,
  densifyEvery: 100,
  shDegreeEvery: 1000,
  positionLrInit: 1.6e-4,
  positionLrFinal: 1.6e-6,
  scaleLr: 5e-3,
  rotationLr: 1e-3,
  opacityLr: 5e-2,
  shDcLr: 2.5e-3,
} as const;

/** The time-scaling factor g described above. */
export function timetableScale(steps: number): number {
  return Math.min(1, Math.max(0.2, Math.sqrt(steps / DEFAULT_30K.steps)));
}

/** How the learning rates follow the run's length (the Training `learningRates` parameter). */
export type LearningRateScaling = "run-length" | "3dgs";

/** The factor the position learning rate is multiplied by: 1/g, or 1 for the published rates. */
export function learningRateScale(steps: number, scaling: LearningRateScaling): number {
  return scaling === "3dgs" ? 1 : 1 / timetableScale(steps);
}

/** The factor every other learning rate is multiplied by: 1/√g, or 1 for the published rates. */
export function shapeRateScale(steps: number, scaling: LearningRateScaling): number {
  return Math.sqrt(learningRateScale(steps, scaling));
}

/** Builds the schedule for a run of `steps` steps with SH up to degree `shDegree`. */
export function createSchedule(
  steps: number,
  shDegree: number,
  rates: LearningRateScaling = "run-length",
): TrainingSchedule {
  const g = timetableScale(steps);
  const k = learningRateScale(steps, rates);
  const ks = shapeRateScale(steps, rates);
  const densifyFrom = Math.max(1, Math.round(DEFAULT_30K.densifyFrom * g));
  const densifyUntil = Math.floor(steps / 2);
  return {
    steps,
    densifyFrom,
    densifyUntil,
    densifyEvery: DEFAULT_30K.densifyEvery,
    shDegreeEvery: Math.max(1, Math.round(DEFAULT_30K.shDegreeEvery * g)),
    shDegree,
    positionLrInit: DEFAULT_30K.positionLrInit * k,
    positionLrFinal: DEFAULT_30K.positionLrFinal * k,
    scaleLr: DEFAULT_30K.scaleLr * ks,
    rotationLr: DEFAULT_30K.rotationLr * ks,
    opacityLr: DEFAULT_30K.opacityLr * ks,
    shDcLr: DEFAULT_30K.shDcLr * ks,
    // 3DGS: the higher SH bands learn 20× slower than the DC term.
    shRestLr: (DEFAULT_30K.shDcLr * ks) / 20,
  };
}

/**
 * Position learning rate at `step` (0-based): log-linear from init to final over the run, times
 * the scene extent so the rate is in scene units.
 */
export function positionLr(s: TrainingSchedule, step: number, sceneExtent: number): number {
  const t = s.steps <= 1 ? 1 : Math.min(1, Math.max(0, step / (s.steps - 1)));
  const logLr = Math.log(s.positionLrInit) * (1 - t) + Math.log(s.positionLrFinal) * t;
  return Math.exp(logLr) * sceneExtent;
}

/** All learning rates for one step. */
export function learningRates(
  s: TrainingSchedule,
  step: number,
  sceneExtent: number,
): LearningRates {
  return {
    means: positionLr(s, step, sceneExtent),
    logScales: s.scaleLr,
    quats: s.rotationLr,
    opacityLogits: s.opacityLr,
    shDC: s.shDcLr,
    shRest: s.shRestLr,
  };
}

/** Active SH degree at `step`. */
export function shDegreeAt(s: TrainingSchedule, step: number): number {
  return Math.min(s.shDegree, Math.floor(step / s.shDegreeEvery));
}

/** What densification work happens after completing `step` (1-based count of finished steps). */
export function densifyActions(s: TrainingSchedule, stepsDone: number): { refine: boolean } {
  const inWindow = stepsDone > s.densifyFrom && stepsDone <= s.densifyUntil;
  return {
    refine: inWindow && stepsDone % s.densifyEvery === 0,
  };
}
