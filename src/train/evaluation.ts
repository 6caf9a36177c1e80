import { join } from "node:path";
import type { TrainingView } from "./dataset.js";
import { fittedHalfPsnr } from "./appearance.js";
import { psnr, ssim } from "./imageMetrics.js";
import { METRICS_FILENAME, writeMetrics } from "./metrics.js";
import type { RunProgress } from "./runProgress.js";
import { learningRates, shDegreeAt } from "./schedule.js";
import type { RunContext } from "./runContext.js";

/**
 * Held-out evaluation: mean PSNR and SSIM over the held-out views (the first training view when
 * nothing is held out) every `evalEvery` steps and at the end; each evaluation adds a row to
 * metrics.arrow and updates the status file.
 */
export function createEvaluator(ctx: RunContext, progress: RunProgress) {
  const { dataset, backend, schedule, settings, status, log } = ctx;
  const views: TrainingView[] = dataset.eval.length ? dataset.eval : [dataset.train[0]!];
  const metricsPath = join(ctx.outputFolder, METRICS_FILENAME);

  const evaluate = async (): Promise<void> => {
    const step = progress.step;
    await status.update({ status: "evaluating", current_iteration: step }, progress.timing());
    const degree = shDegreeAt(schedule, step - 1);
    let ps = 0;
    let ss = 0;
    let fitted = 0;
    for (const v of views) {
      const img = await backend.render(v.camera, degree);
      ps += psnr(img, v.image);
      ss += ssim(img, v.image);
      fitted += fittedHalfPsnr(img, v.image);
    }
    const n = views.length;
    const last = { step, psnr: ps / n, ssim: ss / n, psnrFitted: fitted / n };
    progress.last = last;
    progress.history.push({
      step,
      loss: progress.takeMeanLoss(),
      psnr: last.psnr,
      ssim: last.ssim,
      psnr_fitted: last.psnrFitted,
      splat_count: backend.count,
      elapsed_secs: progress.elapsed(),
      position_lr: learningRates(schedule, step - 1, dataset.sceneExtent).means,
    });
    await writeMetrics(metricsPath, progress.history);
    log.info(
      `step ${step}: PSNR ${last.psnr.toFixed(2)} dB, SSIM ${last.ssim.toFixed(4)}, ` +
        `fitted-half PSNR ${last.psnrFitted.toFixed(2)} dB`,
    );
    await status.update(
      {
        status: "training",
        last_eval_psnr: last.psnr,
        last_eval_ssim: last.ssim,
        current_splat_count: backend.count,
        psnr_history: progress.psnrHistory(),
      },
      progress.timing(),
    );
  };

  return {
    evaluate,
    async afterStep(step: number): Promise<void> {
      const due = settings.evalEvery > 0 && step % settings.evalEvery === 0;
      if (due || step === settings.steps) await evaluate();
    },
  };
}
