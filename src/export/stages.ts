/**
 * The PlyExport and SplatExport pipeline stages. PlyExport validates the trainer's PLY (Training's
 * `params_path`) and writes `<output>/model.ply`; SplatExport converts that to `<output>/model.splat`.
 */
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { StageContext, StageDefinition } from "../engine/types.js";
import { SplatbookError } from "../util/errors.js";
import { readPly, writePly } from "./ply.js";
import { writeSplat } from "./splat.js";

/** PlyExport's result (recorded in the checkpoint). */
export interface PlyExportResult {
  ply_path: string;
  gaussian_count: number;
  sh_degree: number;
}

/** SplatExport's result. */
export interface SplatExportResult {
  splat_path: string;
  gaussian_count: number;
}

/** Path and identity (size, mtime) of a file, for fingerprints; null fields if it is missing. */
async function fileIdentity(
  path: string,
): Promise<{ path: string; size: number | null; mtimeMs: number | null }> {
  try {
    const s = await stat(path);
    return { path, size: s.size, mtimeMs: s.mtimeMs };
  } catch {
    return { path, size: null, mtimeMs: null };
  }
}

/** The trainer's PLY, from the Training stage's result. */
function trainedParamsPath(ctx: Pick<StageContext, "resultOf" | "outputFolder">): string {
  const training = ctx.resultOf<{ params_path?: unknown }>("Training");
  if (!training || typeof training.params_path !== "string" || training.params_path === "") {
    throw new SplatbookError(
      `${ctx.outputFolder}: PlyExport needs the Training stage's result (params_path); run Training first`,
    );
  }
  return resolve(ctx.outputFolder, training.params_path);
}

/** Stage 7: validated INRIA-layout `model.ply`. */
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

/** Stage 8: `model.splat` from `model.ply`. */
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
    return { splat_path: splatPath, gaussian_count: params.count };
  },
  summarize: (r) => ({ splat_path: r.splat_path }),
};
