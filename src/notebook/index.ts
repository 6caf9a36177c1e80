/** The cell-facing API: `import { Job } from "splatbook"`. */
export { Job, type JobOpenOptions, type StageCallResult } from "./job.js";
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
