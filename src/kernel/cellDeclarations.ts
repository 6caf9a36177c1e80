/**
 * Earlier cells' declarations, as the type checker sees them in later cells. tslab's converter
 * returns them as declaration-file text after each cell: the cell's own declarations plus the
 * earlier ones it did not shadow. It keeps variables, functions, classes, enums, interfaces,
 * type aliases and imports, but silently drops namespaces and `import A = NS.B` aliases, so a
 * namespace stopped existing for the type checker one cell after it was declared.
 */
import type * as TS from "typescript";
import type { TsModule } from "./cellSource.js";

/**
 * The declarations for the next cell: `next` (tslab's result) plus the namespaces and import
 * aliases of `previous` whose names the cell did not declare again (`declaredByCell`).
 */
export function carryOverDeclarations(
  ts: TsModule,
  previous: string,
  next: string,
  declaredByCell: ReadonlySet<string>,
): string {
  if (previous === "") return next;
  const file = ts.createSourceFile("prev.d.ts", previous, ts.ScriptTarget.Latest, true);
  const dropped = file.statements.filter((s) => {
    const name = droppedKindName(ts, s);
    return name !== undefined && !declaredByCell.has(name);
  });
  if (dropped.length === 0) return next;
  return `${next.trimEnd()}\n${dropped.map((s) => s.getText(file)).join("\n")}\n`;
}

/** The name of a namespace or import alias statement (the kinds tslab drops), else undefined. */
function droppedKindName(ts: TsModule, statement: TS.Statement): string | undefined {
  if (ts.isImportEqualsDeclaration(statement)) return statement.name.text;
  if (!ts.isModuleDeclaration(statement) || !ts.isIdentifier(statement.name)) return undefined;
  // `declare global { … }` augments the global scope; it has no name a cell could shadow.
  if (statement.flags & ts.NodeFlags.GlobalAugmentation) return undefined;
  return statement.name.text;
}
