import { hashInts } from "./rng.js";
import { DEFAULT_DENSIFY } from "./densify.js";
import { decayOpacities, relocateDead } from "./relocate.js";
import { densifyActions, learningRateScale, learningRates } from "./schedule.js";
import type { RunContext } from "./runContext.js";
import type { DensifyConfig } from "./types.js";

/**
 * What the "relocate" densification adds to the classic rounds (3DGS-MCMC and Brush's published
 * defaults): transparent splats relocated onto live ones instead of pruned, at every round until
 * this share of the run; opacities multiplied by (1 − decay) at each round; and position noise on
 * low-opacity splats every step, scaled by the position learning rate × `noise`.
 */
export const RELOCATE = { until: 0.8, decay: 0.004, noise: 5e5 } as const;

/**
 * Adaptive density control on the schedule: densification rounds (grow, then prune transparent
 * splats — or, with "relocate", move them onto live ones), run on the backend's copy of the
 * splats.
 *
 * Oversized splats are not pruned, neither large on screen nor in the world. Without opacity
 * resets such a round removes surfaces, not floaters: on the sample capture at 160 px, pruning
 * splats over 0.15 × the long side on screen cut the held-out PSNR from 25.9 to 15.5 dB in one
 * round, and pruning those over 0.1 × the scene extent in the world from 26.7 to 21.0 dB in a
 * 7000-step run (the ground and backdrop are larger than that); each recovered only partly.
 */
export function createRefiner(ctx: RunContext) {
  const { schedule, backend, dataset, settings, log } = ctx;
  const relocate = settings.densification === "relocate";
  const cfg = (grow: boolean): DensifyConfig => ({
    gradThreshold: DEFAULT_DENSIFY.gradThreshold,
    percentDense: DEFAULT_DENSIFY.percentDense,
    sceneExtent: dataset.sceneExtent,
    // With relocation nothing is pruned: the transparent splats move instead.
    pruneOpacity: relocate ? 0 : DEFAULT_DENSIFY.pruneOpacity,
    maxSplats: settings.maxSplats,
    grow,
  });

  const relocationRound = async (step: number): Promise<void> => {
    const params = await backend.getParams();
    const moved = relocateDead(
      params,
      await backend.getAdamState(),
      DEFAULT_DENSIFY.pruneOpacity,
      hashInts(settings.seed, step, 0x4e1),
    );
    decayOpacities(moved.params, RELOCATE.decay);
    await backend.setParams(moved.params, moved.adam);
    log.debug(`step ${step}: ${moved.relocated} transparent splats relocated`);
  };

  return {
    async afterStep(step: number): Promise<void> {
      if (relocate) {
        // The noise follows the published position rate (3DGS-MCMC's formula), not the larger
        // rate a short run learns with.
        const lr =
          learningRates(schedule, step - 1, dataset.sceneExtent).means /
          learningRateScale(schedule.steps, settings.learningRates);
        await backend.addMeanNoise({
          seed: hashInts(settings.seed, 0x5a1),
          step,
          scale: RELOCATE.noise * lr,
        });
      }
      const act = densifyActions(schedule, step);
      const late =
        relocate &&
        !act.refine &&
        step > schedule.densifyUntil &&
        step <= RELOCATE.until * schedule.steps &&
        step % schedule.densifyEvery === 0;
      if (!act.refine && !late) return;
      if (act.refine) {
        const r = await backend.densify(cfg(true), hashInts(settings.seed, step, 0xd3));
        log.debug(
          `step ${step}: +${r.cloned} cloned, ${r.split} split, −${r.pruned} pruned → ${r.count}`,
        );
      }
      if (relocate) await relocationRound(step);
    },
  };
}
