/**
 * `npm run bench:georef [-- --draws N] [capture…]`: georeferencing against the renderer's true
 * cameras. Each capture (default: the corpus captures whose files carry GPS, and the sample for
 * gravity up without GPS) goes through the real stages up to ColmapReconstruction; then its
 * reconstruction is georeferenced with the GPS its files carry, with the true positions
 * (noise-free), and with the true positions plus the bench's noise (σ 2 m horizontal, 4 m
 * vertical, 10 % of the fixes moved 50 m; one seeded draw, then N draws for the spread). Printed:
 * camera position RMSE (m), heading and tilt error (°), scale error (%), outliers flagged.
 */
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Georef } from "../contracts/georef.js";
import { ManifestSchema } from "../contracts/manifest.js";
import { jobIdForOutput, loadStageTable, runJob, tempFolderFor } from "../engine/index.js";
import { cachedCorpusCapture, corpusCacheRoot } from "../sample/corpus.js";
import type { CaptureTruth } from "../sample/truth.js";
import type { ColmapReconstructionResult } from "../contracts/stageResults.js";
import { georeference, imageLabel, type ImageInfo } from "../sfm/georef/georeference.js";
import { imageInfos } from "../sfm/georef/imageInfo.js";
import { loadColmapModel } from "../sfm/load.js";
import { enuToGeodetic } from "../util/geodesy.js";
import { BENCH_NOISE, noisyFixes } from "./gpsNoise.js";
import { georefAccuracy, type GeorefAccuracy, type TruthPair } from "./georefAccuracy.js";
import { knownNoiseFit } from "./georefBound.js";
import { matchToTruth, readTruth } from "./poseAccuracy.js";

/** What the bench needs of one reconstructed capture. */
interface Reconstructed {
  name: string;
  pairs: TruthPair[];
  infos: Map<string, ImageInfo>;
  truth: CaptureTruth;
  recorded: Georef | undefined;
  seconds: number;
}

/** One georeference and its figures. */
interface Trial {
  georef: Georef;
  accuracy: GeorefAccuracy;
  injected: string[];
  /** The efficient fit's figures on the same draw (georefBound.ts); null without noise. */
  bound: GeorefAccuracy | null;
}

/**
 * Where the bench keeps its jobs, `<cache>/bench-georef/<capture>`: the reconstruction (COLMAP
 * on the survey's 87 images takes tens of minutes) is made once and resumed by later runs, which
 * only redraw the GPS noise.
 */
const benchRoot = () => join(corpusCacheRoot(), "..", "bench-georef");

async function reconstruct(name: string): Promise<Reconstructed> {
  const capture = await cachedCorpusCapture(name);
  const output = join(benchRoot(), name);
  const say = (m: string) => {
    if (/^(COLMAP attempt|Georeference:|COLMAP: registered)/.test(m))
      console.log(`  ${name}: ${m}`);
  };
  const logger = { info: say, warn: say, debug: () => {} };
  const t0 = performance.now();
  const run = await runJob({
    ...{ input: capture.dir, output, stages: await loadStageTable() },
    ...{ until: "ColmapReconstruction", logger },
  });
  // The job's scratch folder (under os.tmpdir()) holds nothing the kept job needs any more.
  await rm(tempFolderFor(jobIdForOutput(output), output), { recursive: true, force: true });
  const result = run.outcomes.at(-1)!.result as ColmapReconstructionResult;
  const manifest = ManifestSchema.parse(
    JSON.parse(await readFile(join(output, "manifest.json"), "utf8")),
  );
  const metadata = JSON.parse(await readFile(join(output, "metadata.json"), "utf8"));
  const truth = await readTruth(capture.truth!);
  // COLMAP's own frame: the raw model, which the georeference's transform starts from.
  const model = await loadColmapModel(result.sparse_path, join(output, "frames"));
  const pairs = matchToTruth(model, manifest, truth).map((p) => ({
    name: p.name,
    viewmat: model.images.find((i) => i.name === p.name)!.viewmat,
    truth: p.truth,
  }));
  const seconds = (performance.now() - t0) / 1000;
  return {
    name,
    pairs,
    infos: imageInfos(manifest, metadata),
    truth,
    recorded: result.georef,
    seconds,
  };
}

/** Georeferences with fixes replaced: true positions plus `noise` (null: the files' own GPS). */
function trial(r: Reconstructed, noise: { seed: number; clean?: boolean } | null): Trial {
  const cams = r.pairs.map((p) => ({ name: p.name, viewmat: p.viewmat }));
  let infos = r.infos;
  let injected: string[] = [];
  let outlier = new Set<number>();
  if (noise && r.truth.geo) {
    const truth = r.pairs.map((p) => p.truth.centre);
    const { fixes, outliers } = noise.clean
      ? { fixes: truth, outliers: new Set<number>() }
      : noisyFixes(truth, { ...BENCH_NOISE, seed: noise.seed });
    infos = new Map(r.infos);
    r.pairs.forEach((p, i) => {
      const base = r.infos.get(p.name)!;
      const gps = enuToGeodetic(r.truth.geo!.origin, fixes[i]!);
      infos.set(p.name, { ...base, gps, source: base.source ?? "bench", heightRef: "msl" });
    });
    injected = [...outliers].map((i) => imageLabel(r.pairs[i]!.name, infos.get(r.pairs[i]!.name)));
    outlier = outliers;
  }
  const { georef, T } = georeference(cams, infos, { seed: noise?.seed ?? 0 });
  const known =
    noise && !noise.clean
      ? knownNoiseFit(georef, T, r.pairs, { infos, outlier, sigma: BENCH_NOISE })
      : null;
  return {
    georef,
    accuracy: georefAccuracy(georef, T, r.truth, r.pairs),
    injected,
    bound: known ? georefAccuracy(georef, known, r.truth, r.pairs) : null,
  };
}

const f = (x: number | null, d = 2) => (x === null || Number.isNaN(x) ? "–" : x.toFixed(d));

function row(capture: string, gps: string, t: Trial): string {
  const a = t.accuracy;
  const g = t.georef;
  const missed = t.injected.filter((n) => !g.outliers.includes(n)).length;
  const flagged = t.injected.length
    ? `${t.injected.length - missed}/${t.injected.length} (+${g.outliers.length - (t.injected.length - missed)} inliers)`
    : `${g.outliers.length} flagged`;
  return (
    `| ${capture} | ${gps} | ${g.method} | ${f(a.rmse)} (${f(a.rmseHorizontal)} horizontal, ${f(a.verticalBias)} vertical offset) | ` +
    `${f(Math.abs(a.headingDeg), 3)} | ${f(a.tiltDeg, 3)} | ${f(a.scalePct === null ? null : Math.abs(a.scalePct), 3)} | ` +
    `${flagged} | ${g.gps_sigma_m ? `${f(g.gps_sigma_m.horizontal)} / ${f(g.gps_sigma_m.vertical)}` : "–"} |`
  );
}

/** Median, 90th percentile and the share within `limit`. */
function spread(xs: number[], limit: number): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  const within = xs.filter((x) => x <= limit).length;
  return `${q(0.5).toFixed(3)} / ${q(0.9).toFixed(3)} / ${s.at(-1)!.toFixed(3)} (${within}/${xs.length} ≤ ${limit})`;
}

function draws(r: Reconstructed, n: number): string[] {
  const ts = Array.from({ length: n }, (_, i) => trial(r, { seed: 1000 + i }));
  const a = ts.map((t) => t.accuracy);
  const b = ts.flatMap((t) => (t.bound ? [t.bound] : []));
  const allFlagged = ts.filter((t) =>
    t.injected.every((x) => t.georef.outliers.includes(x)),
  ).length;
  return [
    `${r.name}, ${n} noise draws (median / 90th percentile / max):`,
    `  position RMSE (m)  ${spread(
      a.map((x) => x.rmse),
      0.5,
    )}`,
    `  horizontal RMSE    ${spread(
      a.map((x) => x.rmseHorizontal),
      0.5,
    )}`,
    `  heading (°)        ${spread(
      a.map((x) => Math.abs(x.headingDeg)),
      1,
    )}`,
    `  tilt (°)           ${spread(
      a.map((x) => x.tiltDeg),
      0.5,
    )}`,
    `  scale (%)          ${spread(
      a.map((x) => Math.abs(x.scalePct ?? NaN)),
      1,
    )}`,
    `  every outlier flagged in ${allFlagged}/${n} draws`,
    `  efficient fit told the outliers and σ (georefBound.ts), same draws:`,
    `    position RMSE (m)  ${spread(
      b.map((x) => x.rmse),
      0.5,
    )}`,
    `    horizontal RMSE    ${spread(
      b.map((x) => x.rmseHorizontal),
      0.5,
    )}`,
    `    scale (%)          ${spread(
      b.map((x) => Math.abs(x.scalePct ?? NaN)),
      1,
    )}`,
  ];
}

const args = process.argv.slice(2);
const drawsAt = args.indexOf("--draws");
const nDraws = drawsAt >= 0 ? Number(args[drawsAt + 1]) : 50;
const names = args.filter((a, i) => a !== "--draws" && i !== drawsAt + 1);
const captures = names.length ? names : ["drone-survey", "drone-video-srt", "sample"];
const rows: string[] = [];
const spreads: string[] = [];
for (const name of captures) {
  console.log(`${name}: processing up to ColmapReconstruction (jobs kept in ${benchRoot()})…`);
  const r = await reconstruct(name);
  console.log(
    `  ${r.pairs.length} registered images matched to the truth (${r.seconds.toFixed(0)} s)`,
  );
  rows.push(row(name, "files' own", trial(r, null)));
  if (!r.truth.geo) continue;
  rows.push(row(name, "true, noise-free", trial(r, { seed: 0, clean: true })));
  rows.push(row(name, "true + σ 2/4 m, 10 % × 50 m (seed 1)", trial(r, { seed: 1 })));
  if (nDraws > 0) spreads.push(...draws(r, nDraws));
}
console.log(
  "\n| capture | GPS | frame | position RMSE (m) | heading (°) | tilt (°) | scale (%) | outliers flagged | GPS σ estimated h / v (m) |",
);
console.log("|---|---|---|---|---|---|---|---|---|");
for (const line of rows) console.log(line);
console.log("");
for (const line of spreads) console.log(line);
