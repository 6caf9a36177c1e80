// Fixture: passing names on (re-exports) declares nothing.
import { thing } from "./thing.js";
export { cameraCentre } from "./sceneModel.js";
export { thing };
