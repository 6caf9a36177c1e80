/**
 * Each training view's exposure and white balance, read from the data before training: every
 * sparse point is projected into every view and the view's pixel there is compared with the
 * point's colour. The per-channel median of log(pixel / point colour) over a view's points is that
 * view's log gain against the capture's common look (occluded points, specular glints and
 * mismatched pixels are outliers the median ignores; a point's own colour bias is shared by every
 * view, so it cannot make views differ). How much these gains spread over the views says whether
 * the capture's exposure or white balance changed between frames: a fixed-exposure capture
 * spreads by view change and sampling noise only.
 */
import type { TrainingDataset, TrainingView } from "./dataset.js";

/** Points sampled per view at most (evenly strided over the sparse model). */
const MAX_POINTS = 4000;
/** Fewest usable points for a view's estimate; views with fewer keep gain 1. */
const MIN_SAMPLES = 24;
/** Values outside [DARK, BRIGHT] are left out: noise dominates the ratio, or the pixel clipped. */
const DARK = 0.04;
const BRIGHT = 0.97;

/** What {@link estimateViewExposure} found. */
export interface ViewExposure {
  /** Per training view, r, g, b multipliers normalised to mean 1 over the views. */
  gains: Float64Array;
  /** Standard deviation over the views of the log gains, averaged over the channels. */
  spread: number;
  /** Views with an estimate of their own. */
  views: number;
  /** Median number of point samples per estimated view. */
  samples: number;
}

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Per channel, log(pixel / point colour) of every usable point the view sees. Which points are
 * usable is decided from the value the view should show (point colour × the view's `gain` so
 * far), not from the pixel: choosing by the pixel would drop bright points from bright views and
 * dark ones from dark views, and pull every estimate towards the middle.
 */
function viewRatios(
  view: TrainingView,
  points: TrainingDataset["points"],
  gain: ArrayLike<number>,
): number[][] {
  const { camera: c, image } = view;
  const v = c.viewmat;
  const ratios: number[][] = [[], [], []];
  const stride = Math.max(1, Math.floor(points.count / MAX_POINTS));
  for (let i = 0; i < points.count; i += stride) {
    const [x, y, z] = [points.xyz[i * 3]!, points.xyz[i * 3 + 1]!, points.xyz[i * 3 + 2]!];
    const cz = v[8]! * x + v[9]! * y + v[10]! * z + v[11]!;
    if (cz <= 1e-6) continue;
    const u = (c.fx * (v[0]! * x + v[1]! * y + v[2]! * z + v[3]!)) / cz + c.cx;
    const w = (c.fy * (v[4]! * x + v[5]! * y + v[6]! * z + v[7]!)) / cz + c.cy;
    const [px, py] = [Math.floor(u), Math.floor(w)];
    if (px < 0 || py < 0 || px >= image.width || py >= image.height) continue;
    const p = (py * image.width + px) * 3;
    for (let ch = 0; ch < 3; ch++) {
      const colour = points.rgb[i * 3 + ch]! / 255;
      const expected = colour * gain[ch]!;
      if (colour < DARK || expected < DARK || expected > BRIGHT) continue;
      ratios[ch]!.push(Math.log(Math.max(image.data[p + ch]!, 1 / 255) / colour));
    }
  }
  return ratios;
}

/**
 * Every training view's per-channel gain against the capture's common look, from the sparse
 * points the views see (see the module comment).
 */
export function estimateViewExposure(dataset: TrainingDataset): ViewExposure {
  const n = dataset.train.length;
  const logs = new Float64Array(n * 3);
  const known: boolean[] = [];
  const counts: number[] = [];
  // Twice: the second pass chooses each view's points by the first pass's gain.
  for (const pass of [0, 1]) {
    known.length = counts.length = 0;
    for (let k = 0; k < n; k++) {
      const gain = pass ? logs.subarray(k * 3, k * 3 + 3).map(Math.exp) : [1, 1, 1];
      const ratios = viewRatios(dataset.train[k]!, dataset.points, gain);
      const enough = ratios.every((r) => r.length >= MIN_SAMPLES);
      known.push(enough);
      if (!enough) continue;
      counts.push(Math.min(...ratios.map((r) => r.length)));
      for (let ch = 0; ch < 3; ch++) logs[k * 3 + ch] = median(ratios[ch]!);
    }
  }
  const views = counts.length;
  const gains = logs.map(Math.exp);
  let spread = 0;
  for (let ch = 0; ch < 3; ch++) {
    const vals = logs.filter((_, j) => j % 3 === ch && known[Math.floor(j / 3)]);
    const mean = vals.reduce((a, b) => a + b, 0) / Math.max(1, views);
    const variance = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, views - 1);
    spread += Math.sqrt(variance) / 3;
    // Normalised to mean 1 over the views; views without an estimate get exactly that.
    let sum = 0;
    for (let k = 0; k < n; k++) if (known[k]) sum += gains[k * 3 + ch]!;
    const norm = views ? sum / views : 1;
    for (let k = 0; k < n; k++) gains[k * 3 + ch] = known[k] ? gains[k * 3 + ch]! / norm : 1;
  }
  return { gains, spread: views >= 2 ? spread : 0, views, samples: views ? median(counts) : 0 };
}
