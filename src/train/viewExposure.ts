/**
 * Each training view's exposure and white balance, read from the data before training. Where the
 * model has SfM tracks, from the points each view observed, solved jointly with the points'
 * colours (exposureTracks.ts). Otherwise every sparse point is projected into every view, and the
 * per-channel median of log(pixel / point colour) over a view's points is that view's log gain
 * against the capture's common look (occluded points, specular glints and mismatched pixels are
 * outliers the median ignores); the points' colours are then read again from the views'
 * unclipped pixels at those gains, and the gains from those colours, until they settle (see
 * {@link pointColours}). How much these gains spread over the views says whether the capture's
 * exposure or white balance changed between frames: a fixed-exposure capture spreads by view
 * change and sampling noise only.
 */
import type { TrainingDataset, TrainingView } from "./dataset.js";
import { trackedExposure } from "./exposureTracks.js";
import { logRgbAt, pointPixel } from "./pointPixel.js";
import { median } from "../util/median.js";

/** Points sampled per view at most (evenly strided over the sparse model). */
const MAX_POINTS = 4000;
/** Fewest usable points for a view's estimate; views with fewer keep gain 1. */
const MIN_SAMPLES = 24;
/** Values outside [DARK, BRIGHT] are left out: noise dominates the ratio, or the pixel clipped. */
const DARK = 0.04;
const BRIGHT = 0.97;
/**
 * Rounds of reading the gains from the points' colours and the colours from the gains, at most;
 * it stops earlier once no log gain moves by more than {@link SETTLED}. On courtyard-autoexposure
 * the error against the simulation's true gains (log, after the common factor) fell from
 * 0.026 / 0.020 / 0.033 (r / g / b; one round, the sparse model's colours) to 0.012 / 0.008 /
 * 0.012 after 5 rounds and changed in the fourth decimal after that.
 */
const ROUNDS = 10;
const SETTLED = 1e-3;

/** What {@link estimateViewExposure} found. */
export interface ViewExposure {
  /** Per training view, r, g, b multipliers normalised to a geometric mean of 1 over the views. */
  gains: Float64Array;
  /** Standard deviation over the views of the log gains, averaged over the channels. */
  spread: number;
  /** Views with an estimate of their own. */
  views: number;
  /** Median number of point samples per estimated view. */
  samples: number;
}

/** A view's samples: per sampled point it sees, the point's index and log r, g, b of the pixel. */
interface ViewSamples {
  points: number[];
  logPixels: number[];
}

const LOG_DARK = Math.log(DARK);
const LOG_BRIGHT = Math.log(BRIGHT);

/** Every sampled point's pixel in the view (occluded ones too: the medians ignore them). */
function viewSamples(view: TrainingView, points: TrainingDataset["points"]): ViewSamples {
  const out: ViewSamples = { points: [], logPixels: [] };
  const stride = Math.max(1, Math.floor(points.count / MAX_POINTS));
  for (let i = 0; i < points.count; i += stride) {
    const p = pointPixel(view, points, i);
    if (p < 0) continue;
    out.points.push(i);
    out.logPixels.push(...logRgbAt(view, p));
  }
  return out;
}

/**
 * Per channel, log(pixel) − log(point colour) of every usable sample of the view. Which samples
 * are usable is decided from the value the view should show (point colour × the view's gain so
 * far), not from the pixel: choosing by the pixel would drop bright points from bright views and
 * dark ones from dark views, and pull every estimate towards the middle.
 */
function viewRatios(s: ViewSamples, logColour: Float64Array, logGain: ArrayLike<number>) {
  const ratios: number[][] = [[], [], []];
  s.points.forEach((i, j) => {
    for (let ch = 0; ch < 3; ch++) {
      const colour = logColour[i * 3 + ch]!;
      const expected = colour + logGain[ch]!;
      if (colour < LOG_DARK || expected < LOG_DARK || expected > LOG_BRIGHT) continue;
      ratios[ch]!.push(s.logPixels[j * 3 + ch]! - colour);
    }
  });
  return ratios;
}

/** For every sampled point, the (view, sample) pairs that see it, laid out once per estimate. */
interface PointViews {
  /** Sampled points' indices, and where each one's pairs start in `view` / `sample`. */
  points: number[];
  start: Int32Array;
  view: Int32Array;
  sample: Int32Array;
}

function pointViews(samples: ViewSamples[], pointCount: number): PointViews {
  const count = new Int32Array(pointCount);
  for (const s of samples) for (const i of s.points) count[i]!++;
  const points: number[] = [];
  const start = [0];
  const at = new Int32Array(pointCount);
  for (let i = 0; i < pointCount; i++) {
    if (!count[i]) continue;
    at[i] = start.at(-1)!;
    points.push(i);
    start.push(at[i]! + count[i]!);
  }
  const total = start.at(-1)!;
  const [view, sample] = [new Int32Array(total), new Int32Array(total)];
  samples.forEach((s, k) =>
    s.points.forEach((i, j) => {
      view[at[i]!] = k;
      sample[at[i]!++] = j;
    }),
  );
  return { points, start: Int32Array.from(start), view, sample };
}

/**
 * Each sampled point's colour at the common look: per channel, the median over the views of
 * log(pixel) − the view's log gain, from the pixels that did not clip (a clipped pixel only says
 * "at least"). The sparse model's own colours are averages of the views' pixels, so a point seen
 * from bright frames carries their brightness and shrinks those frames' ratios; re-reading the
 * colours at the estimated gains removes that (Tukey's median polish of log pixel = log gain +
 * log colour). Points without an unclipped sample keep their colour.
 */
function pointColours(
  samples: ViewSamples[],
  pv: PointViews,
  known: boolean[],
  logs: Float64Array,
  logColour: Float64Array,
): void {
  const values: number[] = [];
  pv.points.forEach((i, slot) => {
    for (let ch = 0; ch < 3; ch++) {
      values.length = 0;
      for (let e = pv.start[slot]!; e < pv.start[slot + 1]!; e++) {
        const k = pv.view[e]!;
        const pixel = samples[k]!.logPixels[pv.sample[e]! * 3 + ch]!;
        if (known[k] && pixel > LOG_DARK && pixel < LOG_BRIGHT)
          values.push(pixel - logs[k * 3 + ch]!);
      }
      if (values.length) logColour[i * 3 + ch] = median(values);
    }
  });
}

/** Per view log r, g, b gains, which views have an estimate, and their usable sample counts. */
interface Estimate {
  logs: Float64Array;
  known: boolean[];
  counts: number[];
}

/**
 * Every point in front of a view read in it, the views' gains and the points' colours read in
 * turn from each other until the gains settle: for models without tracks (point clouds).
 */
function polishedExposure(dataset: TrainingDataset): Estimate {
  const n = dataset.train.length;
  const { points } = dataset;
  const samples = dataset.train.map((v) => viewSamples(v, points));
  const pv = pointViews(samples, points.count);
  const logColour = Float64Array.from(points.rgb, (v) => Math.log(Math.max(v, 1) / 255));
  const logs = new Float64Array(n * 3);
  const known: boolean[] = [];
  const counts: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    known.length = counts.length = 0;
    let moved = 0;
    for (let k = 0; k < n; k++) {
      const ratios = viewRatios(samples[k]!, logColour, logs.subarray(k * 3, k * 3 + 3));
      const enough = ratios.every((r) => r.length >= MIN_SAMPLES);
      known.push(enough);
      if (!enough) continue;
      counts.push(Math.min(...ratios.map((r) => r.length)));
      for (let ch = 0; ch < 3; ch++) {
        const m = median(ratios[ch]!);
        moved = Math.max(moved, Math.abs(m - logs[k * 3 + ch]!));
        logs[k * 3 + ch] = m;
      }
    }
    // The points' colours absorb any common factor; holding the mean log gain at 0 keeps the
    // two from drifting together between rounds.
    const used = Math.max(1, known.filter(Boolean).length);
    for (let ch = 0; ch < 3; ch++) {
      let sum = 0;
      for (let k = 0; k < n; k++) if (known[k]) sum += logs[k * 3 + ch]!;
      for (let k = 0; k < n; k++) if (known[k]) logs[k * 3 + ch]! -= sum / used;
    }
    if (round > 0 && moved < SETTLED) break;
    pointColours(samples, pv, known, logs, logColour);
  }
  return { logs, known, counts };
}

/** The tracked estimate (exposureTracks.ts) in the shape the polish gives. */
function fromTracks(dataset: TrainingDataset): Estimate | null {
  const tracked = trackedExposure(
    dataset,
    (logGain, logColour) =>
      logColour >= LOG_DARK && logColour + logGain >= LOG_DARK && logColour + logGain <= LOG_BRIGHT,
  );
  if (!tracked) return null;
  const n = dataset.train.length;
  const known = Array.from({ length: n }, (_, k) =>
    tracked.counts.every((c) => c[k]! >= MIN_SAMPLES),
  );
  const counts: number[] = [];
  for (let k = 0; k < n; k++) {
    if (known[k]) counts.push(Math.min(...tracked.counts.map((c) => c[k]!)));
    else tracked.logs.fill(0, k * 3, k * 3 + 3);
  }
  return { logs: tracked.logs, known, counts };
}

/**
 * Every training view's per-channel gain against the capture's common look, from the sparse
 * points the views see (see the module comment): through the SfM tracks where the model has
 * them, else by the polish over every point in front of the view.
 */
export function estimateViewExposure(dataset: TrainingDataset): ViewExposure {
  const n = dataset.train.length;
  const { logs, known, counts } = fromTracks(dataset) ?? polishedExposure(dataset);
  const views = counts.length;
  const gains = logs.map(Math.exp);
  let spread = 0;
  for (let ch = 0; ch < 3; ch++) {
    const vals = logs.filter((_, j) => j % 3 === ch && known[Math.floor(j / 3)]);
    const mean = vals.reduce((a, b) => a + b, 0) / Math.max(1, views);
    const variance = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, views - 1);
    spread += Math.sqrt(variance) / 3;
    // Normalised to a geometric mean of 1 over the views, as the trainer recentres its gains
    // (reference/appearance.ts); views without an estimate get exactly that.
    const norm = views ? Math.exp(mean) : 1;
    for (let k = 0; k < n; k++) gains[k * 3 + ch] = known[k] ? gains[k * 3 + ch]! / norm : 1;
  }
  return { gains, spread: views >= 2 ? spread : 0, views, samples: views ? median(counts) : 0 };
}
