/**
 * Native writes to descriptor 2 (what Dawn's adapter notices are) go to the capture callback, not
 * to the process's stderr, also when that stderr is a socket — what a process started by Node with
 * piped stdio gets (a test runner's worker, a kernel, a batch worker) — or a file that stdout
 * shares (`> log 2>&1`), where nothing written before or after may be lost or overwritten. The
 * module runs in real child processes; it imports only Node built-ins, so it is transpiled alone.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { tempDir } from "../engine/helpers.js";

const CHILD = `
import { fstatSync, writeSync } from "node:fs";
import { withNativeStderrCaptured } from "./nativeStderr.mjs";
writeSync(1, "socket:" + fstatSync(2).isSocket() + "\\n");
console.log("stdout before");
writeSync(2, "before\\n");
for (const round of [1, 2]) {
  const value = await withNativeStderrCaptured(
    async () => { writeSync(2, "native notice " + round + "\\n"); return round; },
    (text) => writeSync(1, "captured:" + text),
  );
  writeSync(2, "between " + value + "\\n");
}
process.stderr.write("z".repeat(Number(process.env.BIG)) + "\\n");
console.error("after");
console.log("stdout after");
`;

function transpiledChild(): string {
  const dir = tempDir("native-stderr");
  const source = readFileSync(new URL("../../src/gpu/nativeStderr.ts", import.meta.url), "utf8");
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  writeFileSync(join(dir, "nativeStderr.mjs"), js);
  writeFileSync(join(dir, "child.mjs"), CHILD);
  return join(dir, "child.mjs");
}

/** Runs the child with stdio piped (sockets) or both on one file; resolves with what it wrote. */
function runChild(
  script: string,
  sharedFile?: string,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const fd = sharedFile === undefined ? undefined : openSync(sharedFile, "w");
    // On a pipe the relay may split a write over PIPE_BUF (4 KiB) around stdout's, so the long
    // line is only long where stderr is not shared.
    const big = sharedFile === undefined ? 100000 : 4000;
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, BIG: String(big) },
      stdio: fd === undefined ? ["ignore", "pipe", "pipe"] : ["ignore", fd, fd],
    });
    if (fd !== undefined) closeSync(fd);
    let out = "";
    let err = "";
    child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

describe("native stderr capture", () => {
  it("captures native writes when stderr is a socket, and keeps the rest of stderr", async () => {
    const { code, out, err } = await runChild(transpiledChild());
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

  it("keeps every line when stdout and stderr share one file", async () => {
    const file = join(tempDir("native-stderr-file"), "log.txt");
    const { code } = await runChild(transpiledChild(), file);
    expect(code).toBe(0);
    // The relay copies stderr when it reads it, so the two streams may interleave differently,
    // and its last copy may land just after the child exits.
    const read = () => readFileSync(file, "utf8").split("\n").filter(Boolean);
    for (let i = 0; i < 100 && read().length < 10; i++) await sleep(50);
    const lines = read();
    expect([...lines].sort()).toEqual(
      [
        "socket:false",
        "stdout before",
        "captured:native notice 1",
        "captured:native notice 2",
        "before",
        "between 1",
        "between 2",
        "z".repeat(4000),
        "after",
        "stdout after",
      ].sort(),
    );
  });
});
