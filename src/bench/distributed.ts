/**
 * `npm run bench:distributed`: batch throughput (scenes/min) with 1, 2 and 3 BullMQ workers
 * against the process pool with as many processes, on the same quick scenes (small clips, jobs
 * up to MetadataExtraction), and the overhead per job: worker-slot time not spent inside the
 * job, (workers × batch wall − Σ index wall) / scenes. Starts its own Redis (Debian's
 * redis-server) on a free loopback port; all figures come from this one run.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BatchBackendName } from "../contracts/ledger.js";
import { Pipeline, type BatchEvent } from "../ledger/index.js";
import { freePort } from "../util/net.js";
import { makeQuickScenes } from "./quickScenes.js";

const SCENES = Number(process.env.BENCH_DISTRIBUTED_SCENES ?? 12);
const WORKERS = [1, 2, 3];
const CLI = fileURLToPath(new URL("../cli/main.js", import.meta.url));

/** Starts a child and resolves once `ready` appears in its output. */
function startUntil(cmd: string, args: string[], ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const onData = (d: Buffer) => {
      out += d;
      if (ready.test(out)) resolve(child);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${cmd} exited (${code}): ${out}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

interface Measure {
  wallSec: number;
  perMin: number;
  overheadMs: number;
}

async function measure(
  work: string,
  name: string,
  backend: BatchBackendName,
  jobs: number,
  redis?: string,
): Promise<Measure> {
  const pipeline = new Pipeline({
    source: join(work, "scenes"),
    output: join(work, name),
    until: "MetadataExtraction",
    dbDir: join(work, "db"),
  });
  let indexMs = 0;
  pipeline.subscribe((e: BatchEvent) => {
    if (e.type === "index-done") indexMs += e.wallTimeMs;
  });
  const t0 = performance.now();
  const result = await pipeline.run({ jobs, backend, redis, queue: name });
  const wallMs = performance.now() - t0;
  pipeline.close();
  if (result.summary.completed !== SCENES) throw new Error(`${name}: not every scene completed`);
  return {
    wallSec: wallMs / 1000,
    perMin: (SCENES / wallMs) * 60_000,
    overheadMs: (jobs * wallMs - indexMs) / SCENES,
  };
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), "splatbook-bench-distributed-"));
  const port = await freePort();
  const redisArgs = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", work];
  const redis = await startUntil("redis-server", redisArgs, /Ready to accept connections/);
  const url = `redis://127.0.0.1:${port}/0`;
  try {
    await makeQuickScenes(join(work, "scenes"), SCENES);
    console.log(
      `distributed batch: ${SCENES} scenes (2 s 160×120 clips) up to MetadataExtraction; ` +
        `load average ${loadavg()[0]!.toFixed(2)}`,
    );
    console.log(
      "  workers | process_pool scenes/min | bullmq scenes/min | bullmq/pool | overhead per job: pool, bullmq",
    );
    for (const n of WORKERS) {
      const pool = await measure(work, `pool-${n}`, "process_pool", n);
      const workers = await Promise.all(
        Array.from({ length: n }, () =>
          startUntil(
            process.execPath,
            [CLI, "worker", "--redis", url, "--queue", `queue-${n}`],
            /takes jobs/,
          ),
        ),
      );
      let queue: Measure;
      try {
        queue = await measure(work, `queue-${n}`, "bullmq", n, url);
      } finally {
        await Promise.all(workers.map(stop));
      }
      console.log(
        `  ${String(n).padStart(7)} | ${pool.perMin.toFixed(1).padStart(24)} | ${queue.perMin.toFixed(1).padStart(17)} | ` +
          `${(queue.perMin / pool.perMin).toFixed(2).padStart(11)} | ${pool.overheadMs.toFixed(0)} ms, ` +
          `${queue.overheadMs.toFixed(0)} ms (${(queue.overheadMs - pool.overheadMs).toFixed(0)} ms)`,
      );
    }
    console.log(
      "  overhead per job = (workers × batch wall − Σ index wall) / scenes: start-up, hand-out, " +
        "reporting and idle slots; the bullmq − pool difference is the queue's cost",
    );
  } finally {
    await stop(redis);
    await rm(work, { recursive: true, force: true });
  }
}

await main();
