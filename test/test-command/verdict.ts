/**
 * The verdict of a vitest run as the README's test command reads it: what passed, what failed
 * and why, and which skips were declared. Anything that is not a passed test or a declared skip
 * counts as a failure: a failed test, a test that never ran because a `beforeAll` failed, an
 * `afterAll` error, an unhandled error or rejection, a test left unfinished by a crashed worker,
 * an undeclared skip (`it.skip`, `it.todo`, `ctx.skip()`, `describe.skipIf`), and an entry of the
 * declared-skips list that names no test.
 */

/** One test as the run ended (vitest's TestCase, flattened). */
export interface TestRecord {
  /** Path relative to the project root, e.g. `test/gpu/radixSort.test.ts`. */
  file: string;
  /** Suite names and the test name joined by " > " (vitest's `fullName`). */
  name: string;
  state: "passed" | "failed" | "skipped" | "pending";
  /** How the test was declared: `skip` for `it.skip`/`skipIf`/a name filter, `todo` for `it.todo`. */
  mode: "run" | "only" | "skip" | "todo";
  /** The note given to `ctx.skip(note)`, if any. */
  note?: string;
  /** First line of each error of a failed test. */
  errors: string[];
}

/** An error of a file or a suite outside its tests: a failing `beforeAll`/`afterAll`, an import. */
export interface ScopeError {
  file: string;
  /** The suite's full name, or null for the file itself. */
  suite: string | null;
  message: string;
}

/** An error no test caught (vitest's "unhandled errors"), with where vitest saw it. */
export interface UnhandledRecord {
  message: string;
  file?: string;
  test?: string;
}

/** Everything the verdict needs from one vitest run. */
export interface RunRecord {
  /** Every file vitest ran, with its state (`pending`/`queued`: it never finished). */
  files: { file: string; state: string }[];
  tests: TestRecord[];
  scopeErrors: ScopeError[];
  unhandled: UnhandledRecord[];
  /** True when a test-name filter (`-t`) was given: tests it left out are not skips. */
  nameFilter: boolean;
  /** vitest's reason for the end of the run (`passed`, `failed`, `interrupted`). */
  reason: string;
}

/** One entry of test/declared-skips.json. */
export interface DeclaredSkip {
  /** Path relative to the project root. */
  file: string;
  /** The test's full name (" > " between suites), or a prefix of it followed by `*`. */
  test: string;
  /** Why it may be skipped, e.g. "needs a hardware GPU". */
  reason: string;
}

/** What the test command prints and counts. */
export interface Verdict {
  passed: number;
  failed: number;
  /** Declared skips only. */
  skipped: number;
  /** One line per failure cause, naming the file (and test) and why. */
  problems: string[];
  /** One line per declared skip taken, with its reason. */
  declared: string[];
}

/** Whether `entry` names the test `file` › `name`. */
export function declares(entry: DeclaredSkip, file: string, name: string): boolean {
  if (entry.file !== file) return false;
  return entry.test.endsWith("*") ? name.startsWith(entry.test.slice(0, -1)) : entry.test === name;
}

/** Whether `test` lies in the scope of an error (the whole file, or under the suite). */
function inScope(test: TestRecord, e: ScopeError): boolean {
  return test.file === e.file && (e.suite === null || test.name.startsWith(`${e.suite} > `));
}

const where = (file: string, name?: string | null) => (name ? `${file} › ${name}` : file);

/** Judges one run against the declared skips. */
export function judge(
  run: RunRecord,
  declaredSkips: readonly DeclaredSkip[],
  listName = "test/declared-skips.json",
): Verdict {
  const v: Verdict = { passed: 0, failed: 0, skipped: 0, problems: [], declared: [] };
  const fail = (count: number, line: string) => {
    v.failed += count;
    v.problems.push(line);
  };
  // Tests a failing hook kept from running count as failed, under their scope's error.
  const notRun = new Set<TestRecord>();
  for (const e of run.scopeErrors) {
    const victims = run.tests.filter(
      (t) => inScope(t, e) && t.state !== "passed" && t.state !== "failed" && t.mode !== "skip",
    );
    victims.forEach((t) => notRun.add(t));
    const lost = victims.length ? ` (${victims.length} test(s) did not run)` : "";
    fail(Math.max(1, victims.length), `${where(e.file, e.suite)}: ${e.message}${lost}`);
  }
  for (const t of run.tests) {
    if (notRun.has(t)) continue;
    judgeTest(t, declaredSkips, run.nameFilter, listName, v, fail);
  }
  for (const f of run.files) {
    if (f.state === "pending" || f.state === "queued") {
      const left = run.tests.filter((t) => t.file === f.file && t.state === "pending").length;
      // Its unfinished tests are counted above; a file that never collected any counts once.
      if (left === 0) fail(1, `${f.file}: did not finish (its worker crashed or was killed)`);
    } else if (f.state === "failed" && !v.problems.some((p) => p.startsWith(f.file))) {
      fail(1, `${f.file}: failed outside its tests`);
    }
  }
  for (const u of run.unhandled) {
    const origin = u.file ? ` in ${where(u.file, u.test)}` : "";
    fail(1, `unhandled error${origin}: ${u.message}`);
  }
  if (run.reason === "interrupted") fail(1, "the run was interrupted");
  checkDeclaredList(run, declaredSkips, listName, fail);
  return v;
}

function judgeTest(
  t: TestRecord,
  declaredSkips: readonly DeclaredSkip[],
  nameFilter: boolean,
  listName: string,
  v: Verdict,
  fail: (count: number, line: string) => void,
): void {
  if (t.state === "passed") v.passed++;
  else if (t.state === "failed") fail(1, `${where(t.file, t.name)}: ${t.errors[0] ?? "failed"}`);
  else if (t.state === "pending") {
    fail(1, `${where(t.file, t.name)}: did not finish (its worker crashed or was killed)`);
  } else if (nameFilter && t.mode === "skip" && t.note === undefined) {
    // Left out by -t: not part of this run.
  } else {
    const entry = declaredSkips.find((d) => declares(d, t.file, t.name));
    const said = t.note ? ` (the test says: ${t.note})` : "";
    if (entry) {
      v.skipped++;
      v.declared.push(`${where(t.file, t.name)}: ${entry.reason}${said}`);
    } else {
      const how = t.mode === "todo" ? "todo" : "skipped";
      fail(1, `${where(t.file, t.name)}: ${how}, not declared in ${listName}${said}`);
    }
  }
}

/** An entry naming no test of a file that ran is stale (a renamed or removed test). */
function checkDeclaredList(
  run: RunRecord,
  declaredSkips: readonly DeclaredSkip[],
  listName: string,
  fail: (count: number, line: string) => void,
): void {
  const ran = new Set(run.files.map((f) => f.file));
  for (const d of declaredSkips) {
    if (!ran.has(d.file)) continue;
    if (!run.tests.some((t) => declares(d, t.file, t.name))) {
      fail(1, `${listName}: "${d.test}" names no test in ${d.file}`);
    }
  }
}
