// The in-suite soak of the BullMQ backend (src/bench/soak.ts; `npm run soak:distributed` is the
// long one): 30 quick scenes (2 s clips up to MetadataExtraction) through 3 real `splatbook
// worker` processes on Debian's redis-server, a CPU hog beside them, two workers killed with
// SIGKILL mid-batch (each replaced) and one Redis restart. Every scene completed and recorded
// once, none lost or failed, every checkpoint complete, the ledger intact. Kill victims are drawn
// from the test seed (printed on failure).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runSoak } from "../../src/bench/soak.js";
import { tempDir } from "../engine/helpers.js";
import { testSeed } from "../seed.js";
import { compileCli } from "./helpers.js";

describe("soak: kills and a Redis restart lose or falsely fail nothing", () => {
  it("30 scenes, 3 workers, 2 kill -9, 1 Redis restart", async () => {
    const seed = testSeed();
    const cli = await compileCli();
    const log: string[] = [];
    const result = await runSoak({
      ...{ cli, work: join(tempDir("ledger-soak"), "soak"), scenes: 30, workers: 3, hogs: 1 },
      ...{ killEverySecs: 0, killAt: [0.2, 0.5], redisRestartAt: [0.35], coordinatorKillAt: [] },
      ...{ lockSecs: 5, framesPerVideo: 8, seed, timeoutSecs: 600 },
      log: (line) => log.push(line),
    });
    console.log(`${log.join("\n")}\n${JSON.stringify(result)}`);
    expect(result).toMatchObject({
      ...{ exitCode: 0, scenes: 30, completed: 30, lost: 0, falselyFailed: 0 },
      ...{ reportedFailed: 0, countedTwice: 0, checkpointsComplete: 30, integrity: "ok" },
      ...{ kills: 2, redisRestarts: 1 },
    });
  }, 900_000);
});
