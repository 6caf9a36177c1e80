// Fixture: the stage table may import stage modules.
export const load = () => import("../capture/bad.stage.js");
