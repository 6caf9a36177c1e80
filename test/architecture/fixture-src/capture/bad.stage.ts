// Fixture for the import-layering test: a stage module importing upward and sideways.
import type { JobRun } from "../engine/job.js";
import { thing } from "../sfm/thing.js";
import { ok } from "../contracts/ok.js";
import { helper } from "./helpers.js";
export type T = import("../train/types.js").Gaussians;
export const bad = [thing, ok, helper] as unknown as JobRun;
