import type { StageName } from "../contracts/stages.js";
import { SplatbookError } from "../util/errors.js";
import type { StageContext, StageContextParams, StageDefinition } from "../contracts/stage.js";

type Loader = () => Promise<StageDefinition<any>>;

/**
 * The Training stage, given what it uses of its neighbours: stage areas never import each other,
 * so the scene reader (src/sfm) and the PLY writer (src/export) are passed in here.
 */
async function loadTrainingStage(): Promise<StageDefinition<any>> {
  const [training, colmap, plyExport] = await Promise.all([
    import("../train/training.stage.js"),
    import("../sfm/colmapReconstruction.stage.js"),
    import("../export/plyExport.stage.js"),
  ]);
  return training.trainingStage({
    loadScene: colmap.loadSceneModel,
    writePly: plyExport.writePly,
  });
}

/**
 * Where each stage lives (`<area>/<camelName>.stage.ts`, exporting `<camelName>Stage`); each
 * module is imported only when a job reaches its stage.
 */
const STAGE_MODULES: ReadonlyArray<readonly [StageName, string, Loader]> = [
  [
    "Validation",
    "capture/validation.stage",
    async () => (await import("../capture/validation.stage.js")).validationStage,
  ],
  [
    "FrameExtraction",
    "capture/frameExtraction.stage",
    async () => (await import("../capture/frameExtraction.stage.js")).frameExtractionStage,
  ],
  [
    "MetadataExtraction",
    "capture/metadataExtraction.stage",
    async () => (await import("../capture/metadataExtraction.stage.js")).metadataExtractionStage,
  ],
  [
    "ManifestGeneration",
    "capture/manifestGeneration.stage",
    async () => (await import("../capture/manifestGeneration.stage.js")).manifestGenerationStage,
  ],
  [
    "ColmapReconstruction",
    "sfm/colmapReconstruction.stage",
    async () => (await import("../sfm/colmapReconstruction.stage.js")).colmapReconstructionStage,
  ],
  ["Training", "train/training.stage", loadTrainingStage],
  [
    "PlyExport",
    "export/plyExport.stage",
    async () => (await import("../export/plyExport.stage.js")).plyExportStage,
  ],
  [
    "SplatExport",
    "export/splatExport.stage",
    async () => (await import("../export/splatExport.stage.js")).splatExportStage,
  ],
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
    // A module that cannot load fails its stage when a job reaches it, not every run's start.
    checkParams: async (params: StageContextParams) =>
      (await get().catch(() => undefined))?.checkParams?.(params),
    summarize: (result: unknown) => need().summarize?.(result) ?? {},
    skipReason: (ctx: StageContext) => need().skipReason?.(ctx) ?? null,
    onFailure: async (ctx: StageContext, message: string) => loaded?.onFailure?.(ctx, message),
  };
}

/** The pipeline's 8 stages, in order, each loaded when first reached. */
export async function loadStageTable(): Promise<StageDefinition[]> {
  return STAGE_MODULES.map(([name, moduleName, load]) => lazyStage(name, moduleName, load));
}
