/**
 * Per-view log gains from tracked observations, solved jointly with the points' log colours:
 * log pixel(view, point) = gain(view) + colour(point), least squares with Cauchy weights
 * (flare, blur and specular pixels are outliers). Eliminating the colours leaves a views × views
 * system (a weighted graph Laplacian: views linked by the points they share), so a slow drift
 * along a video is recovered in one solve where alternating medians creep along the chain; the
 * gauge (which views are brighter, not how bright all are) is fixed by mean gain 0.
 */
import { CholeskyDecomposition, Matrix } from "ml-matrix";

/** Observations of one channel: view index, point index, log pixel value. */
export interface ChannelObservations {
  view: readonly number[];
  point: readonly number[];
  logPixel: (o: number) => number;
  /** Whether observation `o` counts, given the current gains and colours (not clipped). */
  usable: (o: number, logGain: ArrayLike<number>, logColour: (point: number) => number) => boolean;
}

/** Reweighting rounds: residuals from the last solve set the next weights. */
const ROUNDS = 4;

/** Solves for `views` log gains (mean 0) from `obs`, starting from the model's point colours. */
export function solveLogGains(
  obs: ChannelObservations,
  views: number,
  startColour: (point: number) => number,
): { logGain: Float64Array; counts: number[] } {
  let logGain = new Float64Array(views);
  const colour = new Map<number, number>();
  const colourOf = (p: number) => colour.get(p) ?? startColour(p);
  let weight = new Float64Array(obs.view.length).fill(1);
  let counts: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const byPoint = new Map<number, number[]>();
    counts = new Array<number>(views).fill(0);
    obs.view.forEach((v, o) => {
      if (!obs.usable(o, logGain, colourOf)) return;
      counts[v]!++;
      const list = byPoint.get(obs.point[o]!);
      if (list) list.push(o);
      else byPoint.set(obs.point[o]!, [o]);
    });
    logGain = solveReduced(obs, views, byPoint, weight);
    for (const [p, os] of byPoint)
      colour.set(
        p,
        weightedMean(os, weight, (o) => obs.logPixel(o) - logGain[obs.view[o]!]!),
      );
    weight = cauchyWeights(obs, byPoint, logGain, colourOf);
  }
  return { logGain, counts };
}

function weightedMean(
  os: readonly number[],
  w: Float64Array,
  value: (o: number) => number,
): number {
  let sum = 0;
  let total = 0;
  for (const o of os) {
    sum += w[o]! * value(o);
    total += w[o]!;
  }
  return total > 0 ? sum / total : 0;
}

/** The normal equations with each point's colour eliminated, plus the mean-0 gauge. */
function solveReduced(
  obs: ChannelObservations,
  views: number,
  byPoint: Map<number, number[]>,
  w: Float64Array,
): Float64Array {
  const m = new Float64Array(views * views);
  const b = new Float64Array(views);
  for (const os of byPoint.values()) {
    if (os.length < 2) continue; // a point one view sees says nothing about gains
    const W = os.reduce((acc, o) => acc + w[o]!, 0);
    const ybar = weightedMean(os, w, (o) => obs.logPixel(o));
    for (const o of os) {
      const vo = obs.view[o]!;
      m[vo * views + vo]! += w[o]!;
      b[vo]! += w[o]! * (obs.logPixel(o) - ybar);
      for (const q of os) {
        const vq = obs.view[q]!;
        m[vo * views + vq]! -= (w[o]! * w[q]!) / W;
      }
    }
  }
  // Gauge: + (1/n)·1·1ᵀ pins the mean; the ridge keeps views no point links at gain 0.
  let trace = 0;
  for (let v = 0; v < views; v++) trace += m[v * views + v]!;
  const ridge = 1e-9 * Math.max(trace / views, 1);
  const M = Matrix.from1DArray(views, views, m).add(1 / views);
  for (let v = 0; v < views; v++) M.set(v, v, M.get(v, v) + ridge);
  const x = new CholeskyDecomposition(M).solve(Matrix.columnVector(Array.from(b)));
  return Float64Array.from(x.getColumn(0));
}

/** Cauchy weights at twice the robust spread (1.4826 × median absolute residual). */
function cauchyWeights(
  obs: ChannelObservations,
  byPoint: Map<number, number[]>,
  logGain: Float64Array,
  colourOf: (p: number) => number,
): Float64Array {
  const w = new Float64Array(obs.view.length).fill(1);
  const residuals: [number, number][] = [];
  for (const os of byPoint.values()) {
    if (os.length < 2) continue;
    for (const o of os)
      residuals.push([o, obs.logPixel(o) - logGain[obs.view[o]!]! - colourOf(obs.point[o]!)]);
  }
  if (residuals.length === 0) return w;
  const abs = residuals.map(([, r]) => Math.abs(r)).sort((a, c) => a - c);
  const scale = Math.max(2 * 1.4826 * abs[abs.length >> 1]!, 1e-3);
  for (const [o, r] of residuals) w[o] = 1 / (1 + (r / scale) ** 2);
  return w;
}
