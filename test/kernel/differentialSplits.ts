/**
 * How the differential test cuts a program into notebook cells. A program's top-level
 * statements form units (an overloaded function's signatures and its implementation are one
 * unit: TypeScript has no way to declare them apart; a program that does not parse is one
 * unit); a split puts a cell boundary between some of the units. Every program runs at least
 * with one unit per cell, then with a seeded sample of splits that keep several units in a
 * cell.
 */
import type * as TS from "typescript";
import type { TsModule } from "../../src/kernel/cellSource.js";

/** The units of a program: source text of consecutive top-level statements. */
export function programUnits(ts: TsModule, source: string): string[] {
  const file = ts.createSourceFile("program.ts", source, ts.ScriptTarget.Latest, true);
  // A program that does not parse has no statement boundaries to trust: it is one unit.
  const parseErrors = (file as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics;
  if (parseErrors.length > 0) return [source.trim()];
  const units: { start: number; end: number; overloads?: string }[] = [];
  for (const statement of file.statements) {
    const last = units[units.length - 1];
    const start = statement.pos;
    if (last?.overloads !== undefined && last.overloads === functionName(ts, statement)) {
      last.end = statement.end;
      last.overloads = isSignature(ts, statement) ? last.overloads : undefined;
      continue;
    }
    const overloads = isSignature(ts, statement) ? functionName(ts, statement) : undefined;
    units.push({ start, end: statement.end, overloads });
  }
  return units.map((u) => source.slice(u.start, u.end).trim());
}

function functionName(ts: TsModule, statement: TS.Statement): string | undefined {
  return ts.isFunctionDeclaration(statement) ? statement.name?.text : undefined;
}

/** A function declaration without a body that is not ambient: an overload signature. */
function isSignature(ts: TsModule, statement: TS.Statement): boolean {
  if (!ts.isFunctionDeclaration(statement) || statement.body) return false;
  const modifiers = ts.getModifiers(statement) ?? [];
  return !modifiers.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword);
}

/** A split: for each unit, the index of the cell it goes to (non-decreasing from 0). */
export type Split = number[];

/** One unit per cell. */
export function everyUnitSplit(units: number): Split {
  return Array.from({ length: units }, (_, i) => i);
}

/**
 * `count` distinct seeded splits other than one unit per cell (each boundary cut with
 * probability one half), fewer when the program has fewer.
 */
export function randomSplits(units: number, count: number, random: () => number): Split[] {
  const seen = new Set([everyUnitSplit(units).join()]);
  const splits: Split[] = [];
  for (let tries = 0; splits.length < count && tries < count * 20; tries++) {
    const split = [0];
    for (let i = 1; i < units; i++) split.push(split[i - 1]! + (random() < 0.5 ? 1 : 0));
    const key = split.join();
    if (seen.has(key)) continue;
    seen.add(key);
    splits.push(split);
  }
  return splits;
}

/** The cells' source text for a split of the units. */
export function cellsOf(units: readonly string[], split: Split): string[] {
  const cells: string[] = [];
  units.forEach((unit, i) => {
    const cell = split[i]!;
    cells[cell] = cells[cell] === undefined ? unit : `${cells[cell]}\n${unit}`;
  });
  return cells;
}

/** A split written as the unit counts of its cells: `[1, 3, 2]`. */
export function describeSplit(split: Split): string {
  const sizes: number[] = [];
  for (const cell of split) sizes[cell] = (sizes[cell] ?? 0) + 1;
  return `[${sizes.join(", ")}]`;
}
