// `splatbook batch` end to end on real captures (small ffmpeg test clips) with the real stages up
// to MetadataExtraction: a junk .mp4 fails with its message, a rerun executes nothing already
// completed, fixing the junk reruns only it; Python's sqlite3 reads every table with the ledger
// format's column names; `splatbook ledger` reports it.
import { spawnSync } from "node:child_process";
import { copyFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeQuickScenes } from "../../src/bench/quickScenes.js";
import { tempDir } from "../engine/helpers.js";
import { compileCli, integrity, onlyLedger, query, runCli } from "./helpers.js";

/**
 * The ledger format's tables and columns, as its documentation lists them: written out here apart
 * from LEDGER_TABLES on purpose, so a column renamed or dropped there fails this test.
 */
const FORMAT_COLUMNS: Record<string, string[]> = Object.fromEntries(
  Object.entries({
    pipeline_runs: "run_id config_hash config_json started_at run_dir total_indices",
    index_results:
      "idx run_id status output_paths completed_at wall_time_ns peak_memory_bytes " +
      "gpu_memory_bytes error",
    stage_metrics: "idx run_id stage_order stage_name wall_time_ns",
    workers:
      "worker_id run_id pid hostname started_at last_heartbeat current_index completed_count " +
      "invocation_id",
    output_files: "path idx run_id seq",
    filter_artifacts: "path idx run_id filter_name filter_order",
    logs: "id run_id timestamp level level_name logger_name message worker_id idx",
  }).map(([table, columns]) => [table, columns.split(" ")]),
);

let cli: string;
const work = tempDir("ledger-batch");
const scenes = join(work, "scenes");
const outputs = join(work, "out");
const dbDir = join(work, "db");
const args = () => [
  ...["batch", scenes, outputs, "--jobs", "2", "--resume"],
  ...["--until", "MetadataExtraction", "--frames-per-video", "8", "--db-dir", dbDir, "--json"],
];

beforeAll(async () => {
  cli = await compileCli();
  await makeQuickScenes(scenes, 2, { junk: ["scene-junk"] });
});

const started = (events: any[]) =>
  events
    .filter((e) => e.type === "index-start")
    .map((e) => e.idx as number)
    .sort();
const mtime = (p: string) => statSync(p).mtimeMs;

describe("splatbook batch --jobs 2 --resume --until MetadataExtraction", () => {
  it("records the junk capture as an error, reruns nothing completed, then only the fixed one", async () => {
    const first = await runCli(cli, args());
    expect(first.code, first.stderr).toBe(1);
    const results = first.summary.results;
    expect(results.map((r: any) => [r.scene, r.status])).toEqual([
      ["scene-000", "completed"],
      ["scene-001", "completed"],
      ["scene-junk", "error"],
    ]);
    expect(results[2].error).toMatch(/scene-junk.*no usable video.*capture\.mp4/);
    const db = onlyLedger(dbDir);
    const rows = () =>
      query(
        db,
        "SELECT idx, status, completed_at, attempts, error FROM index_results ORDER BY idx",
      );
    const before = rows();
    expect(before.map((r) => r.status)).toEqual(["completed", "completed", "error"]);
    expect(before[2].error).toMatch(/no usable video/);
    // Two worker processes, each with its own row.
    const workers = query(db, "SELECT pid, hostname, completed_count, invocation_id FROM workers");
    expect(workers.length).toBe(2);
    expect(new Set(workers.map((w) => w.pid)).size).toBe(2);
    expect(workers.reduce((a, w) => a + w.completed_count, 0)).toBe(2);
    const stages = query(
      db,
      "SELECT idx, stage_order, stage_name FROM stage_metrics WHERE idx = 0 ORDER BY stage_order",
    );
    expect(stages.map((s) => s.stage_name)).toEqual([
      "Validation",
      "FrameExtraction",
      "MetadataExtraction",
    ]);
    const files = [0, 1].flatMap((i) => [
      join(outputs, `scene-00${i}`, ".checkpoint.json"),
      join(outputs, `scene-00${i}`, "metadata.json"),
    ]);
    const times = files.map(mtime);

    // Rerun: completed indices return their records; only the failed one is tried again.
    const second = await runCli(cli, args());
    expect(second.code).toBe(1);
    expect(started(second.events)).toEqual([2]);
    expect(second.summary.reused).toEqual([0, 1]);
    expect(second.summary.results[0].outputPaths).toContain(
      join(outputs, "scene-000", "metadata.json"),
    );
    expect(files.map(mtime)).toEqual(times);
    const afterSecond = rows();
    expect(afterSecond.slice(0, 2)).toEqual(before.slice(0, 2));
    expect(afterSecond[2].attempts).toBe(2);

    // Fix the junk capture: only it runs.
    copyFileSync(join(scenes, ".clip.mp4"), join(scenes, "scene-junk", "capture.mp4"));
    const third = await runCli(cli, args());
    expect(third.code, third.stderr).toBe(0);
    expect(started(third.events)).toEqual([2]);
    expect(files.map(mtime)).toEqual(times);
    const after = rows();
    expect(after.map((r) => r.status)).toEqual(["completed", "completed", "completed"]);
    expect(after.slice(0, 2)).toEqual(before.slice(0, 2));
    expect(after[2]).toMatchObject({ error: null, attempts: 3 });
    expect(third.summary.summary).toMatchObject({
      total: 3,
      completed: 3,
      failed: 0,
      remaining: 0,
    });
    expect(integrity(db)).toBe("ok");

    // Python's sqlite3 reads every table; the format's columns are all there, in its order.
    const py = spawnSync(
      "python3",
      [
        "-c",
        [
          "import json, sqlite3, sys",
          "c = sqlite3.connect(sys.argv[1])",
          "out = {}",
          "for t in json.loads(sys.argv[2]):",
          "    cur = c.execute(f'SELECT * FROM {t}')",
          "    out[t] = {'columns': [d[0] for d in cur.description], 'rows': len(cur.fetchall())}",
          "print(json.dumps(out))",
        ].join("\n"),
        db,
        JSON.stringify(Object.keys(FORMAT_COLUMNS)),
      ],
      { encoding: "utf8" },
    );
    expect(py.status, py.stderr).toBe(0);
    const tables = JSON.parse(py.stdout);
    for (const [table, columns] of Object.entries(FORMAT_COLUMNS)) {
      expect(tables[table].columns.slice(0, columns.length), table).toEqual(columns);
      expect(tables[table].rows, table).toBeGreaterThan(0);
    }

    // `splatbook ledger` on the file.
    const report = await runCli(cli, ["ledger", db, "--json"]);
    expect(report.code, report.stderr).toBe(0);
    const run = JSON.parse(report.stdout).runs[0];
    expect(run.summary).toMatchObject({ total: 3, completed: 3, failed: 0 });
    expect(run.slowestStages.length).toBeGreaterThan(0);
    const text = spawnSync(process.execPath, [cli, "ledger", db], { encoding: "utf8" });
    expect(text.stdout).toMatch(/3 indices: 3 completed, 0 failed/);
    expect(text.stdout).toMatch(/slowest stages:/);
  }, 300_000);
});
