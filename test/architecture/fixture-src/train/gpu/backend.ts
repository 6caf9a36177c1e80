// Fixture: a cycle through a subfolder (backend → ../schedule → ./gpu/backend).
import { schedule } from "../schedule.js";
export const backend = () => schedule;
