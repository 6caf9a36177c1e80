#!/usr/bin/env node
// The import graph of src/: every import of one module by another (static imports, re-exports,
// `import type`, dynamic `import("…")` with a literal path), read with the TypeScript compiler's
// parser, and the folder → folder edges it makes. `node scripts/import-graph.mjs [root]` prints
// the folder edges with their counts (`--at REV`: as the files were at that git revision);
// test/architecture/imports.test.ts checks them against the layering.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** Every `.ts` file under `dir` (declaration files excluded), as absolute paths, sorted. */
function tsFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(p);
  }
  return out.sort();
}

/** The files as they are on disk. */
const workingTree = { files: tsFiles, read: (file) => readFileSync(file, "utf8") };

/**
 * The files as they were at a git revision of the repository holding `srcDir` (nothing is
 * checked out): `node scripts/import-graph.mjs --at b1bdd0f` prints that commit's graph.
 */
export function atRevision(srcDir, rev) {
  const top = execFileSync("git", ["rev-parse", "--show-toplevel"], {
    cwd: srcDir,
    encoding: "utf8",
  }).trim();
  const git = (...args) =>
    execFileSync("git", args, { cwd: top, encoding: "utf8", maxBuffer: 1 << 28 });
  return {
    files: (root) =>
      git("ls-tree", "-r", "--name-only", rev, "--", relative(top, root))
        .split("\n")
        .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
        .map((f) => join(top, f))
        .sort(),
    read: (file) => git("show", `${rev}:${relative(top, file)}`),
  };
}

/** Module specifiers a source file names, with the line each is on. */
function specifiers(file, text) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const add = (node, lit) => {
    if (!lit || !ts.isStringLiteralLike(lit)) return;
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    found.push({ specifier: lit.text, line });
  };
  const visit = (node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      add(node, node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node)) {
      const ref = node.moduleReference;
      if (ts.isExternalModuleReference(ref)) add(node, ref.expression);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0]);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg)) add(node, arg.literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/**
 * The area a path under `srcDir` belongs to: its first folder (`engine`, `train`, …), or `.` for
 * files directly in src/ (the package entry).
 */
export function areaOf(srcDir, file) {
  const rel = relative(srcDir, file).split(sep);
  return rel.length > 1 ? rel[0] : ".";
}

/**
 * Every relative import between modules of `srcDir`: `{ from, to, fromArea, toArea, line,
 * specifier }` with paths relative to `srcDir` (`.js` specifiers resolved to their `.ts` file).
 * `source` lists the files and reads them (default: the working tree).
 */
export function collectImports(srcDir, source = workingTree) {
  const root = resolve(srcDir);
  const edges = [];
  for (const file of source.files(root)) {
    for (const { specifier, line } of specifiers(file, source.read(file))) {
      if (!specifier.startsWith(".")) continue;
      const target = resolve(dirname(file), specifier).replace(/\.js$/, ".ts");
      edges.push({
        from: relative(root, file),
        to: relative(root, target),
        fromArea: areaOf(root, file),
        toArea: areaOf(root, target),
        line,
        specifier,
      });
    }
  }
  return edges;
}

/** Folder → folder edges (other folders only) with how many imports make each, sorted. */
export function folderEdges(imports) {
  const counts = new Map();
  for (const i of imports) {
    if (i.fromArea === i.toArea) continue;
    const key = `${i.fromArea} -> ${i.toArea}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([edge, count]) => ({ edge, count }));
}

/**
 * Import cycles between files: every strongly connected component of more than one file (or a
 * file importing itself), each as its sorted file list, sorted. Type-only and dynamic imports
 * count: a reader following either meets the same loop.
 */
export function fileCycles(imports) {
  const next = new Map();
  for (const i of imports) {
    if (!next.has(i.from)) next.set(i.from, new Set());
    next.get(i.from).add(i.to);
  }
  // Tarjan's algorithm, iterative so a long import chain cannot overflow the stack.
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const cycles = [];
  let counter = 0;
  for (const root of next.keys()) {
    if (index.has(root)) continue;
    const work = [[root, [...(next.get(root) ?? [])], 0]];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const [v, targets] = frame;
      if (frame[2] < targets.length) {
        const w = targets[frame[2]++];
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push([w, [...(next.get(w) ?? [])], 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent), low.get(v)));
      }
      if (low.get(v) !== index.get(v)) continue;
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || next.get(v)?.has(v)) cycles.push(component.sort());
    }
  }
  return cycles.sort((a, b) => a[0].localeCompare(b[0]));
}

/** Names a module declares and exports (re-exports of another module's names are not counted). */
function declaredExports(file, text) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const names = [];
  const imported = new Set();
  for (const st of sf.statements) {
    const clause = ts.isImportDeclaration(st) ? st.importClause : undefined;
    if (clause?.name) imported.add(clause.name.text);
    const bindings = clause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) {
      for (const e of bindings.elements) imported.add(e.name.text);
    } else if (bindings) imported.add(bindings.name.text);
  }
  const exported = (node) =>
    (ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Export) !== 0 &&
    (ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Default) === 0;
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st) && exported(st)) {
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name)) names.push(d.name.text);
      }
    } else if (
      (ts.isFunctionDeclaration(st) ||
        ts.isClassDeclaration(st) ||
        ts.isInterfaceDeclaration(st) ||
        ts.isTypeAliasDeclaration(st) ||
        ts.isEnumDeclaration(st)) &&
      st.name &&
      exported(st)
    ) {
      // Overloads and declaration merging name one thing: count a name once per file.
      if (!names.includes(st.name.text)) names.push(st.name.text);
    } else if (ts.isExportDeclaration(st) && !st.moduleSpecifier && st.exportClause) {
      // `export { local as name }`: the module's own declaration under its exported name; an
      // imported binding passed on is a re-export.
      if (ts.isNamedExports(st.exportClause)) {
        for (const e of st.exportClause.elements) {
          if (!imported.has((e.propertyName ?? e.name).text)) names.push(e.name.text);
        }
      }
    }
  }
  return names;
}

/**
 * Exported names declared by more than one module under `srcDir`: `{ name, files }` (paths
 * relative to `srcDir`), sorted by name.
 */
export function duplicateExports(srcDir, source = workingTree) {
  const root = resolve(srcDir);
  const byName = new Map();
  for (const file of source.files(root)) {
    for (const name of declaredExports(file, source.read(file))) {
      if (!byName.has(name)) byName.set(name, []);
      byName.get(name).push(relative(root, file));
    }
  }
  return [...byName.entries()]
    .filter(([, files]) => files.length > 1)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, files]) => ({ name, files }));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const here = dirname(fileURLToPath(import.meta.url));
  const args = process.argv.slice(2);
  const at = args.indexOf("--at");
  const rev = at >= 0 ? args.splice(at, 2)[1] : undefined;
  const src = resolve(args[0] ?? join(here, "..", "src"));
  const source = rev ? atRevision(src, rev) : workingTree;
  for (const { edge, count } of folderEdges(collectImports(src, source))) {
    console.log(`${edge}  (${count})`);
  }
}
