/**
 * TypeScript forms a notebook user writes across cells, each with the values its cells must
 * show. Every form runs in order in one kernel (names are unique per form unless a form is
 * about redeclaring them). `before` says how tslab's converter alone got the form wrong, for
 * the forms the kernel's own source preparation and transforms fix.
 */

/** One cell: its code and the text/plain of its value (undefined: no value expected). */
export interface CorpusCell {
  code: string;
  value?: string;
  /** The cell must fail with an error whose ename and evalue (and traceback, if given) match. */
  error?: { ename: string; evalue: RegExp; traceback?: RegExp };
}

/** One form and its cells. */
export interface CorpusForm {
  form: string;
  before?: string;
  cells: CorpusCell[];
}

export const CELL_CORPUS: CorpusForm[] = [
  {
    form: "shorthand properties of an earlier cell's variables",
    before: "`{ input }` stayed a bare identifier in the emitted code: ReferenceError",
    cells: [
      { code: 'let input = "capture";\nlet output = "splats";' },
      {
        code: "const job = { input, output };\njob",
        value: "{ input: 'capture', output: 'splats' }",
      },
      { code: "job.input + '→' + job.output", value: "'capture→splats'" },
      {
        code: "const make = () => ({ input, nested: { output } });\nmake().nested.output",
        value: "'splats'",
      },
    ],
  },
  {
    form: "the notebook API with shorthand properties: Job.open({ input, output })",
    before: "`ReferenceError: input is not defined` in the cell calling Job.open",
    cells: [
      {
        code: 'import { mkdirSync } from "node:fs";\nimport { Job } from "splatbook";\nlet input = "capture-dir";\nlet output = "job-out";\nvoid mkdirSync(input, { recursive: true });',
      },
      { code: "const job = await Job.open({ input, output, display: false });" },
      { code: 'job.outputFolder.endsWith("/job-out")', value: "true" },
    ],
  },
  {
    form: "shorthand destructuring assignment to earlier variables",
    before: "the targets stayed bare: the values went to new globals, the variables kept theirs",
    cells: [
      { code: "let sa = 1, sb = 2;" },
      { code: "({ sa, sb } = { sa: 10, sb: 20 });\n[sa, sb]", value: "[ 10, 20 ]" },
      { code: "({ sa = 5 } = {} as { sa?: number });\nsa", value: "5" },
      { code: "[sa, sb] = [sb, sa];\n[sa, sb]", value: "[ 20, 5 ]" },
    ],
  },
  {
    form: "object and array destructuring with defaults and rest",
    cells: [
      {
        code: "const { da = 1, db: [dc, ...dd] = [2, 3, 4], ...drest } = { x: 9, y: 8 } as {\n  da?: number; db?: number[]; x: number; y: number;\n};",
      },
      { code: "[da, dc, dd, drest]", value: "[ 1, 2, [ 3, 4 ], { x: 9, y: 8 } ]" },
      {
        code: "let [u1, u2 = 2, ...u3] = [1, undefined, 3, 4];\n[u1, u2, u3]",
        value: "[ 1, 2, [ 3, 4 ] ]",
      },
      {
        code: "function pick({ k = da, ...more }: { k?: number; m?: number } = {}) {\n  return [k, more];\n}\npick({ m: 3 })",
        value: "[ 1, { m: 3 } ]",
      },
    ],
  },
  {
    form: "destructuring with renaming from an earlier cell's object",
    before:
      "property names resolved to the earlier cell's type and became `exports.n`: `SyntaxError: Identifier 'exports' has already been declared`",
    cells: [
      { code: 'const cfg = { input: "in", n: 3 };' },
      { code: "const { n: n2 } = cfg;" },
      { code: "const { input: i2, n: n3 = 9, ...rest } = { ...cfg, extra: 1 };" },
      { code: "[n2, i2, n3, rest]", value: "[ 3, 'in', 3, { extra: 1 } ]" },
      {
        code: "function pickN({ n: m }: typeof cfg) { return m; }\nlet got = 0;\n({ n: got } = cfg);\n[pickN(cfg), got]",
        value: "[ 3, 3 ]",
      },
      {
        code: "for (const { input: name, n: count } of [cfg]) console.log(name, count);",
      },
    ],
  },
  {
    form: "`var` in top-level loops and blocks",
    before:
      "later cells could not see the name (`Cannot find name 'i'`), and saw no value assigned by the declaration itself",
    cells: [
      {
        code: "for (var vi = 0; vi < 3; vi++) {}\nif (vi > 0) { var [vp, { vq }] = [1, { vq: 'q' }]; }",
      },
      { code: "[vi + 1, vp, vq.toUpperCase()]", value: "[ 4, 1, 'Q' ]" },
    ],
  },
  {
    form: "refused forms give one-line compile errors naming them",
    cells: [
      {
        code: 'import nodeFs = require("node:fs");',
        error: {
          ename: "CompileError",
          evalue: /^`import nodeFs = require\("…"\)` in a cell: write `import \* as nodeFs/,
        },
      },
    ],
  },
  {
    form: "spread",
    cells: [
      { code: "const base = { k: 1 };\nconst nums = [1, 2];" },
      { code: "({ ...base, j: 2, all: [...nums, 3] })", value: "{ k: 1, j: 2, all: [ 1, 2, 3 ] }" },
      { code: "Math.max(...nums, ...new Set([7]))", value: "7" },
    ],
  },
  {
    form: "classes with private fields, static blocks and inheritance",
    cells: [
      { code: "const unit = 7;" },
      {
        code: [
          "class Counter {",
          "  #n = 0;",
          "  static created = 0;",
          "  static { Counter.created = unit * 100; }",
          "  inc() { return ++this.#n + unit - unit; }",
          "  get n() { return this.#n; }",
          "  static isCounter(x: object) { return #n in x; }",
          "}",
        ].join("\n"),
      },
      {
        code: "const cc = new Counter();\ncc.inc();\ncc.inc();\n[cc.n, Counter.created, Counter.isCounter(cc), Counter.isCounter({})]",
        value: "[ 2, 700, true, false ]",
      },
      {
        code: "class Twice extends Counter {\n  twice() { this.inc(); return this.inc(); }\n}\nnew Twice().twice()",
        value: "2",
      },
      {
        code: "abstract class Shape2 { abstract area(): number; describe() { return `area ${this.area()}`; } }\nclass Sq extends Shape2 { constructor(public readonly s = 3) { super(); } area() { return this.s ** 2; } }",
      },
      { code: "new Sq().describe()", value: "'area 9'" },
    ],
  },
  {
    form: "enums (numeric, string, const)",
    cells: [
      { code: "enum Color { Red, Green = 5, Blue }\nconst enum Dir { Up = 'UP', Down = 'DOWN' }" },
      { code: "[Color.Red, Color.Blue, Color[5], Dir.Down]", value: "[ 0, 6, 'Green', 'DOWN' ]" },
      { code: "let chosen: Color = Color.Blue;\nchosen === Color.Blue", value: "true" },
    ],
  },
  {
    form: "namespaces, merged declarations and import aliases",
    before:
      "the converter dropped namespaces and `import A = NS.B` from the declarations one cell later: `Cannot find name`",
    cells: [
      {
        code: "namespace Geo {\n  export const pi = 3;\n  export function area(r: number) { return pi * r * r; }\n}",
      },
      { code: "Geo.area(2)", value: "12" },
      { code: "const afterGeo = 1;" },
      { code: "Geo.pi + afterGeo", value: "4" },
      {
        code: "interface Pt { w: number }\nfunction Pt(w: number): Pt { return { w }; }\nnamespace Pt { export const unit = Pt(1); }\nnamespace Outer { export namespace Inner { export enum E { A = 2 } } }\nimport IE = Outer.Inner.E;",
      },
      { code: "const afterAlias = 0;" },
      { code: "[Pt.unit.w + Pt(3).w, IE.A, Outer.Inner.E.A + afterAlias]", value: "[ 4, 2, 2 ]" },
    ],
  },
  {
    form: "generics",
    cells: [
      {
        code: "function first<T>(xs: readonly T[]): T | undefined { return xs[0]; }\nclass Box<T> {\n  constructor(public v: T) {}\n  map<U>(f: (v: T) => U): Box<U> { return new Box(f(this.v)); }\n}\nconst ident = <T,>(x: T) => x;",
      },
      {
        code: "[first(['a', 'b']), new Box(2).map((x) => `${x * 10}`).v, ident(true)]",
        value: "[ 'a', '20', true ]",
      },
      {
        code: "type Pair<A, B = A> = [A, B];\nconst pair: Pair<number> = [1, 2];\npair",
        value: "[ 1, 2 ]",
      },
    ],
  },
  {
    form: "overloads",
    cells: [
      {
        code: "function pad(x: number): string;\nfunction pad(x: string, width: number): string;\nfunction pad(x: number | string, width = 3) { return String(x).padStart(width, '0'); }",
      },
      { code: "const afterPad = 1;" },
      { code: "[pad(7), pad('ab', 4 + afterPad)]", value: "[ '007', '000ab' ]" },
    ],
  },
  {
    form: "type-only imports",
    cells: [
      {
        code: "import type { Stats } from 'node:fs';\nimport { type Dirent, existsSync } from 'node:fs';\nlet maybeStats: Stats | undefined;\nconst noDirents: Dirent[] = [];",
      },
      {
        code: "const rootExists: boolean = existsSync('/');\n[rootExists, maybeStats, noDirents.length]",
        value: "[ true, undefined, 0 ]",
      },
      {
        code: "function size(s: Stats | undefined): number { return s?.size ?? -1; }\nsize(maybeStats)",
        value: "-1",
      },
    ],
  },
  {
    form: "`export` in a cell",
    before:
      "the converter exports every name itself: TS2323/TS2484 conflicts and the names were lost",
    cells: [
      {
        code: "export const ev = 41;\nexport function ef() { return ev + 1; }\nexport class EC { v = 3 }\nexport interface EI { a: number }\nexport type ET = EI;\nexport enum EE { X = 1 }\nexport namespace EN { export const y = 2; }",
      },
      {
        code: "const ei: ET = { a: EE.X + EN.y };\n[ev, ef(), new EC().v, ei.a]",
        value: "[ 41, 42, 3, 3 ]",
      },
      { code: "const q1 = 3;\nexport { q1 };\nexport { q1 as q2 };" },
      { code: "q1 + q2", value: "6" },
      {
        code: "export { join as pjoin } from 'node:path';\nexport * as nodeOs from 'node:os';\nexport default function named() { return 5; }",
      },
      { code: "[pjoin('a', 'b'), typeof nodeOs.cpus, named()]", value: "[ 'a/b', 'function', 5 ]" },
      { code: "export default { k: 'v' };", value: "{ k: 'v' }" },
      {
        code: "export * from 'node:path';",
        error: { ename: "CompileError", evalue: /export \* from .*import the names you need/ },
      },
      {
        // Diagnostics keep the user's columns: `export` is blanked, not removed.
        code: "export const wrongType: string = 1;",
        error: {
          ename: "CompileError",
          evalue: /TS2322/,
          traceback: /line 1, column 14: error TS2322/,
        },
      },
    ],
  },
  {
    form: "redeclaring let, const, function and class in a later cell",
    cells: [
      {
        code: "let r1 = 1;\nconst r2 = 'x';\nfunction rf() { return 1; }\nclass RC { v = 1 }\nconst usesRf = () => rf();",
      },
      { code: "let r1 = 'one';\nconst r2 = 2;\nfunction rf() { return 2; }\nclass RC { w = 2 }" },
      { code: "[r1, r2, rf(), new RC(), usesRf()]", value: "[ 'one', 2, 2, RC { w: 2 }, 2 ]" },
      { code: "const r1 = [1];\nr1", value: "[ 1 ]" },
    ],
  },
  {
    form: "one binding per name: earlier functions see later assignments",
    before:
      "a function kept reading its own cell's copy: `count = 100` in a later cell went unseen",
    cells: [
      { code: "let count = 0;\nconst bump = () => ++count;" },
      { code: "count = 100;", value: "100" },
      { code: "bump()", value: "101" },
      { code: "count", value: "101" },
      { code: "const rate = 0.5;\nfunction scaled(x: number) { return x * rate; }" },
      { code: "const rate = 2;" },
      { code: "scaled(10)", value: "20" },
    ],
  },
  {
    form: "top-level await inside loops and try/finally",
    cells: [
      {
        code: "const trail: string[] = [];\nasync function step(s: string) {\n  await new Promise((r) => setTimeout(r, 2));\n  trail.push(s);\n}",
      },
      {
        code: "let total = 0;\nfor (const i of [1, 2, 3]) total += await Promise.resolve(i);\ntotal",
        value: "6",
      },
      {
        code: "try {\n  await step('a');\n  throw new Error('boom');\n} finally {\n  await step('f');\n}",
        error: { ename: "Error", evalue: /^boom$/ },
      },
      {
        code: "while (trail.length < 4) await step('w');\ndo { await step('d'); } while (false);\ntrail",
        value: "[ 'a', 'f', 'w', 'w', 'd' ]",
      },
    ],
  },
  {
    form: "for await",
    before: "`for await` at the top level was not seen as top-level await: SyntaxError",
    cells: [
      { code: "async function* evens(n: number) {\n  for (let i = 0; i < n; i++) yield i * 2;\n}" },
      {
        code: "let evenSum = 0;\nfor await (const v of evens(4)) evenSum += v;\nevenSum",
        value: "12",
      },
      {
        code: "const seen: number[] = [];\nfor await (const v of [Promise.resolve(1), 2]) seen.push(v);\nseen",
        value: "[ 1, 2 ]",
      },
    ],
  },
  {
    form: "labelled statements",
    cells: [
      {
        code: "let found = -1;\nouter: for (let i = 0; i < 5; i++) {\n  for (let j = 0; j < 5; j++) {\n    if (i * j === 6) { found = i * 10 + j; break outer; }\n  }\n}\nfound",
        value: "23",
      },
      { code: "block: {\n  if (found > 0) break block;\n  found = 0;\n}\nfound", value: "23" },
    ],
  },
  {
    form: "other everyday forms: getters, iterators, bigint, optional chaining, satisfies",
    cells: [
      {
        code: "class Range { constructor(private n: number) {}\n  *[Symbol.iterator]() { for (let i = 0; i < this.n; i++) yield i; } }\nconst cfg = { mode: 'fast' } as const satisfies { mode: string };\nlet big = 10n ** 20n;",
      },
      {
        code: "const holder = { get twice() { return big * 2n; } };\n[...new Range(3), cfg.mode, holder.twice, ({} as { a?: { b?: number } }).a?.b ?? 'none']",
        value: "[ 0, 1, 2, 'fast', 200000000000000000000n, 'none' ]",
      },
      { code: "let later: number;" },
      { code: "later = 5;", value: "5" },
      { code: "later * 2", value: "10" },
    ],
  },
];
