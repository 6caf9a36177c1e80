/**
 * Structure from motion: the ColmapReconstruction stage, the COLMAP runner, and readers that
 * turn a COLMAP model (binary or text) or a nerfstudio transforms.json into one SceneModel.
 */
export {
  colmapReconstructionStage,
  chooseMatcher,
  cameraPrior,
  videoFramesFromManifest,
  EXHAUSTIVE_MAX_FRAMES,
  SEQUENTIAL_OVERLAP,
  MAX_NUM_FEATURES,
  type ColmapReconstructionResult,
} from "./colmapReconstruction.stage.js";
export {
  runSparseReconstruction,
  undistortToPinhole,
  type SparseOptions,
  type SparseResult,
  type VideoFrames,
  type MatcherKind,
} from "./colmapRunner.js";
export {
  loadSceneModel,
  loadColmapModel,
  findColmapModelDir,
  detectPrecalibratedInput,
  type LoadSceneOptions,
  type PrecalibratedInput,
} from "./load.js";
export { readColmapBinary, countRegisteredImages, type RawColmapModel } from "./colmapBinary.js";
export { readColmapText } from "./colmapText.js";
export { readTransformsJson, viewmatFromOpenGlCameraToWorld } from "./transforms.js";
export { readPlyPoints } from "./plyPoints.js";
export { readImageSize } from "./imageSize.js";
export { CAMERA_MODELS, pinholePart, type CameraModelInfo } from "./cameraModels.js";
export {
  meanReprojectionError,
  viewmatFromQuaternion,
  cameraCentre,
  PINHOLE_MODELS,
  type SceneModel,
  type SceneCamera,
  type SceneImage,
  type ScenePoints,
} from "./sceneModel.js";
