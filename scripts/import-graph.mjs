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
