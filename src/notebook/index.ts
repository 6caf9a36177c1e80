/** The cell-facing API: `import { Job } from "splatbook"`. */
export { Job, type JobOpenOptions, type StageCallResult } from "./job.js";
/** What each stage method's `result` holds (the stage's record in the checkpoint). */
export type { ValidationResult } from "../capture/validation.stage.js";
export type { FrameExtractionResult } from "../capture/frameExtraction.stage.js";
export type { MetadataExtractionResult } from "../capture/metadataExtraction.stage.js";
export type { ManifestGenerationResult } from "../capture/manifestGeneration.stage.js";
export type { ColmapReconstructionResult } from "../sfm/colmapReconstruction.stage.js";
export type { TrainingStageResult } from "../train/training.stage.js";
export type { PlyExportResult } from "../export/plyExport.stage.js";
export type { SplatExportResult } from "../export/splatExport.stage.js";
export { progressBundle, trainingBundle, splatBundle } from "./bundles.js";
export {
  distance,
  georefBundle,
  georeferenceResult,
  type GeoreferenceResult,
  type ModelPoint,
} from "./georefView.js";
export type { Georef, GeorefCamera, GeorefOrigin } from "../contracts/georef.js";
export { ProgressView } from "./progressView.js";
export { readTrainingPayload } from "./payloads.js";
