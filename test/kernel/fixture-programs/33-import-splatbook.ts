// The splatbook package from a cell: its contracts and errors.
import { STAGES, stageIndex, progressPercentage, SH_C0, floatsPerSplat, SplatbookError } from "splatbook";
import type { StageName } from "splatbook";
const first: StageName = STAGES[0];
console.log(STAGES.length, first, stageIndex("Training"), progressPercentage("Training"));
console.log(SH_C0.toFixed(4), floatsPerSplat(0), floatsPerSplat(3));
const err = new SplatbookError("bad capture");
console.log(err instanceof Error, err.name, err.message);
