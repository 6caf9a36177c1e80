/** A function longer than the limit, with where it stands (path relative to the root given). */
export interface LongFunction {
  file: string;
  name: string;
  start: number;
  end: number;
  lines: number;
  /** A comment starting `long:` directly above it says why it stays long. */
  reason: boolean;
}

export const MAX_FUNCTION_LINES: number;
export function longFunctionsIn(
  file: string,
  text: string,
  max?: number,
): Array<Omit<LongFunction, "file">>;
export function longFunctions(root: string, dirs: string[], max?: number): LongFunction[];
