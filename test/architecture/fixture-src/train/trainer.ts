// Fixture: the trainer composes a collaborator that takes its context type from the trainer (a
// type-only cycle, still one a reader walks around).
import { evaluate } from "./evaluation.js";
export interface RunContext {
  steps: number;
}
export const run = (ctx: RunContext) => evaluate(ctx);
