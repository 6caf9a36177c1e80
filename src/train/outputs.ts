import { join } from "node:path";
import type { GaussianParams } from "../contracts/gaussians.js";
import { GROUND_TRUTH_FILE_NAME, previewFileName, writePng } from "./preview.js";
import type { RunProgress } from "./runProgress.js";
import { shDegreeAt } from "./schedule.js";
import type { RunContext } from "./runContext.js";

/**
 * What a run writes for its users: previews (`previews/step_N.png` of the first held-out view,
 * with that view's image as `previews/ground_truth.png` for side-by-side display),
 * periodic `export_N.ply` files in the export path, and the final `training/final.ply` — each
 * with the anti-aliasing filter baked in.
 */
export function createOutputs(
  ctx: RunContext,
  progress: RunProgress,
  writePly: (path: string, params: GaussianParams) => Promise<void>,
) {
  const { settings, backend, schedule, status, dataset } = ctx;
  const previewView = dataset.eval[0] ?? dataset.train[0]!;
  const degree = () => shDegreeAt(schedule, Math.max(0, progress.step - 1));

  let groundTruthWritten = false;
  const preview = async (): Promise<void> => {
    const file = join(ctx.outputFolder, "previews", previewFileName(progress.step));
    await writePng(file, await backend.render(previewView.camera, degree()));
    if (!groundTruthWritten) {
      await writePng(join(ctx.outputFolder, "previews", GROUND_TRUTH_FILE_NAME), previewView.image);
      groundTruthWritten = true;
    }
    await status.update({ preview_file: file }, progress.timing());
  };

  const exportPly = async (file: string, statusName: string): Promise<void> => {
    await status.update(
      { status: "exporting", current_export_file: statusName },
      progress.timing(),
    );
    const params = await backend.getParams();
    params.shDegree = degree();
    await writePly(file, ctx.antiAliaser.bake(params));
  };

  return {
    async afterStep(step: number): Promise<void> {
      if (settings.previewEvery > 0 && step % settings.previewEvery === 0) await preview();
      if (ctx.exportEvery > 0 && step % ctx.exportEvery === 0) {
        const name = `export_${String(step).padStart(5, "0")}.ply`;
        await exportPly(join(ctx.exportPath, name), name);
        await status.update({ status: "training" }, progress.timing());
      }
    },
    /** Writes `training/final.ply` and returns its path. */
    async exportFinal(): Promise<string> {
      const path = join(ctx.trainingDir, "final.ply");
      await exportPly(path, "training/final.ply");
      return path;
    },
  };
}
