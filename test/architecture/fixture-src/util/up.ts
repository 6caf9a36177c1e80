// Fixture: util must not import contracts.
export { ok } from "../contracts/ok.js";
