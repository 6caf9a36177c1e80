/**
 * The PlyExport pipeline stage: validates the trainer's PLY (Training's `params_path`) and writes
 * `<output>/model.ply` in the INRIA layout.
 */
import { join, resolve } from "node:path";
import type { StageContext, StageDefinition } from "../contracts/stage.js";
import { SplatbookError } from "../util/errors.js";
import { fileIdentity } from "./fileIdentity.js";
import { readPly, writePly } from "./ply.js";
import type { PlyExportResult } from "../contracts/stageResults.js";

/** The trainer's PLY, from the Training stage's result. */
function trainedParamsPath(ctx: Pick<StageContext, "resultOf" | "outputFolder">): string {
  const training = ctx.resultOf("Training");
  if (!training) {
    throw new SplatbookError(
      `${ctx.outputFolder}: PlyExport needs the Training stage's result (params_path); run Training first`,
    );
  }
  return resolve(ctx.outputFolder, training.params_path);
}

/** Stage 6: validated INRIA-layout `model.ply`. */
export const plyExportStage: StageDefinition<PlyExportResult> = {
  name: "PlyExport",
  async fingerprintInputs(ctx) {
    return { source: await fileIdentity(trainedParamsPath(ctx)) };
  },
  async run(ctx) {
    const source = trainedParamsPath(ctx);
    ctx.progress(0, "reading trained parameters");
    const params = await readPly(source); // checks the layout and truncation
    if (params.count === 0)
      throw new SplatbookError(`${source}: the trained model has no splats`, { file: source });
    const plyPath = join(resolve(ctx.outputFolder), "model.ply");
    await writePly(plyPath, params); // rejects non-finite values, writes atomically
    ctx.log.info(
      `PlyExport: ${params.count} splats (SH degree ${params.maxShDegree}) → ${plyPath}`,
    );
    ctx.progress(1);
    return { ply_path: plyPath, gaussian_count: params.count, sh_degree: params.maxShDegree };
  },
  summarize: (r) => ({ ply_path: r.ply_path, gaussian_count: r.gaussian_count }),
};

/** The PLY writer, for the stage table to hand to Training (stage areas do not import each other). */
export { writePly } from "./ply.js";
