/**
 * Image pairs to match for frames of video: neighbours within each video, a few long-range pairs
 * within it (loops), and pairs across videos (a sampled subset of each video against every frame
 * of the others). COLMAP gets them as a pairs list (`matches_importer --match_type pairs`);
 * exhaustive matching is used instead where it costs little more.
 */

/** How densely the video pair list samples. */
export interface PairDensity {
  /** Each frame is paired with this many following frames of its video. */
  window: number;
  /** Frames of each video sampled for loop and cross-video pairs. */
  samplesPerVideo: number;
}

/** The first attempt's density: COLMAP's sequential default overlap is 10 as well. */
export const DEFAULT_DENSITY: PairDensity = { window: 10, samplesPerVideo: 8 };

/** Twice the window and the samples: the ladder's "more pairs" rung. */
export function denser(d: PairDensity): PairDensity {
  return { window: d.window * 2, samplesPerVideo: d.samplesPerVideo * 2 };
}

/**
 * Exhaustive matching is chosen when it needs at most this factor times the video pair list's
 * pairs: then it costs little more and finds every overlap.
 */
export const EXHAUSTIVE_COST_FACTOR = 1.25;

/** A pair of global frame indices (frames numbered video after video), `a < b`. */
export type FramePair = readonly [number, number];

/** `count` indices spread evenly over 0..n−1, first and last included. */
export function sampleIndices(n: number, count: number): number[] {
  if (n <= 0) return [];
  if (count >= n) return Array.from({ length: n }, (_, i) => i);
  if (count <= 1) return [0];
  const out = new Set<number>();
  for (let k = 0; k < count; k++) out.add(Math.round((k * (n - 1)) / (count - 1)));
  return [...out];
}

/** Number of pairs exhaustive matching makes for `n` frames. */
export function exhaustivePairCount(n: number): number {
  return (n * (n - 1)) / 2;
}

/**
 * The video pair list for videos of `counts` frames each: within each video every frame with the
 * next `window` frames, the sampled frames with each other (loops: an orbit's end sees its
 * start), and each video's sampled frames with every frame of every other video. Sorted, unique.
 */
export function videoPairs(counts: readonly number[], d: PairDensity): FramePair[] {
  const starts: number[] = [];
  let total = 0;
  for (const c of counts) {
    starts.push(total);
    total += c;
  }
  const keys = new Set<number>();
  const add = (i: number, j: number) => {
    if (i !== j) keys.add(Math.min(i, j) * total + Math.max(i, j));
  };
  counts.forEach((n, v) => {
    const s = starts[v]!;
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j <= Math.min(n - 1, i + d.window); j++) add(s + i, s + j);
    const sampled = sampleIndices(n, d.samplesPerVideo).map((i) => s + i);
    for (const a of sampled) for (const b of sampled) add(a, b);
    counts.forEach((m, w) => {
      if (w === v) return;
      for (const a of sampled) for (let j = 0; j < m; j++) add(a, starts[w]! + j);
    });
  });
  return [...keys].sort((x, y) => x - y).map((k) => [Math.floor(k / total), k % total] as const);
}

/** What to match: every pair, or a pair list. */
export type PairPlan =
  | { kind: "exhaustive"; pairs: number }
  | { kind: "video"; pairs: FramePair[]; density: PairDensity };

/**
 * Exhaustive matching when it needs at most EXHAUSTIVE_COST_FACTOR times the pairs of the video
 * list (small captures), else the video list.
 */
export function choosePairPlan(counts: readonly number[], d: PairDensity): PairPlan {
  const total = counts.reduce((n, c) => n + c, 0);
  const pairs = videoPairs(counts, d);
  const all = exhaustivePairCount(total);
  if (all <= EXHAUSTIVE_COST_FACTOR * pairs.length) return { kind: "exhaustive", pairs: all };
  return { kind: "video", pairs, density: d };
}

/** Pair count of a plan. */
export function planPairCount(p: PairPlan): number {
  return p.kind === "exhaustive" ? p.pairs : p.pairs.length;
}
