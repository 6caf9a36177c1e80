// Four worker processes writing one ledger at once over 200 quick indices (real Validation on
// tiny clips): no "database is locked", every index recorded once, integrity intact; and the
// same with the rollback journal that network file systems get instead of WAL.
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeQuickScenes } from "../../src/bench/quickScenes.js";
import { tempDir } from "../engine/helpers.js";
import { compileCli, integrity, onlyLedger, query, runCli } from "./helpers.js";

let cli: string;
const work = tempDir("ledger-concurrency");

beforeAll(async () => {
  cli = await compileCli();
});

async function batchOf(name: string, count: number, env: NodeJS.ProcessEnv = {}) {
  const scenes = join(work, name, "scenes");
  await makeQuickScenes(scenes, count, { seconds: 1, size: "64x48" });
  const run = await runCli(
    cli,
    [
      ...["batch", scenes, join(work, name, "out"), "--jobs", "4", "--until", "Validation"],
      ...["--db-dir", join(work, name, "db"), "--json"],
    ],
    env,
  );
  return { run, db: onlyLedger(join(work, name, "db")) };
}

function expectAllRecorded(db: string, count: number, output: string) {
  expect(output).not.toMatch(/database is locked|SQLITE_BUSY/i);
  const rows = query(db, "SELECT idx, status, worker_id FROM index_results ORDER BY idx");
  expect(rows.length).toBe(count);
  expect(rows.every((r, i) => r.idx === i && r.status === "completed")).toBe(true);
  const perWorker = query(db, "SELECT worker_id, completed_count FROM workers");
  expect(perWorker.length).toBe(4);
  expect(perWorker.reduce((a, w) => a + w.completed_count, 0)).toBe(count);
  const counted = query(
    db,
    "SELECT worker_id, COUNT(*) AS n FROM index_results GROUP BY worker_id",
  );
  for (const w of perWorker) {
    expect(counted.find((c) => c.worker_id === w.worker_id)?.n ?? 0).toBe(w.completed_count);
  }
  const logs = query(
    db,
    "SELECT COUNT(*) AS n FROM logs WHERE message LIKE '%database is locked%'",
  )[0];
  expect(logs.n).toBe(0);
  expect(query(db, "SELECT COUNT(*) AS n FROM stage_metrics")[0].n).toBe(count);
  expect(integrity(db)).toBe("ok");
}

describe("4 worker processes on one ledger", () => {
  it("200 quick indices in WAL mode", async () => {
    const { run, db } = await batchOf("wal", 200);
    expect(run.code, run.stderr).toBe(0);
    expect(query(db, "PRAGMA journal_mode")[0].journal_mode).toBe("wal");
    expectAllRecorded(db, 200, run.stdout + run.stderr);
  }, 600_000);

  it("40 quick indices with the rollback journal", async () => {
    const { run, db } = await batchOf("rollback", 40, { SPLATBOOK_LEDGER_JOURNAL: "delete" });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /using a rollback journal, not WAL \(SPLATBOOK_LEDGER_JOURNAL=delete\)/,
    );
    expect(query(db, "PRAGMA journal_mode")[0].journal_mode).toBe("delete");
    expectAllRecorded(db, 40, run.stdout + run.stderr);
  }, 600_000);
});
