// The ledger on its own: configuration hash and file naming, journal modes, migrations, the
// write/read round trip, and a writer that outlasts the busy timeout. Real SQLite throughout.
import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LEDGER_TABLES } from "../../src/contracts/ledger.js";
import { batchConfig, configHash, defaultLedgerDir, ledgerPath } from "../../src/ledger/config.js";
import { openLedgerDatabase } from "../../src/ledger/database.js";
import { openLedger, type IndexRecord } from "../../src/ledger/ledger.js";
import { LEDGER_SCHEMA_VERSION, migrate, schemaVersion } from "../../src/ledger/schema.js";
import { Pipeline } from "../../src/ledger/pipeline.js";
import { tempDir } from "../engine/helpers.js";

const config = batchConfig({
  source: "/data/scenes",
  outputs: "/data/out",
  until: "MetadataExtraction",
  params: { framesPerVideo: 12, matcher: "sequential" },
});

function record(idx: number, over: Partial<IndexRecord> = {}): IndexRecord {
  return {
    idx,
    scene: `scene-${idx}`,
    status: "completed",
    outputPaths: [`/data/out/scene-${idx}`, `/data/out/scene-${idx}/metadata.json`],
    completedAt: new Date().toISOString(),
    wallTimeNs: 1e9 * (idx + 1),
    peakMemoryBytes: 1000,
    gpuMemoryBytes: null,
    error: null,
    workerId: null,
    attempts: 1,
    stages: [
      { stageOrder: 0, stageName: "Validation", wallTimeNs: 1e8, status: "completed" },
      {
        stageOrder: 1,
        stageName: "FrameExtraction",
        wallTimeNs: 5e8 * (idx + 1),
        status: "completed",
      },
    ],
    artifacts: [
      { path: `/data/out/scene-${idx}/frames`, stageName: "FrameExtraction", stageOrder: 1 },
    ],
    ...over,
  };
}

describe("configuration hash and ledger file", () => {
  it("hashes the canonical JSON: key order does not matter, parameters do", () => {
    const a = batchConfig({ source: "s", outputs: "o", params: { steps: 10, fps: 2 } });
    const b = batchConfig({ source: "s", outputs: "o", params: { fps: 2, steps: 10 } });
    const c = batchConfig({ source: "s", outputs: "o", params: { fps: 3, steps: 10 } });
    expect(configHash(a)).toBe(configHash(b));
    expect(configHash(a)).not.toBe(configHash(c));
    expect(configHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(a.stages).toEqual({ FrameExtraction: { fps: 2 }, Training: { steps: 10 } });
  });

  it("names <hash16>.db when resuming and <hash16>_<timestamp>.db otherwise", () => {
    const hash = configHash(config);
    expect(ledgerPath({ hash, resume: true, dbDir: "/x" })).toBe(`/x/${hash.slice(0, 16)}.db`);
    const fresh = ledgerPath({
      hash,
      resume: false,
      dbDir: "/x",
      now: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)),
    });
    expect(fresh).toBe(`/x/${hash.slice(0, 16)}_20260102T030405006Z.db`);
  });

  it("finds its folder: dbDir, SPLATBOOK_CACHE_DIR, XDG_CACHE_HOME, ~/.cache", () => {
    expect(defaultLedgerDir({ SPLATBOOK_CACHE_DIR: "/a", XDG_CACHE_HOME: "/b" })).toBe("/a");
    expect(defaultLedgerDir({ XDG_CACHE_HOME: "/b" })).toBe("/b/splatbook");
    expect(defaultLedgerDir({})).toBe(join(homedir(), ".cache", "splatbook"));
    expect(
      ledgerPath({
        hash: "f".repeat(64),
        resume: true,
        dbDir: "/c",
        env: { SPLATBOOK_CACHE_DIR: "/a" },
      }),
    ).toBe(`/c/${"f".repeat(16)}.db`);
  });

  it("creates no database with trackMetrics: false, one per Pipeline without resume", () => {
    const dir = tempDir("ledger-files");
    const source = tempDir("ledger-src");
    const off = new Pipeline({ source, output: join(dir, "out"), dbDir: dir, trackMetrics: false });
    expect(off.dbPath).toBeNull();
    expect(readdirSync(dir)).toEqual([]);
    const p1 = new Pipeline({ source, output: join(dir, "out"), dbDir: dir });
    const p2 = new Pipeline({ source, output: join(dir, "out"), dbDir: dir });
    const p3 = new Pipeline({ source, output: join(dir, "out"), dbDir: dir, resume: true });
    const p4 = new Pipeline({ source, output: join(dir, "out"), dbDir: dir, resume: true });
    expect(p1.dbPath).not.toBe(p2.dbPath);
    expect(p3.dbPath).toBe(p4.dbPath);
    expect(p3.dbPath!.endsWith(`${p3.configHash.slice(0, 16)}.db`)).toBe(true);
    for (const p of [p1, p2, p3, p4]) p.close();
    expect(readdirSync(dir).filter((f) => f.endsWith(".db"))).toHaveLength(3);
  });
});

describe("journal, schema and migrations", () => {
  it("uses WAL with a busy timeout; falls back to a rollback journal and says why", () => {
    const dir = tempDir("ledger-journal");
    const wal = openLedgerDatabase(join(dir, "a.db"));
    expect(wal.journalMode).toBe("wal");
    expect(wal.db.pragma("busy_timeout", { simple: true })).toBeGreaterThanOrEqual(1000);
    wal.close();
    const warnings: string[] = [];
    const rollback = openLedgerDatabase(join(dir, "b.db"), {
      journal: "delete",
      warn: (m) => warnings.push(m),
    });
    expect(rollback.journalMode).toBe("delete");
    expect(rollback.db.pragma("journal_mode", { simple: true })).toBe("delete");
    expect(warnings.join("\n")).toMatch(/rollback journal, not WAL/);
    rollback.close();
  });

  it("migrates a ledger with only the format's columns and keeps its rows", () => {
    const path = join(tempDir("ledger-migrate"), "old.db");
    const old = new Database(path);
    migrate(old, path, 1);
    expect(schemaVersion(old)).toBe(1);
    old
      .prepare("INSERT INTO pipeline_runs (config_hash, config_json, started_at) VALUES (?, ?, ?)")
      .run(configHash(config), JSON.stringify(config), "2026-01-01T00:00:00Z");
    old
      .prepare(
        "INSERT INTO index_results (idx, run_id, status, output_paths) VALUES (0, 1, 'completed', '[\"/o\"]')",
      )
      .run();
    old.close();
    const ledger = openLedger(path, { config });
    expect(schemaVersion(ledger.database.db)).toBe(LEDGER_SCHEMA_VERSION);
    expect(ledger.completedIndices()).toEqual(new Set([0]));
    expect(ledger.indexRecord(0)!.attempts).toBe(1);
    const cols = (t: string) =>
      (ledger.database.db.prepare(`PRAGMA table_info(${t})`).all() as Array<{ name: string }>).map(
        (c) => c.name,
      );
    for (const [table, columns] of Object.entries(LEDGER_TABLES))
      expect(cols(table)).toEqual([...columns]);
    ledger.close();
  });

  it("refuses a ledger from a newer release", () => {
    const path = join(tempDir("ledger-newer"), "new.db");
    const db = new Database(path);
    db.pragma(`user_version = ${LEDGER_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openLedgerDatabase(path)).toThrow(/newer than this splatbook reads/);
  });
});

describe("records and queries", () => {
  it("round-trips indices, stages, outputs, artifacts, workers and logs", () => {
    const path = join(tempDir("ledger-rt"), "rt.db");
    const ledger = openLedger(path, { config, totalIndices: 4 });
    ledger.registerWorker({ workerId: "w1", pid: 42, invocationId: "inv", backend: "sequential" });
    ledger.indexStarted("w1", 0);
    expect(ledger.workers()[0]!.currentIndex).toBe(0);
    ledger.recordIndex(record(0, { workerId: "w1" }));
    ledger.recordIndex(record(1, { status: "error", error: "bad capture", workerId: "w1" }));
    ledger.recordIndex(record(2, { workerId: "w1" }));
    ledger.appendLogs([
      {
        timestamp: "t",
        levelName: "ERROR",
        loggerName: "splatbook.batch",
        message: "index 1 failed",
        workerId: "w1",
        idx: 1,
      },
      {
        timestamp: "t",
        levelName: "INFO",
        loggerName: "splatbook.job",
        message: "found 1 video",
        workerId: "w1",
        idx: 0,
      },
    ]);
    expect(ledger.completedIndices()).toEqual(new Set([0, 2]));
    expect(ledger.failedIndices()).toEqual(new Map([[1, "bad capture"]]));
    const s = ledger.summary(4);
    expect(s).toMatchObject({
      total: 4,
      completed: 2,
      failed: 1,
      remaining: 2,
      errors: 1,
      workers: 1,
    });
    expect(s.avgTimeMs).toBeCloseTo(2000);
    const w = ledger.workers()[0]!;
    expect(w).toMatchObject({
      pid: 42,
      currentIndex: null,
      completedCount: 2,
      invocationId: "inv",
    });
    expect(ledger.outputPathsForIndex(2)).toEqual([
      "/data/out/scene-2",
      "/data/out/scene-2/metadata.json",
    ]);
    expect(ledger.indexForPath("/data/out/scene-2/metadata.json")).toBe(2);
    expect(ledger.indexForPath("/data/out/scene-0/frames/000001.jpg")).toBe(0);
    expect(ledger.indexForPath("/elsewhere")).toBeUndefined();
    const m = ledger.metrics();
    expect(m.stages.map((t) => t.stageName)).toEqual(["Validation", "FrameExtraction"]);
    expect(m.stages[1]!.maxIdx).toBe(2);
    expect(ledger.slowestStages(1)[0]).toMatchObject({ idx: 2, stageName: "FrameExtraction" });
    expect(ledger.logs({ minLevel: 40 }).map((l) => l.message)).toEqual(["index 1 failed"]);

    // A retried index keeps one row, counting attempts.
    ledger.recordIndex(record(1, { workerId: "w1" }));
    expect(ledger.indexRecord(1)).toMatchObject({ status: "completed", error: null, attempts: 2 });
    ledger.resetIndex(2);
    expect(ledger.completedIndices()).toEqual(new Set([0, 1]));
    expect(ledger.outputPathsForIndex(2)).toEqual([]);
    ledger.reset();
    expect(ledger.completedIndices().size).toBe(0);
    expect(ledger.workers()).toEqual([]);
    ledger.close();
  });

  it("retries a write that meets SQLITE_BUSY past the busy timeout", async () => {
    const path = join(tempDir("ledger-busy"), "busy.db");
    const ledger = openLedger(path, { config });
    // Another process holds the write lock longer than the 5 s busy timeout.
    // It writes a marker just before it commits: a write that succeeds while the marker is
    // absent would have gone through a held lock.
    const releasing = `${path}.releasing`;
    const holder = spawn(
      "python3",
      [
        "-c",
        "import sqlite3,sys,time\nc=sqlite3.connect(sys.argv[1],isolation_level=None)\nc.execute('BEGIN IMMEDIATE')\nprint('locked',flush=True)\ntime.sleep(6.5)\nopen(sys.argv[2],'w').close()\nc.execute('COMMIT')",
        path,
        releasing,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((res) => holder.stdout!.once("data", () => res()));
    const exited = new Promise((res) => holder.on("exit", res));
    expect(existsSync(releasing)).toBe(false);
    ledger.recordIndex(record(0));
    // The write met SQLITE_BUSY, retried past the busy timeout, and went through only once the
    // holder was releasing its lock.
    expect(ledger.database.stats.busyRetries).toBeGreaterThan(0);
    expect(existsSync(releasing)).toBe(true);
    expect(ledger.completedIndices()).toEqual(new Set([0]));
    await exited;
    ledger.close();
    expect(existsSync(path)).toBe(true);
  }, 30_000);
});
