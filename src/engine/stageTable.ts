import type { StageName } from "../contracts/stages.js";
import { SplatbookError } from "../util/errors.js";
import type { StageContext, StageDefinition } from "./types.js";

type Loader = () => Promise<StageDefinition<any>>;

/** Where each stage lives; loaded only when the job reaches it. */
const STAGE_MODULES: ReadonlyArray<readonly [StageName, string, Loader]> = [
  ["Validation", "capture", async () => (await import("../capture/index.js")).validationStage],
  [
    "FrameExtraction",
    "capture",
    async () => (await import("../capture/index.js")).frameExtractionStage,
  ],
  [
    "MetadataExtraction",
    "capture",
    async () => (await import("../capture/index.js")).metadataExtractionStage,
  ],
  [
    "ManifestGeneration",
    "capture",
    async () => (await import("../capture/index.js")).manifestGenerationStage,
  ],
  [
    "ColmapReconstruction",
    "sfm",
    async () => (await import("../sfm/index.js")).colmapReconstructionStage,
  ],
  ["Training", "train", async () => (await import("../train/index.js")).trainingStage],
  ["PlyExport", "export", async () => (await import("../export/index.js")).plyExportStage],
  ["SplatExport", "export", async () => (await import("../export/index.js")).splatExportStage],
];

/**
 * Wraps a stage whose module is imported on first use. The engine always calls
 * `fingerprintInputs` (async) before `skipReason`, `run` and `summarize`, so the module is loaded
 * by the time the synchronous hooks are reached. A module that fails to load makes the stage
 * fail with "stage X is not available in this build" — only when a job reaches it, so `--until`
 * an earlier stage still works.
 */
export function lazyStage(name: StageName, moduleName: string, load: Loader): StageDefinition {
  let loaded: StageDefinition<any> | undefined;
  let loading: Promise<StageDefinition<any>> | undefined;
  const get = async (): Promise<StageDefinition<any>> => {
    loading ??= load().then(
      (def) => {
        if (!def || def.name !== name) {
          throw new Error(`module ${moduleName} exports no ${name} stage`);
        }
        return (loaded = def);
      },
      (err: unknown) => {
        throw err;
      },
    );
    try {
      return await loading;
    } catch (err) {
      loading = undefined;
      throw new SplatbookError(
        `stage ${name} is not available in this build (${moduleName}: ${(err as Error).message})`,
        { cause: err },
      );
    }
  };
  const need = (): StageDefinition<any> => {
    if (!loaded) throw new SplatbookError(`stage ${name} used before it was loaded`);
    return loaded;
  };
  return {
    name,
    fingerprintInputs: async (ctx: StageContext) => (await get()).fingerprintInputs(ctx),
    run: async (ctx: StageContext) => (await get()).run(ctx),
    summarize: (result: unknown) => need().summarize?.(result) ?? {},
    skipReason: (ctx: StageContext) => need().skipReason?.(ctx) ?? null,
  };
}

/** The pipeline's 8 stages, in order, each loaded when first reached. */
export async function loadStageTable(): Promise<StageDefinition[]> {
  return STAGE_MODULES.map(([name, moduleName, load]) => lazyStage(name, moduleName, load));
}
