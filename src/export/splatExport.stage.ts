/** The SplatExport pipeline stage: converts `<output>/model.ply` to `<output>/model.splat`. */
import { join, resolve } from "node:path";
import type { StageDefinition } from "../contracts/stage.js";
import { fileIdentity } from "./fileIdentity.js";
import { readPly } from "./ply.js";
import { writeSplat } from "./splat.js";
import type { SplatExportResult } from "../contracts/stageResults.js";

/** Stage 7: `model.splat` from `model.ply`. */
export const splatExportStage: StageDefinition<SplatExportResult> = {
  name: "SplatExport",
  async fingerprintInputs(ctx) {
    return { source: await fileIdentity(join(resolve(ctx.outputFolder), "model.ply")) };
  },
  async run(ctx) {
    const source = join(resolve(ctx.outputFolder), "model.ply");
    ctx.progress(0, "reading model.ply");
    const params = await readPly(source);
    const splatPath = join(resolve(ctx.outputFolder), "model.splat");
    await writeSplat(splatPath, params);
    ctx.log.info(`SplatExport: ${params.count} splats → ${splatPath}`);
    ctx.progress(1);
    const georef = ctx.resultOf("PlyExport")?.georef_path ?? null;
    return { splat_path: splatPath, gaussian_count: params.count, georef_path: georef };
  },
  summarize: (r) => ({ splat_path: r.splat_path }),
};
