/**
 * The vitest reporter of the README's test command (test/run-tests.mjs passes it beside the
 * default one): at the end of the run it flattens what vitest knows (every file's state, every
 * test's state and skip note, hook and import errors of files and suites, unhandled errors) into
 * a RunRecord, judges it against the declared skips, and writes the Verdict as JSON to
 * `$SPLATBOOK_TEST_VERDICT`. The declared skips come from `$SPLATBOOK_DECLARED_SKIPS`
 * (default: test/declared-skips.json under the project root).
 */
import { writeFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import type { Reporter, TestModule, TestRunEndReason, Vitest } from "vitest/node";
import { readDeclaredSkips } from "./declaredSkips.js";
import {
  judge,
  type RunRecord,
  type ScopeError,
  type TestRecord,
  type Verdict,
} from "./verdict.js";

type SerializedError = Parameters<NonNullable<Reporter["onTestRunEnd"]>>[1][number];

/** First line of an error, with its name: "Error: colmap: command not found". */
function firstLine(e: SerializedError | { message?: string; name?: string }): string {
  const message = String(e.message ?? "").split("\n")[0]!;
  return e.name && e.name !== "Error" ? `${e.name}: ${message}` : message || String(e.name);
}

/** The run as plain records, paths relative to `root`. */
export function recordRun(
  modules: readonly TestModule[],
  unhandled: readonly SerializedError[],
  reason: TestRunEndReason,
  root: string,
  nameFilter: boolean,
): RunRecord {
  const rel = (path: string) => relative(root, path);
  const run: RunRecord = {
    files: [],
    tests: [],
    scopeErrors: [],
    unhandled: [],
    nameFilter,
    reason,
  };
  for (const m of modules) {
    const file = rel(m.moduleId);
    run.files.push({ file, state: m.state() });
    const scopes: ScopeError[] = m
      .errors()
      .map((e) => ({ file, suite: null, message: firstLine(e) }));
    for (const s of m.children.allSuites()) {
      for (const e of s.errors()) scopes.push({ file, suite: s.fullName, message: firstLine(e) });
    }
    run.scopeErrors.push(...scopes);
    for (const t of m.children.allTests()) {
      const r = t.result();
      const test: TestRecord = {
        file,
        name: t.fullName,
        state: r.state,
        mode: t.options.mode,
        errors: (r.errors ?? []).map(firstLine),
      };
      if (r.state === "skipped" && r.note !== undefined) test.note = r.note;
      run.tests.push(test);
    }
  }
  for (const e of unhandled) {
    const origin = e as SerializedError & { VITEST_TEST_PATH?: string; VITEST_TEST_NAME?: string };
    run.unhandled.push({
      message: firstLine(e) + (e.cause ? ` (cause: ${firstLine(e.cause as SerializedError)})` : ""),
      ...(origin.VITEST_TEST_PATH ? { file: rel(origin.VITEST_TEST_PATH) } : {}),
      ...(origin.VITEST_TEST_NAME ? { test: origin.VITEST_TEST_NAME } : {}),
    });
  }
  return run;
}

/** Writes the verdict of the run where the test command reads it. */
export default class VerdictReporter implements Reporter {
  private root = process.cwd();
  private nameFilter = false;

  onInit(vitest: Vitest): void {
    this.root = vitest.config.root;
    this.nameFilter = vitest.config.testNamePattern !== undefined;
  }

  onTestRunEnd(
    modules: readonly TestModule[],
    unhandled: readonly SerializedError[],
    reason: TestRunEndReason,
  ): void {
    const out = process.env.SPLATBOOK_TEST_VERDICT;
    if (!out) return;
    const listPath = resolve(
      this.root,
      process.env.SPLATBOOK_DECLARED_SKIPS || "test/declared-skips.json",
    );
    const run = recordRun(modules, unhandled, reason, this.root, this.nameFilter);
    const listName = relative(this.root, listPath);
    let verdict: Verdict;
    try {
      verdict = judge(run, readDeclaredSkips(listPath, this.root), listName);
    } catch (err) {
      // An unreadable list fails the run with its reason rather than crashing the reporter.
      verdict = judge(run, [], listName);
      verdict.failed++;
      verdict.problems.push((err as Error).message);
    }
    writeFileSync(out, JSON.stringify(verdict, null, 1));
  }
}
