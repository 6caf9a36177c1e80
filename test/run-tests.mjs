#!/usr/bin/env node
// The README's test command ends here: typecheck, lint, then vitest; the last line is the count
// CI reads ("N passed, N failed[, N skipped]"). Typecheck and lint count as one test each.
import { spawnSync } from "node:child_process";
import { readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let passed = 0;
let failed = 0;
let skipped = 0;

function step(name, cmd, args) {
  process.stderr.write(`\n=== ${name}: ${cmd} ${args.join(" ")}\n`);
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  if (r.status === 0) passed++;
  else {
    failed++;
    process.stderr.write(`=== ${name} FAILED (exit ${r.status})\n`);
  }
}

// tsconfig.json covers src/ and test/ (no emit); the build uses tsconfig.build.json (src/ → lib/).
step("typecheck", "npx", ["tsc", "-p", "tsconfig.json", "--noEmit"]);
// The lab extension and its tests (and the installed-package test, which drives JupyterLab) need
// the DOM and the extension's own node_modules.
step("typecheck labextension", "npx", ["tsc", "-p", "labextension/tsconfig.test.json"]);
step("lint", "npm", ["run", "--silent", "lint"]);

const report = join(mkdtempSync(join(tmpdir(), "splatbook-vitest-")), "report.json");
const extra = process.argv.slice(2);
process.stderr.write(`\n=== vitest\n`);
const r = spawnSync(
  "npx",
  [
    "vitest",
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${report}`,
    ...extra,
  ],
  { stdio: "inherit" },
);
try {
  const json = JSON.parse(readFileSync(report, "utf8"));
  passed += json.numPassedTests;
  failed += json.numFailedTests;
  skipped += json.numPendingTests + (json.numTodoTests ?? 0);
  // A test file that fails to load has no test results: count it as a failure.
  for (const f of json.testResults ?? []) {
    if (f.status === "failed" && (f.assertionResults ?? []).length === 0) failed++;
  }
} catch {
  failed++;
  process.stderr.write(`vitest produced no report (exit ${r.status})\n`);
}
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
process.exit(failed > 0 ? 1 : 0);
