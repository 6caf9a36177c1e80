/**
 * Compiler transforms that make a converted cell share its top-level names with other cells
 * correctly. tslab's converter emits each cell as an ES module that exports every top-level
 * name, rewrites references to earlier cells' names to `exports.<name>` and later turns the
 * module into CommonJS. These transforms run on its output (the `after` stage of the cell's emit,
 * then the CommonJS step) and fix what it gets wrong:
 *
 *  - shorthand properties `{ input }` and shorthand assignment targets `({ input } = o)` naming
 *    an earlier cell's variable stay bare identifiers in tslab's output (ReferenceError, or a
 *    silent global): they become `input: exports.input`;
 *  - one binding per name across cells: a function written in one cell reads its own cell's
 *    variables, so a later assignment (`count = 100`) or redeclaration (`function g`) in another
 *    cell went unseen by it. Each cell now registers a setter for every top-level variable its
 *    functions capture, and the shared scope (src/kernel/bindings.ts) calls it whenever the name
 *    is assigned anywhere. Top-level `const`s become `let`s so that those setters may assign them
 *    (the type checker has already enforced `const` within and across cells);
 *  - loop heads assigning shared names (`for (key in o)`) copy them (loopAssignments.ts);
 *  - a top-level `var` declared again continues the earlier cells' value; `var`s declared in
 *    top-level blocks and loops are hoisted (nestedVars.ts);
 *  - a namespace or enum merged with earlier cells' declarations (declarationMerging.ts)
 *    continues their object;
 *  - imports are shared as plain values (`exports.fs = fs`) rather than through the CommonJS
 *    step's read-only getters, which a later cell could never redeclare;
 *  - the CommonJS step's `exports.a = exports.b = void 0` prologue would reset every name the cell
 *    is about to redeclare before the cell has computed its new value: it is dropped.
 */
import type * as TS from "typescript";
import type { TsModule } from "./cellSource.js";
import { cellOnly, type CellFiles } from "./cellFiles.js";
import { continueMergedObjects } from "./declarationMerging.js";
import { syncLoopAssignments } from "./loopAssignments.js";
import { hoistNestedVars } from "./nestedVars.js";

/** The parameter through which converted cells reach the shared scope's registration calls. */
export const BINDINGS_PARAM = "__splatbook_bindings__";
/** The shared scope as converted code names it (fixed by tslab's converter). */
const SCOPE = "exports";
const SETTER_PARAM = "__splatbook_value__";

/**
 * The `after` transform for a cell's ES module output; other files (local modules a cell
 * imports) pass through unchanged.
 */
export function cellModuleTransform(
  ts: TsModule,
  checker: TS.TypeChecker,
  files: CellFiles,
): TS.TransformerFactory<TS.SourceFile> {
  return cellOnly(ts, files, (context, file) => {
    const expanded = expandShorthands(ts, context, checker, files, file);
    const merged = continueMergedObjects(ts, context.factory, checker, expanded, SCOPE);
    const shared = exportedNames(ts, merged);
    const synced = syncLoopAssignments(ts, context, checker, merged, shared, SCOPE);
    return shareTopLevelNames(ts, context, synced);
  });
}

/**
 * `{ x }` where `x` is an earlier cell's name → `{ x: exports.x }` (also in assignment targets);
 * a call of an earlier cell's function, `exports.f()` in tslab's output, → `(0, exports.f)()`,
 * so that it is a plain call (`this` undefined), not a method call on the shared scope.
 */
function expandShorthands(
  ts: TsModule,
  context: TS.TransformationContext,
  checker: TS.TypeChecker,
  files: CellFiles,
  file: TS.SourceFile,
): TS.SourceFile {
  const f = context.factory;
  const fromEarlierCell = (node: TS.ShorthandPropertyAssignment): boolean => {
    const parsed = ts.getOriginalNode(node);
    if (!ts.isShorthandPropertyAssignment(parsed)) return false;
    const symbol = checker.getShorthandAssignmentValueSymbol(parsed);
    return (symbol?.declarations ?? []).some((d) =>
      files.isEarlierCells(d.getSourceFile().fileName),
    );
  };
  const visit = (node: TS.Node): TS.Node => {
    if (ts.isShorthandPropertyAssignment(node) && fromEarlierCell(node)) {
      const name = node.name.text;
      const target = f.createPropertyAccessExpression(f.createIdentifier(SCOPE), name);
      const init = node.objectAssignmentInitializer;
      const value = init
        ? f.createAssignment(target, ts.visitNode(init, visit) as TS.Expression)
        : target;
      const expanded = f.createPropertyAssignment(name, value);
      ts.setOriginalNode(expanded, node);
      return ts.setTextRange(expanded, node);
    }
    if (ts.isCallExpression(node) && isSharedNameAccess(ts, node.expression)) {
      const args = node.arguments.map((a) => ts.visitNode(a, visit) as TS.Expression);
      const callee = plainCallee(f, node.expression);
      return ts.isCallChain(node)
        ? f.updateCallChain(node, callee, node.questionDotToken, node.typeArguments, args)
        : f.updateCallExpression(node, callee, node.typeArguments, args);
    }
    if (ts.isTaggedTemplateExpression(node) && isSharedNameAccess(ts, node.tag)) {
      const template = ts.visitNode(node.template, visit) as TS.TemplateLiteral;
      return f.updateTaggedTemplateExpression(
        node,
        plainCallee(f, node.tag),
        node.typeArguments,
        template,
      );
    }
    return ts.visitEachChild(node, visit, context);
  };
  return ts.visitEachChild(file, visit, context);
}

/** `exports.<name>` as tslab writes a reference to an earlier cell's name (not parsed code). */
function isSharedNameAccess(
  ts: TsModule,
  node: TS.Expression,
): node is TS.PropertyAccessExpression {
  return (
    ts.isPropertyAccessExpression(node) &&
    !ts.getParseTreeNode(node) &&
    isIdentifierNamed(ts, node.expression, SCOPE)
  );
}

/** `(0, callee)`: the callee's value without its object, as TypeScript calls imports. */
function plainCallee(f: TS.NodeFactory, callee: TS.Expression): TS.Expression {
  return f.createParenthesizedExpression(f.createComma(f.createNumericLiteral(0), callee));
}

/** Rewrites the cell's top level as described in the module comment. */
function shareTopLevelNames(
  ts: TsModule,
  context: TS.TransformationContext,
  cellFile: TS.SourceFile,
): TS.SourceFile {
  const f = context.factory;
  const exported = exportedNames(ts, cellFile);
  // Nested `var`s are shared as `export var` (nestedVars.ts): no export list entry, no setter.
  const { file, hoisted } = hoistNestedVars(ts, context, cellFile, exported);
  const imported = new Set<string>();
  const captured = namesUsedInsideFunctions(ts, file);
  const link = (name: string) => linkStatement(f, name);
  const registeredFirst: TS.Statement[] = [];
  const body: TS.Statement[] = [];
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement)) {
      body.push(statement);
      for (const name of importedNames(ts, statement)) {
        imported.add(name);
        if (exported.has(name)) body.push(shareImport(f, name));
      }
      continue;
    }
    if (isExportList(ts, statement)) {
      const kept = statement.exportClause.elements.filter(
        (e) => !imported.has(e.name.text) && !hoisted.has(e.name.text),
      );
      if (kept.length > 0) {
        body.push(
          f.updateExportDeclaration(
            statement,
            statement.modifiers,
            statement.isTypeOnly,
            f.updateNamedExports(statement.exportClause, kept),
            undefined,
            undefined,
          ),
        );
      }
      continue;
    }
    body.push(constToLet(ts, f, statement));
    const declared = valueNamesDeclaredBy(ts, statement).filter(
      (n) =>
        captured.has(n) && !hoisted.has(n) && (exported.has(n) || hasExportModifier(ts, statement)),
    );
    // Function declarations are initialised on entry, so their setters can be registered first.
    (ts.isFunctionDeclaration(statement) ? registeredFirst : body).push(...declared.map(link));
  }
  const names = [...new Set([...exported, ...exportedVariables(ts, file)])];
  const prologue = names.length > 0 ? [declareStatement(f, names)] : [];
  const vars = continuedVars(ts, f, file, exported);
  return f.updateSourceFile(file, [...prologue, ...vars, ...registeredFirst, ...body]);
}

/**
 * `var a = exports.a;` for the top-level `var`s the user wrote: a `var` declared again is the
 * same binding, as in one script, so `var total = total + 1` in a later cell reads the earlier
 * value (a name no cell declared before reads as undefined, like a hoisted `var`).
 */
function continuedVars(
  ts: TsModule,
  f: TS.NodeFactory,
  file: TS.SourceFile,
  shared: ReadonlySet<string>,
): TS.Statement[] {
  const names = file.statements.flatMap((s) => {
    const written = ts.getOriginalNode(s);
    if (!ts.isVariableStatement(s) || !ts.isVariableStatement(written)) return [];
    if (s.declarationList.flags & ts.NodeFlags.BlockScoped) return [];
    return valueNamesDeclaredBy(ts, s).filter((n) => shared.has(n));
  });
  if (names.length === 0) return [];
  const declarations = [...new Set(names)].map((n) =>
    f.createVariableDeclaration(
      n,
      undefined,
      undefined,
      f.createPropertyAccessExpression(f.createIdentifier(SCOPE), n),
    ),
  );
  return [f.createVariableStatement(undefined, f.createVariableDeclarationList(declarations))];
}

type ExportList = TS.ExportDeclaration & { exportClause: TS.NamedExports };

function isExportList(ts: TsModule, node: TS.Statement): node is ExportList {
  return (
    ts.isExportDeclaration(node) &&
    !node.moduleSpecifier &&
    node.exportClause !== undefined &&
    ts.isNamedExports(node.exportClause)
  );
}

/** Names in the cell's `export { … }` list (tslab lists every top-level name there). */
function exportedNames(ts: TsModule, file: TS.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const s of file.statements) {
    if (isExportList(ts, s)) for (const e of s.exportClause.elements) names.add(e.name.text);
  }
  return names;
}

function hasExportModifier(ts: TsModule, node: TS.Statement): boolean {
  const modifiers = ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined;
  return (modifiers ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

/** Names of `export const …` statements (tslab's last-expression variable is one). */
function exportedVariables(ts: TsModule, file: TS.SourceFile): string[] {
  return file.statements
    .filter((s) => ts.isVariableStatement(s) && hasExportModifier(ts, s))
    .flatMap((s) => valueNamesDeclaredBy(ts, s));
}

/** The value names an import declaration binds (not its type-only ones). */
export function importedNames(ts: TsModule, node: TS.ImportDeclaration): string[] {
  const clause = node.importClause;
  if (!clause || clause.isTypeOnly) return [];
  const names = clause.name ? [clause.name.text] : [];
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) names.push(bindings.name.text);
  else if (bindings) {
    for (const el of bindings.elements) if (!el.isTypeOnly) names.push(el.name.text);
  }
  return names;
}

/**
 * Runtime bindings a top-level statement of the emitted JavaScript creates: variables (enums
 * and namespaces are emitted as `var`s), functions, classes, and `var`s nested in blocks/loops.
 */
function valueNamesDeclaredBy(ts: TsModule, statement: TS.Statement): string[] {
  if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) {
    return statement.name ? [statement.name.text] : [];
  }
  const names: string[] = [];
  const addBinding = (name: TS.BindingName) => {
    if (ts.isIdentifier(name)) names.push(name.text);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) addBinding(el.name);
  };
  const visit = (node: TS.Node, top: boolean): void => {
    if (ts.isVariableDeclarationList(node)) {
      const isVar = !(node.flags & ts.NodeFlags.BlockScoped);
      if (top || isVar) for (const d of node.declarations) addBinding(d.name);
    }
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    ts.forEachChild(node, (child) => visit(child, top && ts.isVariableStatement(node)));
  };
  visit(statement, true);
  return names;
}

/**
 * Identifier texts that occur inside a function or class body anywhere in the cell: code that
 * may run after the cell has finished. Over-approximates the cell variables such code captures
 * (a shadowing parameter of the same name also counts), which only costs an unneeded setter.
 */
function namesUsedInsideFunctions(ts: TsModule, file: TS.SourceFile): Set<string> {
  const names = new Set<string>();
  const visit = (node: TS.Node, inside: boolean): void => {
    if (inside && ts.isIdentifier(node)) names.add(node.text);
    const deeper = inside || ts.isFunctionLike(node) || ts.isClassLike(node);
    ts.forEachChild(node, (child) => visit(child, deeper));
  };
  visit(file, false);
  return names;
}

/** Top-level `const` → `let`, so a later cell's assignment can reach the binding's setter. */
function constToLet(ts: TsModule, f: TS.NodeFactory, statement: TS.Statement): TS.Statement {
  if (!ts.isVariableStatement(statement)) return statement;
  const list = statement.declarationList;
  if (!(list.flags & ts.NodeFlags.Const)) return statement;
  const asLet = f.createVariableDeclarationList(list.declarations, ts.NodeFlags.Let);
  ts.setOriginalNode(asLet, list);
  ts.setTextRange(asLet, list);
  return f.updateVariableStatement(statement, statement.modifiers, asLet);
}

/** `__splatbook_bindings__.declare("a", "b")`: creates the shared names before any code runs. */
function declareStatement(f: TS.NodeFactory, names: string[]): TS.Statement {
  return bindingsCall(
    f,
    "declare",
    names.map((n) => f.createStringLiteral(n)),
  );
}

/** `__splatbook_bindings__.link("x", (v) => { x = v; })` */
function linkStatement(f: TS.NodeFactory, name: string): TS.Statement {
  const setter = f.createArrowFunction(
    undefined,
    undefined,
    [f.createParameterDeclaration(undefined, undefined, SETTER_PARAM)],
    undefined,
    undefined,
    f.createBlock([
      f.createExpressionStatement(
        f.createAssignment(f.createIdentifier(name), f.createIdentifier(SETTER_PARAM)),
      ),
    ]),
  );
  return bindingsCall(f, "link", [f.createStringLiteral(name), setter]);
}

/** `exports.fs = fs;` right after the import that binds `fs`. */
function shareImport(f: TS.NodeFactory, name: string): TS.Statement {
  return f.createExpressionStatement(
    f.createAssignment(
      f.createPropertyAccessExpression(f.createIdentifier(SCOPE), name),
      f.createIdentifier(name),
    ),
  );
}

function bindingsCall(f: TS.NodeFactory, method: string, args: TS.Expression[]): TS.Statement {
  const callee = f.createPropertyAccessExpression(f.createIdentifier(BINDINGS_PARAM), method);
  return f.createExpressionStatement(f.createCallExpression(callee, undefined, args));
}

/**
 * The CommonJS step's transform: drops the `exports.a = exports.b = void 0;` prologue (see the
 * module comment). Harmless for a local module a cell imports, where it only pre-creates the
 * properties for circular imports.
 */
export function dropExportsPrologue(ts: TsModule): TS.TransformerFactory<TS.SourceFile> {
  return (context) => (file) => {
    const kept = file.statements.filter((s) => !isVoidExportsChain(ts, s));
    return kept.length === file.statements.length
      ? file
      : context.factory.updateSourceFile(file, kept);
  };
}

function isVoidExportsChain(ts: TsModule, statement: TS.Statement): boolean {
  if (!ts.isExpressionStatement(statement)) return false;
  let expr: TS.Expression = statement.expression;
  let assignments = 0;
  while (ts.isBinaryExpression(expr) && expr.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const left = expr.left;
    if (!ts.isPropertyAccessExpression(left) || !isIdentifierNamed(ts, left.expression, SCOPE)) {
      return false;
    }
    assignments++;
    expr = expr.right;
  }
  return assignments > 0 && ts.isVoidExpression(expr) && ts.isNumericLiteral(expr.expression);
}

function isIdentifierNamed(ts: TsModule, node: TS.Node, name: string): boolean {
  return ts.isIdentifier(node) && node.text === name;
}
