/** Status surfaces: the `/health` endpoint and the `training_status.json` writer (Brush's status file format). */
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
