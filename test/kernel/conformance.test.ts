/**
 * Jupyter's own conformance suite (jupyter_kernel_test, from PyPI, in the project's .venv)
 * against the kernelspec installed into a temporary JUPYTER_PATH. Failures and errors surface
 * here with the suite's output.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installKernelSpec } from "../../src/kernel/kernelspecInstall.js";
import { ensureKernelBuilt, ROOT } from "./helpers.js";

const PYTHON = join(ROOT, ".venv", "bin", "python");

/** Counts from unittest's summary ("Ran 12 tests", "FAILED (failures=1, errors=2, skipped=1)"). */
function parseUnittestSummary(output: string) {
  const ran = Number(/^Ran (\d+) tests? in/m.exec(output)?.[1] ?? NaN);
  const field = (name: string) => Number(new RegExp(`${name}=(\\d+)`).exec(output)?.[1] ?? 0);
  return { ran, failures: field("failures"), errors: field("errors"), skipped: field("skipped") };
}

describe("jupyter_kernel_test conformance", () => {
  let prefix: string;
  beforeAll(async () => {
    ensureKernelBuilt();
    prefix = mkdtempSync(join(tmpdir(), "splatbook-kernelspec-"));
    await installKernelSpec({ scope: { kind: "prefix", prefix } });
  });
  afterAll(() => {
    if (prefix) rmSync(prefix, { recursive: true, force: true });
  });

  it("parses unittest summaries", () => {
    expect(parseUnittestSummary("Ran 12 tests in 3.2s\n\nFAILED (failures=1, errors=2)")).toEqual({
      ran: 12,
      failures: 1,
      errors: 2,
      skipped: 0,
    });
    expect(parseUnittestSummary("Ran 1 test in 0.1s\n\nOK (skipped=1)").skipped).toBe(1);
  });

  it("passes every test of jupyter_kernel_test with no skips", () => {
    expect(existsSync(PYTHON), `${PYTHON} missing: create the project's .venv`).toBe(true);
    const r = spawnSync(PYTHON, ["-m", "unittest", "-v", "test_splatbook_kernel"], {
      cwd: join(ROOT, "test", "kernel"),
      env: {
        ...process.env,
        JUPYTER_PATH: join(prefix, "share", "jupyter"),
        PYTHONDONTWRITEBYTECODE: "1",
      },
      encoding: "utf8",
      timeout: 240_000,
    });
    const output = `${r.stdout}\n${r.stderr}`;
    const summary = parseUnittestSummary(output);
    expect(summary, output).toMatchObject({ failures: 0, errors: 0, skipped: 0 });
    expect(summary.ran, output).toBeGreaterThanOrEqual(12);
    expect(r.status, output).toBe(0);
  }, 300_000);
});
