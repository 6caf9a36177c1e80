// Fixture: the engine reaches a stage area outside its stage table.
export class JobRun {}
export const h = () => import("../capture/helpers.js");
