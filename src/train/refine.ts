import { hashInts } from "./rng.js";
import { DEFAULT_DENSIFY } from "./densify.js";
import { densifyActions } from "./schedule.js";
import type { RunContext } from "./trainer.js";

/**
 * Adaptive density control on the schedule: densification rounds and opacity resets, run on the
 * backend's copy of the splats (no parameter readback).
 */
export function createRefiner(ctx: RunContext) {
  const { schedule, backend, dataset, settings, log } = ctx;
  const longSide = Math.max(...dataset.train.map((v) => Math.max(v.camera.width, v.camera.height)));
  return {
    async afterStep(step: number): Promise<void> {
      const act = densifyActions(schedule, step);
      if (!act.refine && !act.resetOpacity) return;
      if (act.refine) {
        // Oversized splats are pruned only after the first opacity reset (3DGS).
        const firstResetDone = step > schedule.opacityResetEvery;
        const r = await backend.densify(
          {
            gradThreshold: DEFAULT_DENSIFY.gradThreshold,
            percentDense: DEFAULT_DENSIFY.percentDense,
            sceneExtent: dataset.sceneExtent,
            pruneOpacity: DEFAULT_DENSIFY.pruneOpacity,
            pruneWorldScale: firstResetDone ? DEFAULT_DENSIFY.pruneWorldScale : undefined,
            pruneScreenRadiusPx: firstResetDone ? 0.15 * longSide : undefined,
            maxSplats: settings.maxSplats,
          },
          hashInts(settings.seed, step, 0xd3),
        );
        log.debug(
          `step ${step}: +${r.cloned} cloned, ${r.split} split, −${r.pruned} pruned → ${r.count}`,
        );
      }
      if (act.resetOpacity) await backend.resetOpacity(0.01);
      await backend.resetDensifyStats();
    },
  };
}
