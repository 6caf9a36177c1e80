// Fixture: contracts may import util (the lowest layer).
export { x } from "../util/x.js";
