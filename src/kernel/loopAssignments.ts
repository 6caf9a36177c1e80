/**
 * Loop heads that assign a cell's top-level names: `for ({ id: sum } of frames)`,
 * `for (key in o)`. The CommonJS step copies every other assignment of a shared top-level name
 * to the shared scope (`exports.sum = sum = …`) but not these, so later cells read the value
 * from before the loop. Each such loop's body now starts by copying the names it assigned.
 */
import type * as TS from "typescript";
import type { TsModule } from "./cellSource.js";
import { isTopLevelDeclaration } from "./cellFiles.js";

/**
 * The transform step for a cell's ES module output. `shared` are the names the cell shares;
 * `scope` is what converted code calls the shared scope.
 */
export function syncLoopAssignments(
  ts: TsModule,
  context: TS.TransformationContext,
  checker: TS.TypeChecker,
  file: TS.SourceFile,
  shared: ReadonlySet<string>,
  scope: string,
): TS.SourceFile {
  const f = context.factory;
  const cell = ts.getOriginalNode(file);
  const isSharedName = (id: TS.Identifier): boolean => {
    if (!shared.has(id.text)) return false;
    const parsed = ts.getParseTreeNode(id);
    const declarations = (parsed && checker.getSymbolAtLocation(parsed)?.declarations) || [];
    return declarations.some((d) => d.getSourceFile() === cell && isTopLevelDeclaration(ts, d));
  };
  const visit = (node: TS.Node): TS.Node => {
    const visited = ts.visitEachChild(node, visit, context);
    if (!ts.isForInStatement(visited) && !ts.isForOfStatement(visited)) return visited;
    if (ts.isVariableDeclarationList(visited.initializer)) return visited;
    const names = [...new Set(targetIdentifiers(ts, visited.initializer).filter(isSharedName))];
    if (names.length === 0) return visited;
    const copies = names.map((id) =>
      f.createExpressionStatement(
        f.createAssignment(
          f.createPropertyAccessExpression(f.createIdentifier(scope), id.text),
          f.createIdentifier(id.text),
        ),
      ),
    );
    const body = ts.isBlock(visited.statement)
      ? f.updateBlock(visited.statement, [...copies, ...visited.statement.statements])
      : f.createBlock([...copies, visited.statement], true);
    return ts.isForInStatement(visited)
      ? f.updateForInStatement(visited, visited.initializer, visited.expression, body)
      : f.updateForOfStatement(
          visited,
          visited.awaitModifier,
          visited.initializer,
          visited.expression,
          body,
        );
  };
  return ts.visitEachChild(file, visit, context);
}

/** The identifiers an assignment target assigns (`a`, `{ b: c = 1, ...d }`, `[e, ...f]`). */
function targetIdentifiers(ts: TsModule, target: TS.Node): TS.Identifier[] {
  if (ts.isIdentifier(target)) return [target];
  if (ts.isParenthesizedExpression(target)) return targetIdentifiers(ts, target.expression);
  if (ts.isBinaryExpression(target) && target.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    return targetIdentifiers(ts, target.left);
  }
  if (ts.isSpreadElement(target) || ts.isSpreadAssignment(target)) {
    return targetIdentifiers(ts, target.expression);
  }
  if (ts.isArrayLiteralExpression(target)) {
    return target.elements.flatMap((e) => targetIdentifiers(ts, e));
  }
  if (ts.isObjectLiteralExpression(target)) {
    return target.properties.flatMap((p) => {
      if (ts.isShorthandPropertyAssignment(p)) return [p.name];
      if (ts.isPropertyAssignment(p)) return targetIdentifiers(ts, p.initializer);
      if (ts.isSpreadAssignment(p)) return targetIdentifiers(ts, p.expression);
      return [];
    });
  }
  return [];
}
