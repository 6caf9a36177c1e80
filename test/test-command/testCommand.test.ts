// The README's test command (test/run-tests.mjs) on fixture files that fail in each way a run can
// fail: each alone must make it exit non-zero, name the file and the cause, and end with the count
// line. Only the fixtures run (their own vitest config, no typecheck or lint), so this stays quick.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const FIXTURES = "test/test-command/fixtures";

/** Runs the test command on one fixture file; resolves with its exit code and output. */
function testCommand(fixture: string, skips = `${FIXTURES}/declared-skips.json`) {
  // The outer vitest's variables would make the inner one believe it runs inside a worker.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST") && k !== "NODE_ENV"),
  );
  const child = spawn(
    process.execPath,
    [
      "test/run-tests.mjs",
      ...["--no-checks", "--skips", skips],
      ...["--config", `${FIXTURES}/vitest.config.ts`, `${FIXTURES}/${fixture}`],
    ],
    { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise<{ code: number | null; summary: string; lastLine: string }>((resolve) =>
    child.on("close", (code) => {
      const lines = stdout.trimEnd().split("\n");
      // What the command itself says after vitest: its list of failures.
      const summary = stderr.slice(stderr.lastIndexOf("=== "));
      resolve({ code, summary, lastLine: lines.at(-1)! });
    }),
  );
}

describe.concurrent("the test command on failing fixtures", () => {
  const cases: [string, RegExp[], string][] = [
    [
      "setup-fails.fixture.ts",
      [/setup-fails\.fixture\.ts: .*splatbook-fixture-missing-tool is not installed.*2 test/],
      "0 passed, 2 failed",
    ],
    [
      "suite-setup-fails.fixture.ts",
      [/suite-setup-fails\.fixture\.ts › with a queue server: redis-server exited with 1/],
      "1 passed, 1 failed",
    ],
    [
      "teardown-fails.fixture.ts",
      [/teardown-fails\.fixture\.ts: could not remove the scratch folder/],
      "1 passed, 1 failed",
    ],
    [
      "unhandled-rejection.fixture.ts",
      [/unhandled error in .*unhandled-rejection\.fixture\.ts.*: a forgotten promise rejected/],
      "1 passed, 1 failed",
    ],
    [
      "undeclared-skip.fixture.ts",
      [
        /undeclared-skip\.fixture\.ts › returns early on this adapter: skipped, not declared .*no subgroups here/,
        /undeclared-skip\.fixture\.ts › was switched off: skipped, not declared/,
        /undeclared-skip\.fixture\.ts › is not written yet: todo, not declared/,
      ],
      "0 passed, 3 failed",
    ],
    [
      "crashed-worker.fixture.ts",
      [/crashed-worker\.fixture\.ts › kills its own worker: did not finish/],
      // The unfinished test and the pool's "worker exited" error.
      "0 passed, 2 failed",
    ],
  ];
  for (const [fixture, causes, count] of cases) {
    it(`${fixture} fails the run, named with its cause`, async () => {
      const r = await testCommand(fixture);
      expect(r.code, r.summary).toBe(1);
      expect(r.summary).toMatch(/^=== FAILED\n/);
      for (const cause of causes) expect(r.summary).toMatch(cause);
      expect(r.lastLine).toBe(count);
    });
  }

  it("a passing file with a declared skip passes and counts the skip", async () => {
    const r = await testCommand("passing.fixture.ts");
    expect(r.code, r.summary).toBe(0);
    expect(r.summary).toMatch(
      /needs a device this machine lacks: stands for a test that needs hardware CI lacks \(the test says: no such device here\)/,
    );
    expect(r.lastLine).toBe("1 passed, 0 failed, 1 skipped");
  });

  it("a declared skip that names no test fails the run", async () => {
    const r = await testCommand("passing.fixture.ts", `${FIXTURES}/stale-skips.json`);
    expect(r.code, r.summary).toBe(1);
    expect(r.summary).toMatch(/stale-skips\.json: "a test that was renamed" names no test in/);
    expect(r.lastLine).toBe("1 passed, 1 failed, 1 skipped");
  });
});
