/**
 * Unit tests of the kernel's own cell handling, with tslab's TypeScript: source preparation
 * (export forms), top-level await detection, declared names, declarations carried over, and the
 * shared scope's bindings.
 */
import { describe, expect, it } from "vitest";
import { createCellBindings } from "../../src/kernel/bindings.js";
import { carryOverDeclarations } from "../../src/kernel/cellDeclarations.js";
import { mergeEarlierDeclarations } from "../../src/kernel/declarationMerging.js";
import { parseCellScript } from "../../src/kernel/executor.js";
import {
  hasTopLevelAwait,
  parseCell,
  prepareCellSource,
  topLevelNames,
} from "../../src/kernel/cellSource.js";
import { nestedVarNames } from "../../src/kernel/nestedVars.js";
import { loadTsHost } from "../../src/kernel/tsHost.js";
import { ROOT } from "./helpers.js";

const ts = loadTsHost(ROOT, ROOT).ts;

function prepared(code: string): string {
  const r = prepareCellSource(ts, code);
  if (!r.ok) throw new Error(r.message);
  return r.code;
}

describe("prepareCellSource", () => {
  it("blanks export keywords, keeping every line and column", () => {
    const code =
      "export const a: number = 1;\nexport default function f() {}\nexport interface I {}";
    const out = prepared(code);
    expect(out.split("\n").map((l) => l.length)).toEqual(code.split("\n").map((l) => l.length));
    expect(out).toBe(
      "       const a: number = 1;\n               function f() {}\n       interface I {}",
    );
  });

  it("turns export lists, re-exports and default expressions into their notebook meaning", () => {
    expect(prepared("export { a, b };")).toBe(" ".repeat(16));
    expect(prepared("export { a as b, c as d };")).toBe("const b = a, d = c;".padEnd(26));
    expect(prepared('export * as os from "node:os";')).toBe('import * as os from "node:os";');
    expect(prepared('export { join } from "node:path";')).toBe('import { join } from "node:path";');
    expect(prepared("export default { k: 1 };")).toBe("(              { k: 1 });");
  });

  it("leaves exports inside namespaces alone", () => {
    const code = "namespace N {\n  export const x = 1;\n}";
    expect(prepared(code)).toBe(code);
  });

  it("refuses forms without a notebook meaning, naming the line", () => {
    expect(prepareCellSource(ts, 'const a = 1;\nexport * from "node:path";')).toEqual({
      ok: false,
      message: '`export * from "…"` in a cell: import the names you need instead',
      line: 2,
    });
    expect(prepareCellSource(ts, "export default function () {}")).toMatchObject({ ok: false });
    expect(prepareCellSource(ts, "export = 1;")).toMatchObject({ ok: false });
    expect(prepareCellSource(ts, 'let a = 1;\nimport cp = require("node:child_process");')).toEqual(
      {
        ok: false,
        message:
          '`import cp = require("…")` in a cell: write `import * as cp from "…"` (or `import cp from "…"` for a module that exports one value)',
        line: 2,
      },
    );
    // An alias of a namespace is an ordinary notebook form.
    expect(prepareCellSource(ts, "import A = N.B;")).toMatchObject({ ok: true });
  });
});

describe("cell syntax", () => {
  it("finds top-level await and for await, not those inside functions", () => {
    const awaits = (code: string) => hasTopLevelAwait(ts, parseCell(ts, code));
    expect(awaits("for (const x of xs) { await x; }")).toBe(true);
    expect(awaits("for await (const x of xs) {}")).toBe(true);
    expect(awaits("try {} finally { await 1; }")).toBe(true);
    expect(awaits("async function f() { await 1; for await (const x of y) {} }")).toBe(false);
    expect(awaits("const f = async () => { await 1; };")).toBe(false);
  });

  it("lists the names a cell declares at its top level", () => {
    const code = [
      'import d, { a as b, type T } from "m";',
      'import * as ns from "n";',
      "const { p, q: [r, ...s] } = o;",
      "for (var v = 0; v < 1; v++) { let inner = 1; }",
      "function f() { var hidden = 1; }",
      "class C {} interface I {} type A = 1; enum E {} namespace N {}",
      "import Alias = N;",
    ].join("\n");
    expect([...topLevelNames(ts, parseCell(ts, code))].sort()).toEqual(
      ["A", "Alias", "C", "E", "I", "N", "T", "b", "d", "f", "ns", "p", "r", "s", "v"].sort(),
    );
  });

  it("finds the vars declared in top-level blocks and loops, not in functions", () => {
    const code = [
      "var top = 1;",
      "for (var i = 0, [j] = [1]; i < 1; i++) { var top = 2; }",
      "for (var k in {}) {}",
      "label: { if (top) { try { var { p: q, ...r } = { p: 1 }; } finally {} } }",
      "function f() { var hidden = 1; }",
      "const g = () => { var hidden2 = 1; };",
      "class C { static { var hidden3 = 1; } }",
      "namespace N { var hidden4 = 1; }",
      "for (let scoped = 0; scoped < 1; scoped++) {}",
    ].join("\n");
    expect([...nestedVarNames(ts, parseCell(ts, code)).keys()].sort()).toEqual(
      ["i", "j", "k", "q", "r"].sort(),
    );
  });

  it("carries namespaces and import aliases over unless the cell declares them again", () => {
    const previous =
      "declare namespace Geo {\n    const pi = 3;\n}\nimport G = Geo;\ndeclare const k: number;\n";
    const next = "declare const z: number;\n";
    const carried = carryOverDeclarations(ts, previous, next, new Set(["z"]));
    expect(carried).toBe(
      "declare const z: number;\ndeclare namespace Geo {\n    const pi = 3;\n}\nimport G = Geo;\n",
    );
    expect(carryOverDeclarations(ts, previous, next, new Set(["Geo", "G"]))).toBe(next);
  });
});

describe("shared cell bindings", () => {
  it("keeps every linked copy of a name equal to the latest assignment", () => {
    const b = createCellBindings();
    b.declare("count");
    let first = 0;
    let second = 0;
    b.link("count", (v) => {
      first = v as number;
      // A cell's own write-back (the converted code mirrors it) must not recurse.
      b.scope.count = v;
    });
    b.link("count", (v) => (second = v as number));
    b.scope.count = 5;
    expect([first, second, b.scope.count]).toEqual([5, 5, 5]);
  });

  it("reports whether a cell set its last-expression variable, once", () => {
    const b = createCellBindings();
    b.declare("last");
    expect(b.take("last")).toEqual({ found: false });
    expect(b.scope.last).toBeUndefined();
    b.scope.last = undefined;
    expect(b.take("last")).toEqual({ found: true, value: undefined });
    expect(b.take("last")).toEqual({ found: false });
  });
});

describe("declarations merged across cells", () => {
  const earlier = [
    "declare namespace Geo {",
    "    const pi = 3, e = 2;",
    "    function area(r: number): number;",
    "}",
    "declare enum Level {",
    "    Low = 1,",
    "    Mid = 2",
    "}",
    "interface Options {",
    "    steps: number;",
    "    fast?: boolean;",
    "}",
    "declare const plain: number;",
    "",
  ].join("\n");

  it("puts the earlier declarations the cell merges with on its first line", () => {
    const cell = "namespace Geo {\n  export const e = 2.7;\n}\nenum Level { High = 10 }";
    const merged = mergeEarlierDeclarations(ts, cell, earlier);
    const [first, ...rest] = merged.code.split("\n");
    // Lines keep their numbers; a member the cell declares again (`e`) is left out of the copy.
    expect(rest).toEqual(cell.split("\n").slice(1));
    expect(first!.slice(merged.firstLineShift)).toBe("namespace Geo {");
    expect(first!.slice(0, merged.firstLineShift)).toBe(
      "declare namespace Geo { const pi = 3; function area(r: number): number; } declare enum Level { Low = 1, Mid = 2 } ",
    );
  });

  it("merges interfaces without the members declared again, and leaves other kinds alone", () => {
    const merged = mergeEarlierDeclarations(ts, "interface Options { fast: boolean }", earlier);
    expect(merged.code).toBe(
      "interface Options { steps: number; } interface Options { fast: boolean }",
    );
    // A variable does not merge with a namespace: the cell's declaration replaces it.
    expect(mergeEarlierDeclarations(ts, "namespace plain {}", earlier)).toEqual({
      code: "namespace plain {}",
      firstLineShift: 0,
    });
    expect(mergeEarlierDeclarations(ts, "const Geo = 1;", earlier).firstLineShift).toBe(0);
  });
});

describe("converted cells that do not parse", () => {
  it("are reported in one line, not as Node's SyntaxError about generated code", () => {
    // What the destructuring fault used to generate for `const { n: n2 } = cfg;`.
    const js = "let { exports, n: n2 } = exports.cfg;";
    const parsed = parseCellScript({ js, isAsync: false }, "cell.js");
    expect(parsed).toEqual({
      message:
        "the kernel cannot run this cell: its converted JavaScript does not parse (Identifier 'exports' has already been declared); nothing ran",
    });
    expect(parseCellScript({ js: "let n2 = 1;", isAsync: true }, "cell.js")).not.toHaveProperty(
      "message",
    );
  });
});
