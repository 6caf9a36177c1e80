/**
 * `npm run soak:scenario`: the BullMQ backend as a new user first tries it, many times over.
 * Each run: a Redis on a loopback port (one for all runs), two fresh `splatbook worker`
 * processes, and `splatbook batch scenes/ outs/ --backend bullmq --resume --until
 * MetadataExtraction` over four copies of a 2-video capture, with SCENARIO_HOGS (3) CPU hogs
 * loading the machine; no faults. Counts the runs that complete 4/4 with exit 0 out of
 * SCENARIO_RUNS (20) and prints every failure the coordinator recorded. Exit 1 unless all do.
 */
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../util/net.js";
import { startCli, startCpuHogs, type LiveBatch } from "./processes.js";
import { makeTestClip } from "./quickScenes.js";
import { startRedisServer, type RedisServer } from "./redisServer.js";

const CLI = fileURLToPath(new URL("../cli/main.js", import.meta.url));
const RUNS = Number(process.env.SCENARIO_RUNS ?? 20);
const HOGS = Number(process.env.SCENARIO_HOGS ?? 3);
const SCENES = ["a", "b", "c", "d"];

/** Four scene folders holding the same two videos. */
async function makeScenes(work: string): Promise<string> {
  const capture = join(work, "capture");
  await mkdir(capture, { recursive: true });
  await makeTestClip(join(capture, "front.mp4"), { seconds: 4, size: "320x240" });
  await makeTestClip(join(capture, "back.mp4"), { seconds: 3, size: "240x180" });
  const scenes = join(work, "scenes");
  for (const s of SCENES) {
    await mkdir(join(scenes, s), { recursive: true });
    for (const f of ["front.mp4", "back.mp4"]) await copyFile(join(capture, f), join(scenes, s, f));
  }
  return scenes;
}

async function startWorkers(redis: RedisServer, queue: string, work: string) {
  const workers: LiveBatch[] = [];
  for (let i = 0; i < 2; i++) {
    const dir = join(work, `worker-${i}`);
    await mkdir(dir, { recursive: true });
    const w = startCli(CLI, ["worker", "--redis", redis.url, "--queue", queue], {
      ...{ env: { TMPDIR: dir }, cwd: dir },
    });
    workers.push(w);
    while (!/takes jobs/.test(w.stdout() + w.stderr())) {
      if (w.exited()) throw new Error(`a worker did not start: ${w.stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return workers;
}

/** One run; true when 4/4 completed with exit 0. */
async function runOnce(redis: RedisServer, scenes: string, work: string, run: number) {
  const queue = `scenario-${run}`;
  const workers = await startWorkers(redis, queue, join(work, queue));
  try {
    const t0 = performance.now();
    const batch = await startCli(CLI, [
      ...["batch", scenes, join(work, queue, "outs"), "--backend", "bullmq"],
      ...["--redis", redis.url, "--queue", queue, "--resume", "--until", "MetadataExtraction"],
      ...["--db-dir", join(work, queue, "db"), "--json"],
    ]).done;
    const secs = (performance.now() - t0) / 1000;
    const s = batch.summary?.summary;
    const ok = batch.code === 0 && s?.completed === SCENES.length;
    console.log(
      `  run ${run + 1}: exit ${batch.code}, ${s?.completed ?? "?"}/${SCENES.length} completed in ` +
        `${secs.toFixed(1)} s (load average ${loadavg()[0]!.toFixed(2)})`,
    );
    for (const e of batch.events) {
      if (e.type === "index-done" && e.status !== "completed")
        console.log(`    index ${e.idx} (${e.scene}): ${e.error}`);
    }
    if (!ok && !s) console.log(batch.stderr);
    return ok;
  } finally {
    for (const w of workers) w.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.done));
  }
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), "splatbook-scenario-"));
  const redis = await startRedisServer({ dir: work, port: await freePort() });
  const hogs = startCpuHogs(HOGS);
  let ok = 0;
  try {
    const scenes = await makeScenes(work);
    console.log(
      `issue scenario: 2 workers, 4 scenes of 2 videos, ${HOGS} CPU hogs, ${RUNS} runs ` +
        `(load average ${loadavg()[0]!.toFixed(2)})`,
    );
    for (let run = 0; run < RUNS; run++) if (await runOnce(redis, scenes, work, run)) ok++;
  } finally {
    await hogs.stop();
    await redis.stop();
    await rm(work, { recursive: true, force: true });
  }
  console.log(`${ok}/${RUNS} runs completed 4/4 with exit 0`);
  process.exitCode = ok === RUNS ? 0 : 1;
}

await main();
