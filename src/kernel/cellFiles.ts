/**
 * What the cell transforms share: how they tell tslab's files apart (the cell being converted,
 * earlier cells' declarations), applying a transform to the cell only, and which declarations
 * are a file's top-level names.
 */
import type * as TS from "typescript";
import type { TsModule } from "./cellSource.js";

/** How the transforms tell the cell apart from earlier cells' declarations. */
export interface CellFiles {
  /** True for the file holding the cell being converted (tslab's `__tslab__.ts`). */
  isCell(fileName: string): boolean;
  /** True for the file holding earlier cells' declarations (tslab's `__prev__.d.ts`). */
  isEarlierCells(fileName: string): boolean;
}

/** A transform applied to the cell's output only, not to local modules the cell imports. */
export function cellOnly(
  ts: TsModule,
  files: CellFiles,
  transform: (context: TS.TransformationContext, file: TS.SourceFile) => TS.SourceFile,
): TS.TransformerFactory<TS.SourceFile> {
  return (context) => (file) => {
    const original = ts.getOriginalNode(file);
    if (!ts.isSourceFile(original) || !files.isCell(original.fileName)) return file;
    return transform(context, file);
  };
}

/** A declaration that is (part of) a statement directly in its file: a name the file declares. */
export function isTopLevelDeclaration(ts: TsModule, declaration: TS.Node): boolean {
  let statement: TS.Node | undefined = declaration;
  if (ts.isVariableDeclaration(declaration)) statement = declaration.parent?.parent;
  else if (ts.isImportSpecifier(declaration)) statement = declaration.parent?.parent?.parent;
  else if (ts.isNamespaceImport(declaration)) statement = declaration.parent?.parent;
  else if (ts.isImportClause(declaration)) statement = declaration.parent;
  return statement?.parent !== undefined && ts.isSourceFile(statement.parent);
}
