#!/usr/bin/env node
// Functions longer than a reader can hold at once: every function, method, constructor, accessor
// and arrow function in the TypeScript/JavaScript sources given, read with the TypeScript
// compiler's parser, whose span (first to last line, nested functions included) is over a limit.
// A long function may stay long when a comment directly above it (or above the declaration that
// holds it) starts with `long:` and says why. `node scripts/long-functions.mjs [dir…]` prints the
// ones without a reason; test/architecture/functionLength.test.ts keeps the list empty.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** Lines a function may span without a `long:` reason. */
export const MAX_FUNCTION_LINES = 80;

const SOURCE = /\.(ts|mts|mjs|js)$/;

/** Every source file under `dir` (declaration files and node_modules excluded), sorted. */
function sourceFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "node_modules") out.push(...sourceFiles(p));
    } else if (SOURCE.test(e.name) && !/\.d\.m?ts$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

/** A readable name for a function node: its own name, or the variable/property it is bound to. */
function nameOf(node, sf) {
  if (node.name && ts.isIdentifier(node.name)) return node.name.text;
  if (node.name) return node.name.getText(sf);
  if (ts.isConstructorDeclaration(node)) return "constructor";
  const p = node.parent;
  if (
    p &&
    (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p))
  )
    return p.name.getText(sf);
  if (p && ts.isCallExpression(p)) return `(callback of ${p.expression.getText(sf).slice(0, 40)})`;
  return "(anonymous)";
}

/**
 * The nodes whose leading comments may carry the reason: the function itself, and the statement
 * or property that binds it (`const f = () => …`, `export function …`, `{ f: () => … }`).
 */
function reasonHolders(node) {
  const holders = [node];
  let p = node.parent;
  while (
    p &&
    (ts.isVariableDeclaration(p) ||
      ts.isVariableDeclarationList(p) ||
      ts.isVariableStatement(p) ||
      ts.isPropertyAssignment(p) ||
      ts.isPropertyDeclaration(p) ||
      ts.isExportAssignment(p))
  ) {
    holders.push(p);
    p = p.parent;
  }
  return holders;
}

function hasReason(node, sf) {
  const text = sf.getFullText();
  return reasonHolders(node).some((h) =>
    (ts.getLeadingCommentRanges(text, h.getFullStart()) ?? []).some((r) =>
      /^\s*(\/\/|\/\*+|\*)\s*long:/m.test(text.slice(r.pos, r.end)),
    ),
  );
}

/** Functions of one source text over `max` lines: `{ name, start, end, lines, reason }`. */
export function longFunctionsIn(file, text, max = MAX_FUNCTION_LINES) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const visit = (node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      const lines = end - start + 1;
      if (lines > max) {
        found.push({ name: nameOf(node, sf), start, end, lines, reason: hasReason(node, sf) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/**
 * Functions over `max` lines in every source file under the given folders, with paths relative
 * to `root`: `{ file, name, start, end, lines, reason }` (`reason`: a `long:` comment says why).
 */
export function longFunctions(root, dirs, max = MAX_FUNCTION_LINES) {
  const out = [];
  for (const dir of dirs) {
    for (const file of sourceFiles(resolve(root, dir))) {
      for (const f of longFunctionsIn(file, readFileSync(file, "utf8"), max)) {
        out.push({ file: relative(root, file), ...f });
      }
    }
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const args = process.argv.slice(2);
  const all = args.includes("--all");
  const dirs = args.filter((a) => a !== "--all");
  const found = longFunctions(root, dirs.length > 0 ? dirs : ["src", "kernel", "labextension/src"]);
  for (const f of found) {
    if (!f.reason || all) {
      console.log(
        `${f.file}:${f.start}-${f.end}  ${f.name}  ${f.lines} lines${f.reason ? "  (long: reason given)" : ""}`,
      );
    }
  }
}
