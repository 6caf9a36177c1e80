import { mkdirSync, writeFileSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  acquireJobLock,
  hashValue,
  lazyStage,
  loadStageTable,
  runJob,
  sanitizeJobId,
  stableStringify,
  stageFingerprint,
  tempFolderFor,
} from "../../src/engine/index.js";
import { STAGES } from "../../src/contracts/stages.js";
import { fakeStage } from "./fakeStages.js";
import { recordingLogger, tempDir } from "./helpers.js";

describe("engine units", () => {
  it("stableStringify ignores key order and drops undefined", () => {
    expect(stableStringify({ b: 1, a: { d: [1, undefined], c: undefined } })).toBe(
      '{"a":{"d":[1,null]},"b":1}',
    );
    expect(hashValue({ x: 1, y: 2 })).toBe(hashValue({ y: 2, x: 1 }));
    expect(hashValue({ x: 1 })).not.toBe(hashValue({ x: 2 }));
  });

  it("fingerprints depend on inputs, the upstream fingerprint and the upstream result", () => {
    const base = {
      stage: "Training",
      inputs: { steps: 10 },
      upstreamFingerprint: "a",
      upstreamResult: { n: 1 },
    };
    const fp = stageFingerprint(base);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(stageFingerprint({ ...base })).toBe(fp);
    expect(stageFingerprint({ ...base, inputs: { steps: 11 } })).not.toBe(fp);
    expect(stageFingerprint({ ...base, upstreamFingerprint: "b" })).not.toBe(fp);
    expect(stageFingerprint({ ...base, upstreamResult: { n: 2 } })).not.toBe(fp);
  });

  it("sanitizes job ids from folder names", () => {
    expect(sanitizeJobId("scene-capture-20260224")).toBe("scene-capture-20260224");
    expect(sanitizeJobId("My Scene (1) $x 'q'")).toBe("My-Scene-1-x-q");
    expect(sanitizeJobId("Café Déjà")).toBe("Cafe-Deja");
    expect(sanitizeJobId("...")).toBe("job");
    expect(sanitizeJobId("x".repeat(100))).toHaveLength(64);
  });

  it("two output folders with the same job id get different scratch folders", () => {
    const a = tempFolderFor("scene", "/data/a/scene");
    expect(a).toMatch(/splatbook-scene-[0-9a-f]{8}$/);
    expect(tempFolderFor("scene", "/data/b/scene")).not.toBe(a);
    expect(tempFolderFor("scene", "/data/a/./scene")).toBe(a);
  });

  it("the stage table has the 8 stages in order", async () => {
    expect((await loadStageTable()).map((s) => s.name)).toEqual([...STAGES]);
  });

  it("a stage whose module cannot load fails clearly when reached; --until before it works", async () => {
    const root = tempDir("lazy");
    mkdirSync(join(root, "in"));
    const broken = lazyStage("Training", "train", () => import("./no-such-module.js" as string));
    const stages = [
      ...STAGES.slice(0, 5).map((n) => fakeStage(n)),
      broken,
      ...STAGES.slice(6).map((n) => fakeStage(n)),
    ];
    const output = join(root, "out");
    const ok = await runJob({
      input: join(root, "in"),
      output,
      stages,
      until: "ColmapReconstruction",
    });
    expect(ok.stage).toBe("Training");
    await expect(runJob({ input: join(root, "in"), output, stages })).rejects.toThrow(
      /^stage Training is not available in this build \(train: /,
    );
  });

  it("an unreadable lock file: recent ones are respected, old ones replaced", async () => {
    const dir = tempDir("lock");
    writeFileSync(join(dir, ".splatbook.lock"), "");
    const log = recordingLogger();
    await expect(acquireJobLock(dir, log)).rejects.toThrow(
      /being locked by another splatbook process/,
    );
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(dir, ".splatbook.lock"), past, past);
    const lock = await acquireJobLock(dir, log);
    expect(lock.info.pid).toBe(process.pid);
    expect(log.lines.some((l) => l.includes("removing unreadable lock file"))).toBe(true);
    await lock.release();
  });
});

describe("lock holder liveness", () => {
  it("a lock naming a live pid that started after the lock was written is stale (pid reuse)", async () => {
    const { isHolderAlive, processStartedAt } = await import("../../src/engine/lock.js");
    const { hostname } = await import("node:os");
    const started = processStartedAt(process.pid);
    // Ordered with what is known (not a wall-time bound): after its parent, before Node's clock
    // origin (the /proc figure is floored to the boot second, so it can only read earlier).
    expect(started).toBeGreaterThanOrEqual(processStartedAt(process.ppid)!);
    expect(started).toBeLessThanOrEqual(performance.timeOrigin);
    const mine = { pid: process.pid, hostname: hostname(), started_at: new Date().toISOString() };
    expect(isHolderAlive(mine)).toBe(true);
    const before = { ...mine, started_at: new Date(started! - 3600_000).toISOString() };
    expect(isHolderAlive(before)).toBe(false);
    const dir = tempDir("lock-reuse");
    writeFileSync(join(dir, ".splatbook.lock"), JSON.stringify(before));
    const log = recordingLogger();
    const lock = await acquireJobLock(dir, log);
    expect(log.lines.some((l) => l.includes(`left by dead process pid ${process.pid}`))).toBe(true);
    await lock.release();
  });
});
