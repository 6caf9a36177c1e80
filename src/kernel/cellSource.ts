/**
 * What the kernel reads from a cell's syntax tree before tslab's converter sees it:
 *  - `export` forms: every top-level name is shared with later cells already, so `export` is
 *    taken off (the keyword is blanked with spaces, so every line and column stays where it was
 *    and diagnostics still point at the user's text); re-exports become imports;
 *  - whether the cell awaits at its top level (`await`, `for await`), i.e. must run in an async
 *    wrapper;
 *  - the names the cell declares at its top level (which earlier declarations it shadows).
 */
import type * as TS from "typescript";

/** The TypeScript module tslab loads (its version, typed with the project's declarations). */
export type TsModule = typeof TS;

/** A cell ready for the converter, or why it cannot run. */
export type PreparedCell =
  { ok: true; code: string } | { ok: false; message: string; line: number };

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Parses a cell the way the kernel compiles it (a TypeScript module). */
export function parseCell(ts: TsModule, code: string): TS.SourceFile {
  return ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

/**
 * Rewrites the cell's top-level `export` forms into what they mean in a notebook:
 * `export const/function/class/enum/namespace/interface/type …` declare the name;
 * `export { a, b }` is dropped, `export { a as b }` declares `b`; `export default <expr>` is the
 * cell's value, `export default function f` declares `f`; `export { x } from "m"` and
 * `export * as ns from "m"` import. Forms without a notebook meaning (`export = x`,
 * `export * from "m"`, an anonymous default function or class, `import x = require("m")`) are
 * refused with a one-line message naming the form.
 */
export function prepareCellSource(ts: TsModule, code: string): PreparedCell {
  const file = parseCell(ts, code);
  const edits: Edit[] = [];
  for (const statement of file.statements) {
    const refused = refusedForm(ts, statement) ?? exportEdits(ts, file, statement, edits);
    if (refused) {
      const line = file.getLineAndCharacterOfPosition(statement.getStart(file)).line + 1;
      return { ok: false, message: refused, line };
    }
  }
  return { ok: true, code: applyEdits(code, edits) };
}

/**
 * Top-level forms cells cannot have, other than `export` ones. `import x = require("m")`: cells
 * are type-checked as ES modules (as tslab compiles them), where TypeScript rejects it with a
 * long TS1202; the message names the form and what to write instead.
 */
function refusedForm(ts: TsModule, statement: TS.Statement): string | undefined {
  if (
    ts.isImportEqualsDeclaration(statement) &&
    ts.isExternalModuleReference(statement.moduleReference)
  ) {
    const name = statement.name.text;
    return `\`import ${name} = require("…")\` in a cell: write \`import * as ${name} from "…"\` (or \`import ${name} from "…"\` for a module that exports one value)`;
  }
  return undefined;
}

/** Adds the edits one top-level statement needs; returns a message when it cannot run. */
function exportEdits(
  ts: TsModule,
  file: TS.SourceFile,
  statement: TS.Statement,
  edits: Edit[],
): string | undefined {
  if (ts.isExportAssignment(statement)) {
    if (statement.isExportEquals) return "`export =` has no meaning in a notebook cell";
    // `export default <expr>` → `(<expr>)`: the parentheses keep an object literal an expression.
    const expr = statement.expression;
    edits.push({ start: statement.getStart(file), end: expr.getStart(file), text: "(" });
    edits.push({ start: expr.end, end: expr.end, text: ")" });
    return undefined;
  }
  if (ts.isExportDeclaration(statement)) return exportDeclarationEdits(ts, file, statement, edits);
  const modifiers = ts.canHaveModifiers(statement) ? (ts.getModifiers(statement) ?? []) : [];
  const exported = modifiers.find((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  if (!exported) return undefined;
  const isDefault = modifiers.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  const named = (statement as TS.Node as { name?: TS.Node }).name;
  if (isDefault && !named) {
    return "`export default` of an anonymous function or class: give it a name";
  }
  for (const m of modifiers) {
    if (m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DefaultKeyword) {
      edits.push({ start: m.getStart(file), end: m.end, text: "" });
    }
  }
  return undefined;
}

function exportDeclarationEdits(
  ts: TsModule,
  file: TS.SourceFile,
  statement: TS.ExportDeclaration,
  edits: Edit[],
): string | undefined {
  const start = statement.getStart(file);
  const clause = statement.exportClause;
  if (statement.moduleSpecifier) {
    if (!clause) return '`export * from "…"` in a cell: import the names you need instead';
    if (ts.isNamedExports(clause) && clause.elements.some((e) => isDefaultName(e.name))) {
      return '`export { default } from "…"` in a cell: use `import name from "…"` instead';
    }
    // `export {…} from "m"` / `export * as ns from "m"` → the same text as an import.
    edits.push({ start, end: start + "export".length, text: "import" });
    return undefined;
  }
  const aliases =
    clause && ts.isNamedExports(clause) && !statement.isTypeOnly
      ? clause.elements.filter((e) => e.propertyName && !e.isTypeOnly)
      : [];
  // Local names are shared already; an alias `export { a as b }` declares `b`.
  const text = aliases.length
    ? `const ${aliases.map((e) => `${e.name.text} = ${e.propertyName!.getText(file)}`).join(", ")};`
    : "";
  edits.push({ start, end: statement.end, text });
  return undefined;
}

function isDefaultName(name: TS.ModuleExportName): boolean {
  return name.text === "default";
}

/**
 * Applies edits (sorted, non-overlapping), padding each replacement with spaces to the length
 * it replaces so that positions after it on the same line stay put; newlines are kept.
 * A replacement longer than its span (only the one-character `)` insertion) shifts the rest of
 * that line by its extra length.
 */
function applyEdits(code: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = "";
  let at = 0;
  for (const e of sorted) {
    out += code.slice(at, e.start);
    const replaced = code.slice(e.start, e.end);
    const keptNewlines = replaced.replace(/[^\n]/g, "");
    const width = replaced.length - keptNewlines.length;
    out += e.text + " ".repeat(Math.max(0, width - e.text.length)) + keptNewlines;
    at = e.end;
  }
  return out + code.slice(at);
}

/**
 * True when the cell awaits at its own top level (an `await` expression or a `for await` loop
 * outside any function), so it must run inside an async wrapper. tslab's converter reports top-
 * level `await` expressions but not `for await` loops.
 */
export function hasTopLevelAwait(ts: TsModule, file: TS.SourceFile): boolean {
  const visit = (node: TS.Node): boolean => {
    if (ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node)) return false;
    if (ts.isAwaitExpression(node)) return true;
    if (ts.isForOfStatement(node) && node.awaitModifier) return true;
    return ts.forEachChild(node, visit) ?? false;
  };
  return file.statements.some(visit);
}

/**
 * The names a cell declares at its top level in any meaning (value, type, namespace, import),
 * including `var`s inside top-level blocks and loops, which belong to the cell's scope too.
 */
export function topLevelNames(ts: TsModule, file: TS.SourceFile): Set<string> {
  const names = new Set<string>();
  const addBinding = (name: TS.BindingName) => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) addBinding(el.name);
  };
  const visit = (node: TS.Node, top: boolean): void => {
    if (ts.isVariableStatement(node)) {
      const isVar = !(node.declarationList.flags & ts.NodeFlags.BlockScoped);
      if (top || isVar) for (const d of node.declarationList.declarations) addBinding(d.name);
    } else if (ts.isVariableDeclarationList(node) && !(node.flags & ts.NodeFlags.BlockScoped)) {
      for (const d of node.declarations) addBinding(d.name);
    } else if (top && ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      if (clause?.name) names.add(clause.name.text);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) names.add(bindings.name.text);
      else if (bindings) for (const el of bindings.elements) names.add(el.name.text);
    } else if (top && isNamedDeclaration(ts, node)) {
      const name = node.name;
      if (name && ts.isIdentifier(name)) names.add(name.text);
    }
    if (ts.isFunctionLike(node) || ts.isClassLike(node) || ts.isModuleDeclaration(node)) return;
    ts.forEachChild(node, (child) => visit(child, false));
  };
  for (const statement of file.statements) visit(statement, true);
  return names;
}

function isNamedDeclaration(
  ts: TsModule,
  node: TS.Node,
): node is TS.DeclarationStatement & { name?: TS.Node } {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isClassDeclaration(node) ||
    ts.isInterfaceDeclaration(node) ||
    ts.isTypeAliasDeclaration(node) ||
    ts.isEnumDeclaration(node) ||
    ts.isModuleDeclaration(node) ||
    ts.isImportEqualsDeclaration(node)
  );
}
