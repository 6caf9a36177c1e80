/**
 * `npm run bench:ledger`: what the SQLite ledger costs per index against the stages' own time
 * (goal ≤ 1 %). A batch of small test clips runs up to MetadataExtraction in worker processes;
 * each worker times its ledger transactions per index. The same batch also runs with and without
 * a ledger, alternating, for the wall-time difference (which includes run-to-run noise).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Pipeline, type BatchEvent } from "../ledger/index.js";
import { makeQuickScenes } from "./quickScenes.js";

const scenes = Number(process.env.BENCH_LEDGER_SCENES ?? 16);
const jobs = Number(process.env.BENCH_LEDGER_JOBS ?? 2);
const until = "MetadataExtraction" as const;

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

async function runBatch(work: string, name: string, trackMetrics: boolean) {
  const pipeline = new Pipeline({
    source: join(work, "scenes"),
    output: join(work, name),
    until,
    dbDir: join(work, "db"),
    trackMetrics,
  });
  const done: Array<Extract<BatchEvent, { type: "index-done" }>> = [];
  pipeline.subscribe((e) => {
    if (e.type === "index-done") done.push(e);
  });
  const t0 = performance.now();
  await pipeline.run({ jobs, backend: "process_pool" });
  const wallSec = (performance.now() - t0) / 1000;
  const metrics = trackMetrics ? pipeline.metrics : undefined;
  pipeline.close();
  return { done, wallSec, metrics };
}

const work = await mkdtemp(join(tmpdir(), "splatbook-bench-ledger-"));
try {
  await makeQuickScenes(join(work, "scenes"), scenes);
  console.log(
    `ledger overhead: ${scenes} scenes (2 s 160×120 clips), ${jobs} worker processes, until ${until}; ` +
      `load average ${loadavg()[0]!.toFixed(2)}`,
  );
  const tracked = await runBatch(work, "out-tracked", true);
  const stageMs = new Map<number, number>();
  for (const m of tracked.metrics!.indices) {
    stageMs.set(
      m.idx,
      m.stages.reduce((a, s) => a + s.wallTimeNs / 1e6, 0),
    );
  }
  const ledgerMs = tracked.done.map((d) => d.ledgerMs ?? 0);
  const ratios = tracked.done.map((d) => (d.ledgerMs ?? 0) / Math.max(1e-9, stageMs.get(d.idx)!));
  const meanLedger = mean(ledgerMs);
  const meanStage = mean([...stageMs.values()]);
  console.log(
    `  per index: ledger writes ${meanLedger.toFixed(2)} ms mean, ${Math.max(...ledgerMs).toFixed(2)} ms max; ` +
      `stage time ${meanStage.toFixed(0)} ms mean`,
  );
  console.log(
    `  ledger / stage time: ${((100 * meanLedger) / meanStage).toFixed(3)} % (mean of indices ` +
      `${(100 * mean(ratios)).toFixed(3)} %, worst ${(100 * Math.max(...ratios)).toFixed(3)} %; goal ≤ 1 %)`,
  );
  // Wall time with and without a ledger, alternating (after a warm-up run) so that cache warmth
  // and load drift fall on both sides alike.
  await runBatch(work, "out-warmup", false);
  const walls = { with: [] as number[], without: [] as number[] };
  for (let round = 0; round < 2; round++) {
    const off = await runBatch(work, `out-off-${round}`, false);
    const on = await runBatch(work, `out-on-${round}`, true);
    walls.without.push(mean(off.done.map((d) => d.wallTimeMs)));
    walls.with.push(mean(on.done.map((d) => d.wallTimeMs)));
  }
  const wallT = mean(walls.with);
  const wallU = mean(walls.without);
  console.log(
    `  wall per index (2 alternating runs each, after a warm-up): with ledger ${wallT.toFixed(0)} ms, ` +
      `without ${wallU.toFixed(0)} ms (${(((wallT - wallU) / wallU) * 100).toFixed(1)} %, run-to-run noise included)`,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
