import { hashInts } from "./rng.js";
import { DEFAULT_DENSIFY } from "./densify.js";
import { densifyActions } from "./schedule.js";
import type { RunContext } from "./trainer.js";

/**
 * Adaptive density control on the schedule: densification rounds (grow, then prune transparent
 * and — later in the window — oversized splats), run on the backend's copy of the splats.
 */
export function createRefiner(ctx: RunContext) {
  const { schedule, backend, dataset, settings, log } = ctx;
  const longSide = Math.max(...dataset.train.map((v) => Math.max(v.camera.width, v.camera.height)));
  return {
    async afterStep(step: number): Promise<void> {
      const act = densifyActions(schedule, step);
      if (!act.refine) return;
      const r = await backend.densify(
        {
          gradThreshold: DEFAULT_DENSIFY.gradThreshold,
          percentDense: DEFAULT_DENSIFY.percentDense,
          sceneExtent: dataset.sceneExtent,
          pruneOpacity: DEFAULT_DENSIFY.pruneOpacity,
          pruneWorldScale: act.pruneLarge ? DEFAULT_DENSIFY.pruneWorldScale : undefined,
          pruneScreenRadiusPx: act.pruneLarge ? 0.15 * longSide : undefined,
          maxSplats: settings.maxSplats,
        },
        hashInts(settings.seed, step, 0xd3),
      );
      log.debug(
        `step ${step}: +${r.cloned} cloned, ${r.split} split, −${r.pruned} pruned → ${r.count}`,
      );
    },
  };
}
