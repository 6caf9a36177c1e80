/** Status surfaces: the `/health` endpoint and seed 001's `training_status.json` writer. */
export { createHealthTracker, type HealthTracker } from "./healthState.js";
export {
  healthConfigFromEnv,
  startHealthServer,
  type HealthConfig,
  type HealthServer,
} from "./healthServer.js";
export {
  createTrainingStatusWriter,
  markTrainingStatusError,
  rfc3339,
  DEFAULT_STATUS_THROTTLE_MS,
  type TrainingStatusWriter,
} from "./trainingStatusWriter.js";
