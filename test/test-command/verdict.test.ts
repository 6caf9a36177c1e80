// The verdict's rules on hand-made run records (the end-to-end cases are in testCommand.test.ts).
import { describe, expect, it } from "vitest";
import { declares, judge, type RunRecord, type TestRecord } from "./verdict.js";

const FILE = "test/gpu/radixSort.test.ts";

function test(name: string, state: TestRecord["state"], extra: Partial<TestRecord> = {}) {
  return { file: FILE, name, state, mode: "run", errors: [], ...extra } as TestRecord;
}

function run(tests: TestRecord[], extra: Partial<RunRecord> = {}): RunRecord {
  return {
    files: [{ file: FILE, state: "passed" }],
    tests,
    scopeErrors: [],
    unhandled: [],
    nameFilter: false,
    reason: "passed",
    ...extra,
  };
}

describe("the verdict of a run", () => {
  it("matches declared skips by exact name or by a prefix ending in *", () => {
    const exact = { file: FILE, test: "sort > 5 keys", reason: "needs subgroups" };
    const prefix = { ...exact, test: "sort > *" };
    expect(declares(exact, FILE, "sort > 5 keys")).toBe(true);
    expect(declares(exact, FILE, "sort > 5 keys, stably")).toBe(false);
    expect(declares(prefix, FILE, "sort > 5 keys, stably")).toBe(true);
    expect(declares(prefix, "test/other.test.ts", "sort > 5 keys")).toBe(false);
    expect(declares(prefix, FILE, "scan > 5 values")).toBe(false);
  });

  it("counts declared skips as skipped and any other skip as a failure", () => {
    const v = judge(
      run([
        test("sort > a", "passed"),
        test("sort > b", "skipped", { note: "no subgroups" }),
        test("scan > c", "skipped", { mode: "skip" }),
      ]),
      [{ file: FILE, test: "sort > *", reason: "needs an adapter with subgroups" }],
    );
    expect([v.passed, v.failed, v.skipped]).toEqual([1, 1, 1]);
    expect(v.declared).toEqual([
      `${FILE} › sort > b: needs an adapter with subgroups (the test says: no subgroups)`,
    ]);
    expect(v.problems).toEqual([
      `${FILE} › scan > c: skipped, not declared in test/declared-skips.json`,
    ]);
  });

  it("leaves out the tests a name filter (-t) left out, but not skips taken at run time", () => {
    const tests = [
      test("a", "passed"),
      test("b", "skipped", { mode: "skip" }),
      test("c", "skipped", { note: "no GPU" }),
    ];
    const v = judge(run(tests, { nameFilter: true }), []);
    expect([v.passed, v.failed, v.skipped]).toEqual([1, 1, 0]);
    expect(v.problems[0]).toMatch(/› c: skipped, not declared/);
  });

  it("counts the tests a failing hook kept from running, not the skips inside its scope", () => {
    const v = judge(
      run(
        [
          test("gpu > a", "skipped"),
          test("gpu > b", "skipped"),
          test("gpu > c", "skipped", { mode: "skip" }),
          test("other", "passed"),
        ],
        { scopeErrors: [{ file: FILE, suite: "gpu", message: "no adapter" }] },
      ),
      [{ file: FILE, test: "gpu > c", reason: "declared on purpose" }],
    );
    expect([v.passed, v.failed, v.skipped]).toEqual([1, 2, 1]);
    expect(v.problems).toEqual([`${FILE} › gpu: no adapter (2 test(s) did not run)`]);
  });

  it("fails files that did not finish, unhandled errors and an interrupted run", () => {
    const v = judge(
      run([], {
        files: [{ file: FILE, state: "queued" }],
        unhandled: [{ message: "Worker exited unexpectedly" }],
        reason: "interrupted",
      }),
      [],
    );
    expect(v.failed).toBe(3);
    expect(v.problems).toEqual([
      `${FILE}: did not finish (its worker crashed or was killed)`,
      "unhandled error: Worker exited unexpectedly",
      "the run was interrupted",
    ]);
  });
});
