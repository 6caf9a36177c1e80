// Fixture: contracts must not import util.
export { x } from "../util/x.js";
