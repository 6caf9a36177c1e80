/**
 * The PlyExport pipeline stage: validates the trainer's PLY (Training's `params_path`) and writes
 * `<output>/model.ply` in the INRIA layout, with the georeference beside it (`georef.json`).
 */
import { join, resolve } from "node:path";
import type { StageContext, StageDefinition } from "../contracts/stage.js";
import { SplatbookError } from "../util/errors.js";
import { fileIdentity } from "./fileIdentity.js";
import { projectedCrs } from "../util/projection.js";
import { GEOREF_FILENAME, type Georef } from "../contracts/georef.js";
import {
  exportRecord,
  georefComments,
  removeGeorefSidecar,
  writeGeorefSidecar,
} from "./georefSidecar.js";
import { readPly, writePly } from "./ply.js";
import type { PlyExportResult } from "../contracts/stageResults.js";

/** ColmapReconstruction's georeference, when it made one. */
function reconstructionGeoref(ctx: Pick<StageContext, "resultOf">): Georef | null {
  return ctx.resultOf("ColmapReconstruction")?.georef ?? null;
}

/** Writes (or removes) the sidecar; returns it with the PLY header comments naming it. */
async function sidecar(ctx: StageContext): Promise<{ path: string | null; record: Georef | null }> {
  const georef = reconstructionGeoref(ctx);
  if (!georef) {
    await removeGeorefSidecar(ctx.outputFolder);
    ctx.log.info("PlyExport: no georeference (precalibrated input): the model keeps its frame");
    return { path: null, record: null };
  }
  const crs = typeof ctx.params.crs === "string" ? ctx.params.crs : null;
  const record = await exportRecord(georef, crs);
  return { path: await writeGeorefSidecar(ctx.outputFolder, record), record };
}

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
  async checkParams(params) {
    if (typeof params.crs === "string") await projectedCrs(params.crs);
  },
  async run(ctx) {
    const source = trainedParamsPath(ctx);
    ctx.progress(0, "reading trained parameters");
    const params = await readPly(source); // checks the layout and truncation
    if (params.count === 0)
      throw new SplatbookError(`${source}: the trained model has no splats`, { file: source });
    const plyPath = join(resolve(ctx.outputFolder), "model.ply");
    const geo = await sidecar(ctx);
    const comments = geo.record ? georefComments(geo.record, GEOREF_FILENAME) : [];
    await writePly(plyPath, params, comments); // rejects non-finite values, writes atomically
    ctx.log.info(
      `PlyExport: ${params.count} splats (SH degree ${params.maxShDegree}) → ${plyPath}` +
        (geo.record ? `; ${geo.record.frame} frame in ${GEOREF_FILENAME}` : ""),
    );
    ctx.progress(1);
    return {
      ...{ ply_path: plyPath, gaussian_count: params.count, sh_degree: params.maxShDegree },
      ...{ georef_path: geo.path, epsg: geo.record?.epsg ?? null },
    };
  },
  summarize: (r) => ({ ply_path: r.ply_path, gaussian_count: r.gaussian_count }),
};

/** The PLY writer, for the stage table to hand to Training (stage areas do not import each other). */
export { writePly } from "./ply.js";
