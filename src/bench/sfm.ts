/**
 * `npm run bench:sfm [capture…]`: every capture of the corpus (or the named ones) through the
 * real stages up to ColmapReconstruction with default settings, as `splatbook process IN OUT
 * --until ColmapReconstruction` runs them. Prints per capture: registered/total, models, points,
 * mean reprojection error, attempts and time, and what the ladder cost where the first attempt
 * succeeded. Goal: every capture ≥ 95 % registered in one model.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadStageTable, runJob } from "../engine/index.js";
import { cachedCorpusCapture, CORPUS_NAMES } from "../sample/corpus.js";
import type { ColmapReconstructionResult } from "../contracts/stageResults.js";
import { attemptLine } from "../sfm/colmapReconstruction.stage.js";
import { describeAccuracy, jobPoseAccuracy, type PoseAccuracy } from "./poseAccuracy.js";

/** One capture's row. */
interface Row {
  name: string;
  result: ColmapReconstructionResult | null;
  error: string | null;
  /** Wall seconds of the ColmapReconstruction stage. */
  seconds: number;
  /** Against the renderer's true cameras. */
  accuracy: PoseAccuracy | null;
}

/** The log lines printed as they come: the attempts and the steps after the mapper. */
const SHOWN =
  /^COLMAP( attempt|: focal lengths|: camera group|: outliers|: residual tail|: track test)/;

async function benchCapture(name: string, work: string): Promise<Row> {
  const capture = await cachedCorpusCapture(name);
  const output = join(work, name);
  const lines: string[] = [];
  const logger = {
    info: (m: string) => {
      if (SHOWN.test(m)) console.log(`  ${name}: ${m}`);
      lines.push(m);
    },
    warn: (m: string) => lines.push(m),
    debug: () => undefined,
  };
  try {
    const run = await runJob({
      input: capture.dir,
      output,
      stages: await loadStageTable(),
      until: "ColmapReconstruction",
      logger,
    });
    const outcome = run.outcomes.find((s) => s.stage === "ColmapReconstruction");
    const result = (outcome?.result as ColmapReconstructionResult | undefined) ?? null;
    const accuracy = result ? await jobPoseAccuracy(output, capture.truth!) : null;
    if (result) {
      const t = result.seconds;
      const f = (x: number) => x.toFixed(1);
      console.log(`  ${name}: extract ${f(t.extract)} s, match ${f(t.match)} s, map ${f(t.map)} s`);
    }
    if (accuracy) console.log(`  ${name}: ${describeAccuracy(accuracy)}`);
    return { name, result, error: null, seconds: outcome?.durationSecs ?? NaN, accuracy };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return { name, result: null, error, seconds: NaN, accuracy: null };
  }
}

function formatRow(r: Row): string {
  const x = r.result;
  if (!x) return `| ${r.name} | failed: ${r.error} | | | | | |`;
  const pct = ((100 * x.registered_images) / x.total_images).toFixed(1);
  const mre = x.mean_reprojection_error?.toFixed(3) ?? "–";
  return (
    `| ${r.name} | ${x.registered_images}/${x.total_images} (${pct} %) | ${x.models} | ` +
    `${x.points} | ${mre} | ${x.attempts.length} (${x.attempts.at(-1)!.pairs}) | ` +
    `${r.seconds.toFixed(1)} |`
  );
}

const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : [...CORPUS_NAMES];
const work = await mkdtemp(join(tmpdir(), "splatbook-bench-sfm-"));
const rows: Row[] = [];
try {
  for (const name of names) {
    console.log(`${name}: processing up to ColmapReconstruction…`);
    rows.push(await benchCapture(name, work));
  }
} finally {
  // SPLATBOOK_BENCH_KEEP=1 keeps the job folders (frames, manifest, model) for a closer look.
  if (process.env.SPLATBOOK_BENCH_KEEP) console.log(`job folders kept in ${work}`);
  else await rm(work, { recursive: true, force: true });
}
console.log(
  "\n| capture | registered | models | points | mean reproj. error (px) | attempts | time (s) |",
);
console.log("|---|---|---|---|---|---|---|");
for (const r of rows) console.log(formatRow(r));
console.log(
  "\n| capture | images matched (misplaced) | rotation error median / max (°) | under the centre fit (°) | relative, median (°) | centre error median / max (% of extent) | extent (m) | focal length: COLMAP fx / fy vs true (px, error %) |",
);
console.log("|---|---|---|---|---|---|---|---|");
for (const r of rows) {
  const a = r.accuracy;
  if (!a) continue;
  const focal = a.focal
    .map(
      (f) =>
        `${f.fx.toFixed(1)} / ${f.fy.toFixed(1)} vs ${f.f.toFixed(1)} (${f.fxErrPct.toFixed(2)} %, ${f.fyErrPct.toFixed(2)} %)`,
    )
    .join("; ");
  console.log(
    `| ${r.name} | ${a.matched} (${a.misplaced}) | ${a.rotationDeg.median.toFixed(3)} / ${a.rotationDeg.max.toFixed(3)} | ` +
      `${a.rotationCentreFitDeg.median.toFixed(3)} / ${a.rotationCentreFitDeg.max.toFixed(3)} | ` +
      `${a.relativeRotationDeg.median.toFixed(3)} | ` +
      `${a.centrePct.median.toFixed(3)} / ${a.centrePct.max.toFixed(3)} | ${a.extent.toFixed(1)} | ${focal} |`,
  );
}
console.log("\nattempts:");
for (const r of rows)
  for (const [i, a] of (r.result?.attempts ?? []).entries())
    console.log(`  ${r.name} ${i + 1}: ${attemptLine(a)}`);
// The ladder's cost where the first attempt succeeded: the stage's time beyond that attempt and
// the undistortion (checking the result and keeping the model).
const first = rows.filter((r) => r.result?.attempts.length === 1);
for (const r of first) {
  const x = r.result!;
  const overhead = r.seconds - x.attempts[0]!.seconds - x.seconds.undistort;
  console.log(`ladder cost on ${r.name} (first attempt succeeded): ${overhead.toFixed(2)} s`);
}
const ok = rows.filter(
  (r) => r.result && r.result.registered_images >= 0.95 * r.result.total_images,
).length;
console.log(`\n${ok}/${rows.length} captures ≥ 95 % registered in one model`);
process.exitCode = ok === rows.length ? 0 : 1;
