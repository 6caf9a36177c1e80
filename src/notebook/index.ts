/** The cell-facing API: `import { Job } from "splatbook"`. */
export { Job, type JobOpenOptions, type StageCallResult } from "./job.js";
export { progressBundle, trainingBundle, splatBundle } from "./bundles.js";
export { ProgressView, readTrainingPayload } from "./progressView.js";
