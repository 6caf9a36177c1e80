/**
 * Native writes to descriptor 2 (what Dawn's adapter notices are) go to the capture callback, not
 * to the process's stderr, also when that stderr is a socket — what a process started by Node with
 * piped stdio gets (a test runner's worker, a kernel, a batch worker). The module runs in a real
 * child process started that way; it imports only Node built-ins, so it is transpiled on its own.
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { tempDir } from "../engine/helpers.js";

const CHILD = `
import { fstatSync, writeSync } from "node:fs";
import { withNativeStderrCaptured } from "./nativeStderr.mjs";
writeSync(1, "socket:" + fstatSync(2).isSocket() + "\\n");
writeSync(2, "before\\n");
for (const round of [1, 2]) {
  const value = await withNativeStderrCaptured(
    async () => { writeSync(2, "native notice " + round + "\\n"); return round; },
    (text) => writeSync(1, "captured:" + text),
  );
  writeSync(2, "between " + value + "\\n");
}
process.stderr.write("z".repeat(100000) + "\\n");
console.error("after");
`;

function runChild(dir: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(dir, "child.mjs")], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

describe("native stderr capture", () => {
  it("captures native writes when stderr is a socket, and keeps the rest of stderr", async () => {
    const dir = tempDir("native-stderr");
    const source = readFileSync(new URL("../../src/gpu/nativeStderr.ts", import.meta.url), "utf8");
    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    writeFileSync(join(dir, "nativeStderr.mjs"), js);
    writeFileSync(join(dir, "child.mjs"), CHILD);

    const { code, out, err } = await runChild(dir);
    expect(code, err).toBe(0);
    expect(out).toContain("socket:true");
    expect(out).toContain("captured:native notice 1");
    expect(out).toContain("captured:native notice 2");
    expect(err).not.toContain("native notice");
    const lines = err.split("\n");
    expect(lines.slice(0, 3)).toEqual(["before", "between 1", "between 2"]);
    expect(lines[3]).toHaveLength(100000);
    expect(lines[4]).toBe("after");
  });
});
