/**
 * Which identifiers of a converted cell name an earlier cell's top-level declaration.
 *
 * tslab's converter rewrites every identifier whose symbol has a declaration anywhere in the
 * earlier cells' declaration file (`__prev__.d.ts`) into `exports.<name>`. That is right for a
 * reference to an earlier cell's variable, and wrong for a property name whose symbol is a
 * member of an earlier cell's type: in `const { n: n2 } = cfg`, `n` resolves to the property
 * `n` of `declare const cfg: { n: number }`, and became `exports.n`, which prints as
 * `let { exports, n: n2 } = exports.cfg` (a SyntaxError about generated code). The same went
 * for parameter destructuring (`function f({ n: m }: typeof cfg)`) and destructuring
 * assignments (`({ n: x } = cfg)`).
 *
 * The transform here runs on the cell's JavaScript syntax tree just before tslab's: an
 * identifier whose symbol is declared in the earlier cells' file but is none of that file's
 * top-level declarations (a property, method, parameter or namespace member) is replaced by a
 * fresh identifier with the same text and position, which tslab's rewrite leaves alone (it has
 * no symbol). References to earlier cells' names keep their symbols and are rewritten as before.
 */
import type * as TS from "typescript";
import type { TsModule } from "./cellSource.js";
import { cellOnly, isTopLevelDeclaration, type CellFiles } from "./cellFiles.js";

/** The `after` transform (placed before tslab's) described in the module comment. */
export function hideMemberNamesFromConverter(
  ts: TsModule,
  checker: TS.TypeChecker,
  files: CellFiles,
): TS.TransformerFactory<TS.SourceFile> {
  return cellOnly(ts, files, (context, file) => {
    const f = context.factory;
    const visit = (node: TS.Node): TS.Node => {
      if (ts.isIdentifier(node)) {
        if (!isEarlierCellsMember(ts, checker, files, node)) return node;
        const fresh = f.createIdentifier(ts.idText(node));
        ts.setSourceMapRange(fresh, node);
        return ts.setTextRange(fresh, node);
      }
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitEachChild(file, visit, context);
  });
}

/**
 * True when the identifier's symbol has declarations in the earlier cells' file, none of them
 * top-level there: tslab would rewrite it though it names no earlier cell's variable.
 */
function isEarlierCellsMember(
  ts: TsModule,
  checker: TS.TypeChecker,
  files: CellFiles,
  id: TS.Identifier,
): boolean {
  // Identifiers the compiler made (helpers, generated names) have no parse-tree node.
  if (!ts.getParseTreeNode(id)) return false;
  const declarations = checker.getSymbolAtLocation(id)?.declarations ?? [];
  const earlier = declarations.filter((d) => files.isEarlierCells(d.getSourceFile().fileName));
  return earlier.length > 0 && !earlier.some((d) => isTopLevelDeclaration(ts, d));
}
