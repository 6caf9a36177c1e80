/**
 * Makes (or reuses) a run's training plan: measures the step time when a budget has to be turned
 * into steps, and keeps the plan in `<output>/training/plan.json`, so a resumed run trains to the
 * same plan (and so matches its snapshot) instead of measuring again on a busier machine.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../contracts/logger.js";
import { writeJsonAtomically } from "../util/atomicFile.js";
import { buildTrainingDataset, holdoutSplit, type SceneModelInput } from "./dataset.js";
import { RANDOM_INIT_SPLATS, initFromPoints, initRandom } from "./init.js";
import { planTraining, type PlanContext, type PlanRequest, type TrainingPlan } from "./plan.js";
import { COARSE_SHARE } from "./pyramid.js";
import { createRng } from "./rng.js";
import type { TrainingBackend } from "./types.js";

/** Views the step-time measurement decodes and steps through. */
const PROBE_VIEWS = 8;
/** Measured steps (after two warm-up steps); their median time is used. */
const PROBE_STEPS = 12;
const PLAN_FILE = "plan.json";

interface PlanRecord {
  request: PlanRequest;
  adapter: string;
  frameLongSide: number;
  plan: TrainingPlan;
}

/** What planning needs besides the request. */
export interface PlanningInputs {
  model: SceneModelInput;
  source: string;
  backend: TrainingBackend;
  trainingDir: string;
  /** The run's SH degree and splat cap: the probe starts from the splats the run would. */
  shDegree: number;
  maxSplats: number;
  log?: Logger;
  signal?: AbortSignal;
}

/** The plan for `req`: as requested, from the plan file when it matches, or made now. */
export async function resolvePlan(req: PlanRequest, io: PlanningInputs): Promise<TrainingPlan> {
  const frameLongSide = frameLongSideOf(io.model);
  // The request as the plan file records it, in this order (a file without the schedule was
  // planned for a fixed resolution and does not match).
  const request = {
    steps: req.steps,
    maxResolution: req.maxResolution,
    timeBudget: req.timeBudget,
    resolutionSchedule: req.resolutionSchedule,
  };
  const record: Omit<PlanRecord, "plan"> = {
    request,
    adapter: io.backend.adapterDescription,
    frameLongSide,
  };
  const file = join(io.trainingDir, PLAN_FILE);
  const saved = await readPlan(file);
  if (
    saved &&
    saved.request !== undefined &&
    (["steps", "maxResolution", "timeBudget", "resolutionSchedule"] as const).every(
      (k) => saved.request[k] === request[k],
    ) &&
    saved.adapter === record.adapter &&
    saved.frameLongSide === frameLongSide
  ) {
    io.log?.info(`training plan (kept from ${file}): ${describe(saved.plan)}`);
    return saved.plan;
  }
  const plan = await planTraining(req, planContext(io));
  io.log?.info(`training plan: ${describe(plan)}`);
  await writeJsonAtomically(file, { ...record, plan });
  return plan;
}

/**
 * What the planner knows of this run's adapter and data; each resolution's step time is measured
 * once, so plans made from one context (a benchmark's arms) share their measurements.
 */
export function planContext(io: PlanningInputs): PlanContext {
  const measured = new Map<number, Promise<number>>();
  return {
    hardware: io.backend.hardware,
    adapter: io.backend.adapterDescription,
    frameLongSide: frameLongSideOf(io.model),
    trainingViews: holdoutSplit(io.model.images.length).train.length,
    measureSecsPerStep(resolution) {
      if (!measured.has(resolution)) measured.set(resolution, measureSecsPerStep(io, resolution));
      return measured.get(resolution)!;
    },
  };
}

function frameLongSideOf(model: SceneModelInput): number {
  return Math.max(...[...model.cameras.values()].map((c) => Math.max(c.width, c.height)));
}

function describe(p: TrainingPlan): string {
  return `${p.steps} steps at ${p.maxResolution} px — ${p.reason}`;
}

/** Plan files written before the run length took the parameter's name call it `totalSteps`. */
type LegacyRunLength = { steps?: number; totalSteps?: number };

async function readPlan(file: string): Promise<PlanRecord | null> {
  let record: PlanRecord;
  try {
    record = JSON.parse(await readFile(file, "utf8")) as PlanRecord;
  } catch {
    return null;
  }
  // Plans made before the coarse share was chosen used the default one.
  if (record.plan) record.plan.coarseShare ??= COARSE_SHARE;
  for (const part of [record.request, record.plan] as LegacyRunLength[]) {
    if (part && part.steps === undefined && part.totalSteps !== undefined) {
      part.steps = part.totalSteps;
      delete part.totalSteps;
    }
  }
  return record;
}

/**
 * Seconds per training step at `resolution`: a few views decoded at that size, the splats the
 * run would start from, two warm-up steps and the median of {@link PROBE_STEPS} measured ones.
 */
async function measureSecsPerStep(io: PlanningInputs, resolution: number): Promise<number> {
  const images = io.model.images.slice(0, PROBE_VIEWS);
  const probe = await buildTrainingDataset({ ...io.model, images }, io.source, {
    maxResolution: resolution,
    signal: io.signal,
  });
  const views = [...probe.train, ...probe.eval];
  const { points } = io.model;
  const rng = createRng(1);
  const params =
    points.count > 0
      ? initFromPoints(points.xyz, points.rgb, points.count, io.shDegree, io.maxSplats, rng)
      : initRandom(
          Math.min(io.maxSplats, RANDOM_INIT_SPLATS),
          probe.sceneCenter,
          probe.sceneExtent,
          io.shDegree,
          rng,
        );
  await io.backend.setParams(params);
  await io.backend.setTargets(views.map((v) => v.image));
  const lr = { means: 0, logScales: 0, quats: 0, opacityLogits: 0, shDC: 0, shRest: 0 };
  const step = (s: number) =>
    io.backend.step({
      camera: views[s % views.length]!.camera,
      targetIndex: s % views.length,
      lr,
      shDegree: 0,
    });
  await step(0);
  await step(1);
  const times: number[] = [];
  for (let s = 0; s < PROBE_STEPS; s++) {
    const t0 = performance.now();
    await step(s);
    times.push((performance.now() - t0) / 1000);
  }
  // The median: a busy moment on a shared machine shifts it less than the mean.
  return times.sort((a, b) => a - b)[PROBE_STEPS >> 1]!;
}
