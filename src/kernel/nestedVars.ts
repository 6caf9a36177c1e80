/**
 * `var`s a cell declares inside its top-level blocks and loops (`for (var i = 0; …)`,
 * `if (…) { var v = … }`, `try { var r = … }`): top-level names of the cell, as in a script,
 * which tslab's converter left half-shared. TypeScript's declaration output covers only
 * top-level statements, so later cells failed to type-check them (`Cannot find name 'i'`), and
 * the CommonJS step copied only some of their assignments to the shared scope (`i++`, not the
 * declaration's own `= 0` or a destructuring `var [a, b] = …`), so later cells read stale values.
 *
 *  - {@link nestedVarDeclarations} adds `declare var i: <its type>;` to the cell's declarations;
 *  - {@link hoistNestedVars} turns each nested declaration into an assignment and declares the
 *    names once at the top as `export var i, v, r;`, whose every reference the CommonJS step
 *    turns into `exports.i`: one binding, shared with later cells from the first assignment on.
 */
import type * as TS from "typescript";
import type { TsModule } from "./cellSource.js";

/** The `afterDeclarations` transform: `declare var` for the cell's nested top-level `var`s. */
export function nestedVarDeclarations(
  ts: TsModule,
  checker: TS.TypeChecker,
  isCell: (fileName: string) => boolean,
): TS.TransformerFactory<TS.SourceFile | TS.Bundle> {
  return (context) => (node) => {
    const cell = ts.getOriginalNode(node);
    if (!ts.isSourceFile(node) || !ts.isSourceFile(cell) || !isCell(cell.fileName)) return node;
    const f = context.factory;
    const flags = ts.NodeBuilderFlags.NoTruncation | ts.NodeBuilderFlags.IgnoreErrors;
    const declared = [...nestedVarNames(ts, cell)].map(([name, id]) => {
      const symbol = checker.getSymbolAtLocation(id);
      const type = symbol && checker.getTypeOfSymbolAtLocation(symbol, id);
      const typeNode = (type && checker.typeToTypeNode(type, cell, flags)) ?? anyType(ts, f);
      return f.createVariableStatement(
        [f.createModifier(ts.SyntaxKind.DeclareKeyword)],
        f.createVariableDeclarationList([f.createVariableDeclaration(name, undefined, typeNode)]),
      );
    });
    if (declared.length === 0) return node;
    return f.updateSourceFile(node, [...node.statements, ...declared]);
  };
}

function anyType(ts: TsModule, f: TS.NodeFactory): TS.TypeNode {
  return f.createKeywordTypeNode(ts.SyntaxKind.AnyKeyword);
}

/**
 * `var` names declared inside the file's top-level blocks and loops (not in functions, classes
 * or namespaces) that no top-level statement declares as well, with their first identifier.
 */
export function nestedVarNames(ts: TsModule, file: TS.SourceFile): Map<string, TS.Identifier> {
  const topLevel = new Set<string>();
  const nested = new Map<string, TS.Identifier>();
  const visit = (node: TS.Node): void => {
    if (ts.isFunctionLike(node) || ts.isClassLike(node) || ts.isModuleDeclaration(node)) return;
    if (isVarList(ts, node)) {
      for (const d of node.declarations) {
        for (const id of bindingIdentifiers(ts, d.name)) {
          if (!nested.has(id.text)) nested.set(id.text, id);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  for (const statement of file.statements) {
    if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) {
        for (const id of bindingIdentifiers(ts, d.name)) topLevel.add(id.text);
      }
    } else {
      visit(statement);
    }
  }
  for (const name of topLevel) nested.delete(name);
  return nested;
}

function isVarList(ts: TsModule, node: TS.Node): node is TS.VariableDeclarationList {
  return ts.isVariableDeclarationList(node) && !(node.flags & ts.NodeFlags.BlockScoped);
}

function bindingIdentifiers(ts: TsModule, name: TS.BindingName): TS.Identifier[] {
  if (ts.isIdentifier(name)) return [name];
  return name.elements.flatMap((el) =>
    ts.isOmittedExpression(el) ? [] : bindingIdentifiers(ts, el.name),
  );
}

/**
 * Rewrites the cell's ES module output as described in the module comment. `shared` are the
 * names the cell shares (its export list); only nested `var`s among them are hoisted. Returns
 * the file unchanged, or the new file and the hoisted names (to drop from the export list).
 */
export function hoistNestedVars(
  ts: TsModule,
  context: TS.TransformationContext,
  file: TS.SourceFile,
  shared: ReadonlySet<string>,
): { file: TS.SourceFile; hoisted: Set<string> } {
  const hoisted = new Set([...nestedVarNames(ts, file).keys()].filter((n) => shared.has(n)));
  if (hoisted.size === 0) return { file, hoisted };
  const f = context.factory;
  const assignments = (list: TS.VariableDeclarationList): TS.Expression | undefined => {
    const parts = list.declarations
      .filter((d) => d.initializer)
      .map((d) => {
        const value = visitExpr(d.initializer!);
        const named = ts.isIdentifier(d.name) ? keepFunctionName(ts, f, d.name.text, value) : value;
        return f.createAssignment(assignmentTarget(ts, f, d.name), named);
      });
    const [first, ...rest] = parts;
    return first && rest.reduce<TS.Expression>((a, b) => f.createComma(a, b), first);
  };
  const visitExpr = (e: TS.Expression) => ts.visitNode(e, visit) as TS.Expression;
  const visit = (node: TS.Node): TS.Node | undefined => {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return node;
    if (ts.isVariableStatement(node) && isVarList(ts, node.declarationList)) {
      const expr = assignments(node.declarationList);
      return expr
        ? ts.setTextRange(f.createExpressionStatement(expr), node)
        : f.createEmptyStatement();
    }
    if (ts.isForStatement(node) && node.initializer && isVarList(ts, node.initializer)) {
      const init = assignments(node.initializer);
      return ts.visitEachChild(
        f.updateForStatement(node, init, node.condition, node.incrementor, node.statement),
        visit,
        context,
      );
    }
    if (
      (ts.isForInStatement(node) || ts.isForOfStatement(node)) &&
      isVarList(ts, node.initializer)
    ) {
      const target = assignmentTarget(ts, f, node.initializer.declarations[0]!.name);
      const updated = ts.isForInStatement(node)
        ? f.updateForInStatement(node, target, node.expression, node.statement)
        : f.updateForOfStatement(node, node.awaitModifier, target, node.expression, node.statement);
      return ts.visitEachChild(updated, visit, context);
    }
    return ts.visitEachChild(node, visit, context);
  };
  const body = file.statements.map((s) =>
    ts.isVariableStatement(s) ? s : (ts.visitNode(s, visit) as TS.Statement),
  );
  const declaration = f.createVariableStatement(
    [f.createModifier(ts.SyntaxKind.ExportKeyword)],
    f.createVariableDeclarationList([...hoisted].map((n) => f.createVariableDeclaration(n))),
  );
  return { file: f.updateSourceFile(file, [declaration, ...body]), hoisted };
}

/** A binding pattern as the equivalent assignment pattern (`{ a: [b = 1], ...r }`). */
function assignmentTarget(ts: TsModule, f: TS.NodeFactory, name: TS.BindingName): TS.Expression {
  if (ts.isIdentifier(name)) return f.createIdentifier(name.text);
  if (ts.isArrayBindingPattern(name)) {
    return f.createArrayLiteralExpression(
      name.elements.map((el) => {
        if (ts.isOmittedExpression(el)) return f.createOmittedExpression();
        const target = withDefault(ts, f, el);
        return el.dotDotDotToken ? f.createSpreadElement(target) : target;
      }),
    );
  }
  return f.createObjectLiteralExpression(
    name.elements.map((el) => {
      if (el.dotDotDotToken) return f.createSpreadAssignment(assignmentTarget(ts, f, el.name));
      if (!el.propertyName && ts.isIdentifier(el.name)) {
        return f.createShorthandPropertyAssignment(el.name.text, el.initializer);
      }
      // Without a property name, an object binding element's name is an identifier.
      const key = el.propertyName ?? (el.name as TS.Identifier);
      return f.createPropertyAssignment(key, withDefault(ts, f, el));
    }),
  );
}

function withDefault(ts: TsModule, f: TS.NodeFactory, el: TS.BindingElement): TS.Expression {
  const target = assignmentTarget(ts, f, el.name);
  return el.initializer ? f.createAssignment(target, el.initializer) : target;
}

/**
 * `var f = () => …` names the function `f`; the assignment `exports.f = () => …` it becomes
 * would not. An anonymous function or class takes the name as a property value instead:
 * `{ f: () => … }.f` (the name a property definition gives is the key's).
 */
function keepFunctionName(
  ts: TsModule,
  f: TS.NodeFactory,
  name: string,
  value: TS.Expression,
): TS.Expression {
  let inner = value;
  while (ts.isParenthesizedExpression(inner)) inner = inner.expression;
  const anonymous =
    ts.isArrowFunction(inner) ||
    ((ts.isFunctionExpression(inner) || ts.isClassExpression(inner)) && !inner.name);
  if (!anonymous) return value;
  const holder = f.createObjectLiteralExpression([f.createPropertyAssignment(name, value)]);
  return f.createPropertyAccessExpression(f.createParenthesizedExpression(holder), name);
}
