/** One home for every schema shared by the engine, CLI, kernel and lab extension. */
export * from "./stages.js";
export * from "./checkpoint.js";
export * from "./health.js";
export * from "./manifest.js";
export * from "./trainingStatus.js";
export * from "./mime.js";
export * from "./params.js";
export * from "./georef.js";
export * from "./stageResults.js";
export * from "./precalibrated.js";
export type * from "./stage.js";
export type * from "./logger.js";
export type * from "./events.js";
export * from "./ledger.js";
export * from "./viewCameras.js";
export * from "./figures.js";
