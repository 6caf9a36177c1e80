#!/usr/bin/env node
// The README's test command ends here: typecheck, lint, then vitest; the last line is the count
// CI reads ("N passed, N failed[, N skipped]"). Typecheck and lint count as one test each.
//
// vitest's own exit status is not enough (a failing beforeAll reports its tests as skipped), so
// the reporter test/test-command/reporter.ts judges the run: failed tests, tests a hook kept from
// running, afterAll and unhandled errors, unfinished files (a crashed worker) and undeclared
// skips are failures; only the skips listed in test/declared-skips.json count as skipped.
//
// Usage: node test/run-tests.mjs [--no-checks] [--skips <list.json>] [vitest args…]
//   --no-checks   vitest only (no typecheck, no lint)
//   --skips       another declared-skips list (the test of this command uses its fixtures' own)
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// Paths below (tsconfig, the reporter, the declared skips) are the project root's.
process.chdir(dirname(dirname(fileURLToPath(import.meta.url))));

let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];

const args = process.argv.slice(2);
const checks = !args.includes("--no-checks");
const skipsAt = args.indexOf("--skips");
const skipsList = skipsAt >= 0 ? args[skipsAt + 1] : "test/declared-skips.json";
const vitestArgs = args.filter(
  (a, i) => a !== "--no-checks" && i !== skipsAt && (skipsAt < 0 || i !== skipsAt + 1),
);

function step(name, cmd, cmdArgs) {
  process.stderr.write(`\n=== ${name}: ${cmd} ${cmdArgs.join(" ")}\n`);
  const r = spawnSync(cmd, cmdArgs, { stdio: "inherit" });
  if (r.status === 0) passed++;
  else {
    failed++;
    problems.push(`${name} failed (exit ${r.status ?? r.signal})`);
  }
}

if (checks) {
  // tsconfig.json covers src/ and test/ (no emit); the build uses tsconfig.build.json (src/ → lib/).
  step("typecheck", "npx", ["tsc", "-p", "tsconfig.json", "--noEmit"]);
  // The lab extension and its tests (and the installed-package test, which drives JupyterLab)
  // need the DOM and the extension's own node_modules.
  step("typecheck labextension", "npx", ["tsc", "-p", "labextension/tsconfig.test.json"]);
  step("lint", "npm", ["run", "--silent", "lint"]);
}

const dir = mkdtempSync(join(tmpdir(), "splatbook-vitest-"));
const verdictFile = join(dir, "verdict.json");
process.stderr.write(`\n=== vitest\n`);
const r = spawnSync(
  "npx",
  [
    "vitest",
    "run",
    "--reporter=default",
    "--reporter=./test/test-command/reporter.ts",
    ...vitestArgs,
  ],
  {
    stdio: "inherit",
    env: {
      ...process.env,
      SPLATBOOK_TEST_VERDICT: verdictFile,
      SPLATBOOK_DECLARED_SKIPS: skipsList,
    },
  },
);
const exit = r.status ?? r.signal;
if (existsSync(verdictFile)) {
  const v = JSON.parse(readFileSync(verdictFile, "utf8"));
  passed += v.passed;
  failed += v.failed;
  skipped += v.skipped;
  problems.push(...v.problems);
  if (v.declared.length) {
    process.stderr.write(`\n=== declared skips (${skipsList})\n${v.declared.join("\n")}\n`);
  }
  if (exit !== 0 && v.failed === 0) {
    failed++;
    problems.push(`vitest exited with ${exit} though every test passed`);
  }
} else {
  failed++;
  problems.push(`vitest ended (exit ${exit}) without a verdict: it did not run to the end`);
}
rmSync(dir, { recursive: true, force: true });
if (problems.length) process.stderr.write(`\n=== FAILED\n${problems.join("\n")}\n`);
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
process.exit(failed > 0 ? 1 : 0);
