/**
 * Training: the Training stage, the standalone `train()` used by `splatbook train`, and the
 * pieces around the GPU kernels (dataset, initialisation, schedule, densification, snapshots,
 * metrics, previews, status file).
 */
export { trainingStage, trainingDatasetPath } from "./training.stage.js";
export { train, loadTrainingDataset } from "./train.js";
export type { TrainOptions, TrainingIo } from "./train.js";
export { runTraining } from "./trainer.js";
export { snapshotConfigKey, trainingDataFingerprint, findResumableSnapshot } from "./resume.js";
export type { TrainerDeps } from "./trainer.js";
export type { RunSettings, RunContext } from "./runContext.js";
export { buildTrainingDataset, holdoutSplit, scaledCamera, HOLDOUT_EVERY } from "./dataset.js";
export type { TrainingDataset, TrainingView, SceneModelInput } from "./dataset.js";
export { initFromPoints, initRandom, INITIAL_OPACITY } from "./init.js";
export {
  createSchedule,
  learningRates,
  positionLr,
  shDegreeAt,
  densifyActions,
} from "./schedule.js";
export type { TrainingSchedule } from "./schedule.js";
export { densify, DEFAULT_DENSIFY } from "./densify.js";
export type { DensifyResult } from "./densify.js";
export { readSnapshot, writeSnapshot, SNAPSHOT_FILE } from "./snapshot.js";
export type { Snapshot, SnapshotMeta } from "./snapshot.js";
export { writeMetrics, encodeMetrics, METRICS_FILENAME } from "./metrics.js";
export type { MetricsRow } from "./metrics.js";
export { psnr, ssim } from "./imageMetrics.js";
export { createReferenceTrainingBackend } from "./referenceBackend.js";
export { TrainingStatusReporter } from "./statusReporter.js";
export type { TrainingStatusSink } from "./statusReporter.js";
export * from "./types.js";
