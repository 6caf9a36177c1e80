// Functions stay short enough to read at once: none in src/, kernel/ or labextension/src spans
// more than MAX_FUNCTION_LINES lines unless a comment directly above it starts with `long:` and
// says why (scripts/long-functions.mjs lists them: `node scripts/long-functions.mjs --all`).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  longFunctions,
  longFunctionsIn,
  MAX_FUNCTION_LINES,
} from "../../scripts/long-functions.mjs";

const ROOT = join(import.meta.dirname, "..", "..");

describe("function length", () => {
  it(`no function over ${MAX_FUNCTION_LINES} lines without a "long:" reason`, () => {
    const found = longFunctions(ROOT, ["src", "kernel", "labextension/src"])
      .filter((f) => !f.reason)
      .map((f) => `${f.file}:${f.start} ${f.name} (${f.lines} lines)`);
    expect(found, "split these, or say why above them with `// long: <why>`").toEqual([]);
  });

  it("finds long functions of every kind and honours a long: reason (fixture)", () => {
    const body = (n: number) => Array.from({ length: n }, (_, i) => `  x += ${i};`).join("\n");
    const text = [
      `export function declared() {\n${body(3)}\n}`,
      `export function tooLong() {\n${body(5)}\n}`,
      `const arrow = () => {\n${body(5)}\n};`,
      `class C {\n  method() {\n${body(5)}\n  }\n}`,
      `// long: one table read top to bottom\nexport function explained() {\n${body(5)}\n}`,
      `/** Docs.\n * long: generated dispatch, one case a line\n */\nconst alsoExplained = function () {\n${body(5)}\n};`,
    ].join("\n");
    const found = longFunctionsIn("fixture.ts", text, 6).map((f) => `${f.name}:${f.reason}`);
    expect(found).toEqual([
      "tooLong:false",
      "arrow:false",
      "method:false",
      "explained:true",
      "alsoExplained:true",
    ]);
  });
});
