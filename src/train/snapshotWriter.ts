import { resumeSettings, snapshotConfigKey, trainingDataFingerprint } from "./resume.js";
import type { Rng } from "./rng.js";
import type { RunProgress } from "./runProgress.js";
import { shDegreeAt } from "./schedule.js";
import { writeSnapshot } from "./snapshot.js";
import type { RunContext } from "./runContext.js";

/** Writes the run's snapshots: every `snapshotEvery` steps and when training is interrupted. */
export function createSnapshotWriter(ctx: RunContext, progress: RunProgress, rng: Rng) {
  const { settings, backend, schedule } = ctx;
  const configKey = snapshotConfigKey(settings);
  const dataFingerprint = trainingDataFingerprint(ctx.dataset);

  const save = async (): Promise<void> => {
    const step = progress.step;
    const params = await backend.getParams();
    params.shDegree = shDegreeAt(schedule, Math.max(0, step - 1));
    await writeSnapshot(ctx.trainingDir, {
      meta: {
        step,
        totalSteps: settings.steps,
        seed: settings.seed,
        rngState: rng.getState(),
        elapsedSecs: progress.elapsed(),
        configKey,
        settings: resumeSettings(settings),
        dataFingerprint,
        extra: { ...progress.record() },
      },
      params,
      adam: await backend.getAdamState(),
      densifyStats: await backend.densifyStats(),
      arrays: { ...(await ctx.appearance.arrays()), ...ctx.antiAliaser.arrays() },
    });
    progress.lastSnapshotStep = step;
  };

  return {
    save,
    async afterStep(step: number): Promise<void> {
      if (settings.snapshotEvery > 0 && step % settings.snapshotEvery === 0) await save();
    },
  };
}
