/**
 * Declaration merging across cells. In one TypeScript program, two `namespace N`, `enum E` or
 * `interface I` declarations of one name merge (as do a namespace with a function, class or
 * enum, and an interface with a class); each cell is a module of its own, so a cell's
 * declaration used to replace the earlier cells' one instead (`Property 'pi' does not exist on
 * type 'typeof Geo'`).
 *
 * Before a cell that declares a namespace, enum or interface is converted, the earlier cells'
 * declarations of that name (from their declaration text, where they are ambient) are put in
 * front of it, so that the type checker merges them and the cell may use the earlier members
 * before its own declaration. They go on the cell's first line, so every line keeps its number
 * (the executor moves diagnostics on that line back by the inserted width). Members the cell
 * declares again are left out of the copy: rerunning a cell, or redefining a member, replaces
 * it, as the run-time object's property is replaced. At run time the merged namespace or enum
 * starts from the earlier cells' object (`var N = exports.N;` first thing in the cell).
 */
import type * as TS from "typescript";
import type { TsModule } from "./cellSource.js";

type Kind = "namespace" | "enum" | "interface" | "function" | "class" | "other";

/** Which earlier kinds a cell's declaration kind merges with, as in one program. */
const MERGES_WITH: Partial<Record<Kind, readonly Kind[]>> = {
  namespace: ["namespace", "function", "class", "enum", "interface"],
  enum: ["enum", "namespace"],
  // Not a class: an interface cell has no run-time binding the class's value could live in.
  interface: ["interface"],
};

/** A cell with the earlier declarations it merges with in front, on its first line. */
export interface MergedCell {
  code: string;
  /** How many characters were inserted at the start of the first line. */
  firstLineShift: number;
}

/**
 * The cell's code with the earlier declarations it merges with in front (unchanged when there
 * are none). `code` is the prepared cell; `earlier` the earlier cells' declaration text.
 */
export function mergeEarlierDeclarations(ts: TsModule, code: string, earlier: string): MergedCell {
  const unchanged = { code, firstLineShift: 0 };
  if (earlier === "") return unchanged;
  const cell = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, true);
  const opened = new Map<string, TS.Statement[]>();
  for (const s of cell.statements) {
    const name = declaredName(ts, s);
    if (name && MERGES_WITH[kindOf(ts, s)]) opened.set(name, [...(opened.get(name) ?? []), s]);
  }
  if (opened.size === 0) return unchanged;
  const prev = ts.createSourceFile("prev.d.ts", earlier, ts.ScriptTarget.Latest, true);
  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed, removeComments: true });
  const appended: string[] = [];
  for (const [name, ours] of opened) {
    const theirs = prev.statements.filter((s) => declaredName(ts, s) === name);
    const mergeable = MERGES_WITH[kindOf(ts, ours[0]!)]!;
    if (theirs.length === 0 || !theirs.every((s) => mergeable.includes(kindOf(ts, s)))) continue;
    const redeclared = new Set(ours.flatMap((s) => memberNames(ts, s)));
    for (const s of theirs) {
      const kept = withoutMembers(ts, s, redeclared);
      if (!kept) continue;
      const text = printer.printNode(ts.EmitHint.Unspecified, kept, prev);
      appended.push(
        text
          .split("\n")
          .map((line) => line.trim())
          .join(" "),
      );
    }
  }
  if (appended.length === 0) return unchanged;
  const prefix = `${appended.join(" ")} `;
  return { code: prefix + code, firstLineShift: prefix.length };
}

function kindOf(ts: TsModule, s: TS.Statement): Kind {
  if (ts.isModuleDeclaration(s) && ts.isIdentifier(s.name)) return "namespace";
  if (ts.isEnumDeclaration(s)) return "enum";
  if (ts.isInterfaceDeclaration(s)) return "interface";
  if (ts.isFunctionDeclaration(s)) return "function";
  if (ts.isClassDeclaration(s)) return "class";
  return "other";
}

function declaredName(ts: TsModule, s: TS.Statement): string | undefined {
  if (ts.isVariableStatement(s)) {
    const first = s.declarationList.declarations[0]?.name;
    return first && ts.isIdentifier(first) ? first.text : undefined;
  }
  const name = (s as { name?: TS.Node }).name;
  return name && ts.isIdentifier(name) ? name.text : undefined;
}

/** The names of a declaration's members (namespace statements, enum members, interface members). */
function memberNames(ts: TsModule, s: TS.Node): string[] {
  if (ts.isEnumDeclaration(s)) return s.members.map((m) => m.name.getText());
  if (ts.isInterfaceDeclaration(s))
    return s.members.flatMap((m) => (m.name ? [m.name.getText()] : []));
  const block = ts.isModuleDeclaration(s) ? namespaceBlock(ts, s) : undefined;
  if (!block) return [];
  return block.statements.flatMap((m) => {
    if (ts.isVariableStatement(m)) {
      return m.declarationList.declarations.flatMap((d) =>
        ts.isIdentifier(d.name) ? [d.name.text] : [],
      );
    }
    const name = declaredName(ts, m);
    return name ? [name] : [];
  });
}

function namespaceBlock(ts: TsModule, s: TS.ModuleDeclaration): TS.ModuleBlock | undefined {
  return s.body && ts.isModuleBlock(s.body) ? s.body : undefined;
}

/**
 * An earlier declaration without the members in `names` (a nested namespace declared again
 * replaces the earlier one as a whole); undefined when nothing is left to merge.
 */
function withoutMembers(
  ts: TsModule,
  s: TS.Statement,
  names: ReadonlySet<string>,
): TS.Statement | undefined {
  const f = ts.factory;
  if (ts.isEnumDeclaration(s)) {
    const kept = s.members.filter((m) => !names.has(m.name.getText()));
    return kept.length === 0 ? undefined : f.updateEnumDeclaration(s, s.modifiers, s.name, kept);
  }
  if (ts.isInterfaceDeclaration(s)) {
    const kept = s.members.filter((m) => !m.name || !names.has(m.name.getText()));
    return f.updateInterfaceDeclaration(
      s,
      s.modifiers,
      s.name,
      s.typeParameters,
      s.heritageClauses,
      kept,
    );
  }
  const block = ts.isModuleDeclaration(s) ? namespaceBlock(ts, s) : undefined;
  if (!block || !ts.isModuleDeclaration(s)) return s;
  const kept = block.statements.flatMap((m): TS.Statement[] => {
    if (!ts.isVariableStatement(m)) {
      const name = declaredName(ts, m);
      return name && names.has(name) ? [] : [m];
    }
    const list = m.declarationList;
    const vars = list.declarations.filter(
      (d) => !ts.isIdentifier(d.name) || !names.has(d.name.text),
    );
    if (vars.length === 0) return [];
    return [f.updateVariableStatement(m, m.modifiers, f.updateVariableDeclarationList(list, vars))];
  });
  if (kept.length === 0) return undefined;
  return f.updateModuleDeclaration(s, s.modifiers, s.name, f.updateModuleBlock(block, kept));
}

/**
 * Run-time half of the merge: a namespace or enum of the cell that merged with earlier
 * declarations (it has an ambient declaration in the cell: the copy in front) is emitted as
 * `var N; (function (N) { … })(N || (N = {}));`; its `var N;` moves to the top of the cell as
 * `var N = <scope>.N;`, so the cell reads, and adds its members to, the earlier cells' object
 * (a function's or class's too) from its first statement on.
 */
export function continueMergedObjects(
  ts: TsModule,
  f: TS.NodeFactory,
  checker: TS.TypeChecker,
  file: TS.SourceFile,
  scope: string,
): TS.SourceFile {
  const continued: TS.Statement[] = [];
  const rest = file.statements.filter((s) => {
    const name = mergedNamespaceVar(ts, checker, s);
    if (!name) return true;
    const init = f.createPropertyAccessExpression(f.createIdentifier(scope), name);
    const list = f.createVariableDeclarationList([
      f.createVariableDeclaration(name, undefined, undefined, init),
    ]);
    continued.push(f.createVariableStatement(undefined, list));
    return false;
  });
  return continued.length === 0 ? file : f.updateSourceFile(file, [...continued, ...rest]);
}

/** The name, when `s` is the `var N;` the compiler emits for a merged namespace or enum. */
function mergedNamespaceVar(
  ts: TsModule,
  checker: TS.TypeChecker,
  s: TS.Statement,
): string | undefined {
  if (!ts.isVariableStatement(s)) return undefined;
  const [d, ...more] = s.declarationList.declarations;
  if (!d || more.length > 0 || d.initializer || !ts.isIdentifier(d.name)) return undefined;
  const original = ts.getOriginalNode(s);
  if (!ts.isModuleDeclaration(original) && !ts.isEnumDeclaration(original)) return undefined;
  if (!ts.isIdentifier(original.name)) return undefined;
  const cell = original.getSourceFile();
  const declarations = checker.getSymbolAtLocation(original.name)?.declarations ?? [];
  const merged = declarations.some(
    (decl) =>
      decl.getSourceFile() === cell &&
      (ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Ambient) !== 0,
  );
  return merged ? d.name.text : undefined;
}
