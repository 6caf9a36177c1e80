/**
 * Structure from motion: the ColmapReconstruction stage, the COLMAP runner, and readers that
 * turn a COLMAP model (binary or text) or a nerfstudio transforms.json into one SceneModel.
 */
export {
  colmapReconstructionStage,
  cameraPrior,
  videoFramesFromManifest,
  attemptLine,
  layoutOfGroups,
} from "./colmapReconstruction.stage.js";
export {
  reconstructWithLadder,
  undistortToPinhole,
  matchRequest,
  type LadderOptions,
  type LadderResult,
  type VideoFrames,
} from "./colmapRunner.js";
export {
  ladderRungs,
  describeRung,
  firstPairs,
  morePairs,
  pairCount,
  SEQUENTIAL_OVERLAP,
  type MatcherParam,
  type PairChoice,
  type Rung,
} from "./ladder.js";
export {
  videoPairs,
  capturePairs,
  layoutOf,
  type Layout,
  choosePairPlan,
  sampleIndices,
  exhaustivePairCount,
  denser,
  DEFAULT_DENSITY,
  EXHAUSTIVE_COST_FACTOR,
  EXHAUSTIVE_AFFORDABLE_PAIRS,
  framesPerPhoto,
  type FramePair,
  type PairDensity,
  type PairPlan,
} from "./pairs.js";
export {
  chooseSiftSettings,
  strongerSift,
  sameSift,
  groupFirstOctave,
  UPSAMPLE_BELOW_LONG_SIDE,
  type SiftSettings,
} from "./siftSettings.js";
export { loadSceneModel, loadColmapModel, type LoadSceneOptions } from "./load.js";
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
export {
  georeference,
  imageLabel,
  originOf,
  NO_GPS_SUMMARY,
  WEAK_GPS,
  type ImageInfo,
  type RegisteredCamera,
  type GeoreferenceOutcome,
} from "./georef/georeference.js";
export { georeferenceStep, type GeoreferenceStepOptions } from "./georef/step.js";
export { imageInfos, frameImageName } from "./georef/imageInfo.js";
export {
  fitGps,
  INLIER_CHI2,
  PRIOR_SIGMA,
  type GpsFit,
  type GpsFitInput,
} from "./georef/gpsFit.js";
export {
  estimateUp,
  constraintOf,
  type AttitudeObservation,
  type UpEstimate,
} from "./georef/gravity.js";
export { writeModelInFrame, transformPose } from "./georef/modelTransform.js";
