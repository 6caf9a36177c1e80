/**
 * `npm run soak:distributed`: the BullMQ backend under faults. SOAK_SCENES (200) quick scenes
 * through SOAK_WORKERS (3) `splatbook worker` processes on a Redis on a loopback port, with
 * SOAK_HOGS (2) CPU hogs beside them; a worker is killed with SIGKILL about every
 * SOAK_KILL_EVERY (20) s and replaced, Redis is restarted once (at 35% of the scenes recorded),
 * the coordinator is killed with SIGKILL once (at 60%) and started again with `--resume`.
 * Prints the counts (completed, completed twice, lost, falsely failed, counted twice) and the
 * time per scene against the process pool on SOAK_POOL_SCENES (60) scenes with the same hogs.
 * SOAK_SEED replays the kill times and victims. Exit 1 when a scene is lost, falsely failed or
 * counted twice.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startCli, startCpuHogs } from "./processes.js";
import { makeQuickScenes } from "./quickScenes.js";
import { runSoak, type SoakResult } from "./soak.js";

const CLI = fileURLToPath(new URL("../cli/main.js", import.meta.url));
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

/** Seconds per scene of the process pool (`--jobs workers`) on `count` scenes, no faults. */
async function poolSecsPerScene(work: string, count: number, workers: number, hogs: number) {
  const scenes = join(work, "pool-scenes");
  await makeQuickScenes(scenes, count);
  const load = startCpuHogs(hogs);
  try {
    const t0 = performance.now();
    const run = await startCli(CLI, [
      ...["batch", scenes, join(work, "pool-out"), "--jobs", String(workers)],
      ...["--until", "MetadataExtraction", "--frames-per-video", "8"],
      ...["--db-dir", join(work, "pool-db"), "--json"],
    ]).done;
    if (run.code !== 0) throw new Error(`the process pool batch failed: ${run.stderr}`);
    return (performance.now() - t0) / 1000 / count;
  } finally {
    await load.stop();
  }
}

function report(r: SoakResult, workers: number, poolSecs: number | null): boolean {
  const ok =
    r.exitCode === 0 &&
    r.completed === r.scenes &&
    r.lost === 0 &&
    r.falselyFailed === 0 &&
    r.reportedFailed === 0 &&
    r.countedTwice === 0 &&
    r.integrity === "ok";
  const lines = [
    `soak (seed ${r.seed}): ${r.scenes} scenes, ${workers} workers; faults: ${r.kills} workers ` +
      `killed (kill -9, replaced), ${r.redisRestarts} Redis restart(s), ${r.coordinatorKills} ` +
      `coordinator kill(s) + --resume; load average ${loadavg()[0]!.toFixed(2)}`,
    `  completed ${r.completed}/${r.scenes}; delivered more than once (work done twice) ` +
      `${r.redelivered}; lost ${r.lost}; falsely failed ${r.falselyFailed} (reported during ` +
      `the run ${r.reportedFailed}); counted twice in the ledger ${r.countedTwice}`,
    `  checkpoints complete ${r.checkpointsComplete}/${r.scenes}; ledger integrity ` +
      `${r.integrity}; last coordinator exit ${r.exitCode}`,
    `  time per scene: soak ${(r.wallSecs / r.scenes).toFixed(2)} s (${r.wallSecs.toFixed(0)} s ` +
      `wall, mean job ${r.meanIndexSecs.toFixed(2)} s)` +
      (poolSecs === null
        ? ""
        : `; process pool (${workers} processes, same hogs, no faults) ${poolSecs.toFixed(2)} s` +
          ` (soak/pool ${(r.wallSecs / r.scenes / poolSecs).toFixed(2)})`),
    ...r.errors.map((e) => `  ${e}`),
    ok ? "  PASS" : "  FAIL",
  ];
  console.log(lines.join("\n"));
  return ok;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), "splatbook-soak-"));
  const workers = env("SOAK_WORKERS", 3);
  const hogs = env("SOAK_HOGS", 2);
  const seed = env("SOAK_SEED", Math.floor(Math.random() * 2 ** 31));
  let ok = false;
  try {
    const result = await runSoak({
      ...{ cli: CLI, work, scenes: env("SOAK_SCENES", 200), workers, hogs, seed },
      ...{ killEverySecs: env("SOAK_KILL_EVERY", 20), redisRestartAt: [0.35] },
      ...{ coordinatorKillAt: [0.6], lockSecs: 10, framesPerVideo: 8, timeoutSecs: 7200 },
      log: (line) => console.log(`  [${new Date().toISOString().slice(11, 19)}] ${line}`),
    });
    const poolScenes = env("SOAK_POOL_SCENES", 60);
    const poolSecs =
      poolScenes > 0 ? await poolSecsPerScene(work, poolScenes, workers, hogs) : null;
    ok = report(result, workers, poolSecs);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  process.exitCode = ok ? 0 : 1;
}

await main();
