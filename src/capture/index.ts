/** Pipeline stages 0–3 (capture): Validation, FrameExtraction, MetadataExtraction, ManifestGeneration. */
export {
  validationStage,
  validateInput,
  listInputFiles,
  inputIdentities,
  precalibratedSkipReason,
  type ValidationResult,
  type FileIdentity,
} from "./validation.stage.js";
export {
  probe,
  parseRate,
  ffmpegInputUrl,
  type VideoProbe,
  type FileIssue,
  type ProbeOutcome,
} from "./probe.js";
export { detectPrecalibrated, type Precalibrated } from "./precalibrated.js";
export {
  frameExtractionStage,
  extractFrames,
  type ExtractFramesOptions,
  type FrameExtractionResult,
  type ExtractedVideo,
  type ExtractedFrame,
} from "./frameExtraction.stage.js";
export {
  extractVideoFrames,
  writeFramesArgs,
  FRAME_PATTERN,
  type ExtractVideoOptions,
  type ExtractionStrategy,
  type ExtractedFrames,
  type WrittenFrame,
} from "./extractVideo.js";
export {
  extractionOptions,
  defaultExtractionOptions,
  outputSize,
  samplingPlan,
  uniformSelectExpression,
  DEFAULT_FRAMES_PER_VIDEO,
  DEFAULT_MAX_LONG_SIDE,
  type ExtractionOptions,
  type SamplingPlan,
} from "./sampling.js";
export {
  keyframeInterval,
  measureDecodeCost,
  shouldSeek,
  seekExtract,
  type DecodeCost,
} from "./seekExtract.js";
export { laplacianVariance, sharpestPerWindow, type ScoredFrame } from "./sharpness.js";
export { safeStem, assignStems } from "./stems.js";
export {
  metadataExtractionStage,
  extractMetadata,
  readExif,
  videoMetadata,
  parseIso6709,
  gpsFromExif,
  type VideoMetadata,
  type MetadataExtractionResult,
} from "./metadataExtraction.stage.js";
export {
  manifestGenerationStage,
  buildManifest,
  writeManifest,
  intrinsicsPrior,
  DEFAULT_FOV_DEG,
  type ManifestGenerationResult,
} from "./manifestGeneration.stage.js";
export { focalPxFrom35mm, FILM_DIAGONAL_MM } from "./intrinsicsPrior.js";

import { validationStage } from "./validation.stage.js";
import { frameExtractionStage } from "./frameExtraction.stage.js";
import { metadataExtractionStage } from "./metadataExtraction.stage.js";
import { manifestGenerationStage } from "./manifestGeneration.stage.js";

/** Stages 0–3 in pipeline order, for the engine's stage list. */
export const captureStages = [
  validationStage,
  frameExtractionStage,
  metadataExtractionStage,
  manifestGenerationStage,
] as const;
