/**
 * Image pairs to match for frames of video: neighbours within each video, a few long-range pairs
 * within it (loops), and pairs across videos (a sampled subset of each video against every frame
 * of the others). Photos are unordered: every pair among them, or with GPS their spatial
 * neighbours and a few long-range pairs; each photo meets frames of every video (all of them, or
 * as many as the videos' own list has pairs). COLMAP gets them as a pairs list
 * (`matches_importer --match_type pairs`); exhaustive matching is used instead where it costs
 * little more, or little at all.
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

/**
 * Exhaustive matching is also chosen whenever it needs at most this many pairs, whatever the
 * list would save: a photo set without GPS is matched all with all at any size already (276
 * pairs of 1600 px photos on handheld-photos), and ~45 images cost no more than a few minutes
 * on two cores. On mixed-courtyard (12 photos + a 30-frame clip, 480×360 photos) the list's 422
 * pairs registered 41/42 in two runs, the 861 exhaustive pairs 42/42 in two (match 140 s).
 */
export const EXHAUSTIVE_AFFORDABLE_PAIRS = 1000;

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
 * What the pair lists are computed from: images numbered sequence after sequence; `unordered`
 * marks photo groups (pooled, paired among themselves without an order), `positions` gives each
 * image's position in metres where GPS is known (null where not). A plain array of counts is a
 * capture of videos only.
 */
export interface Layout {
  counts: readonly number[];
  unordered?: readonly boolean[];
  positions?: readonly (readonly number[] | null)[];
}

/** A layout from either form. */
export function layoutOf(c: readonly number[] | Layout): Layout {
  return Array.isArray(c) ? { counts: c as readonly number[] } : (c as Layout);
}

/** Total images of a layout. */
export function imageCount(c: readonly number[] | Layout): number {
  return layoutOf(c).counts.reduce((n, x) => n + x, 0);
}

/** Long-range pairs each pooled photo gets beside its spatial neighbours (seeded choice). */
export const LONG_RANGE_PER_PHOTO = 4;

/**
 * Pairs among pooled photos: with a position for every photo, each with its `2 × window` nearest
 * (COLMAP's spatial matcher's rule, neighbours by position) and LONG_RANGE_PER_PHOTO seeded
 * others; without, every pair.
 */
function poolPairs(
  pool: readonly number[],
  positions: Layout["positions"],
  d: PairDensity,
  add: (i: number, j: number) => void,
): void {
  const located = positions && pool.every((i) => positions[i]);
  if (!located) {
    for (const [k, a] of pool.entries()) for (const b of pool.slice(k + 1)) add(a, b);
    return;
  }
  const near = 2 * d.window;
  let seed = 0x9e3779b9;
  const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;
  for (const a of pool) {
    const p = positions[a]!;
    const byDistance = pool
      .filter((b) => b !== a)
      .map((b) => {
        const q = positions[b]!;
        return { b, d: Math.hypot(p[0]! - q[0]!, p[1]! - q[1]!, (p[2] ?? 0) - (q[2] ?? 0)) };
      })
      .sort((x, y) => x.d - y.d || x.b - y.b);
    for (const { b } of byDistance.slice(0, near)) add(a, b);
    for (let k = 0; k < LONG_RANGE_PER_PHOTO * (d.samplesPerVideo / 8); k++)
      add(a, pool[Math.floor(rand() * pool.length)]!);
  }
}

/**
 * How many frames of each video every photo meets: all of them when photos × frames is at most
 * the videos' own list (matching then costs at most twice the list), else that many pairs spread
 * over the photos and videos, never fewer than the density's samples. A photo has no place in a
 * clip's order, so which frames it overlaps is unknown before matching; the density's 8 samples
 * leave a photo 4 frames or more from the nearest sampled one on a 30-frame clip.
 */
export function framesPerPhoto(
  photos: number,
  videoFrames: readonly number[],
  videoListPairs: number,
  d: PairDensity,
): number[] {
  const frames = videoFrames.reduce((n, x) => n + x, 0);
  if (photos === 0 || frames === 0) return videoFrames.map(() => 0);
  if (photos * frames <= videoListPairs) return [...videoFrames];
  const each = Math.floor(videoListPairs / (photos * videoFrames.length));
  return videoFrames.map((n) => Math.min(n, Math.max(d.samplesPerVideo, each)));
}

/**
 * The pair list of a capture: the video pair list (videoPairs) for its videos, its photos pooled
 * (poolPairs), and every photo with frames of each video spread evenly (framesPerPhoto).
 */
export function capturePairs(c: readonly number[] | Layout, d: PairDensity): FramePair[] {
  const layout = layoutOf(c);
  const unordered = layout.unordered ?? [];
  if (!unordered.some(Boolean)) return videoPairs(layout.counts, d);
  const starts: number[] = [];
  let total = 0;
  for (const n of layout.counts) {
    starts.push(total);
    total += n;
  }
  const keys = new Set<number>();
  const add = (i: number, j: number) => {
    if (i !== j) keys.add(Math.min(i, j) * total + Math.max(i, j));
  };
  const range = (v: number) => Array.from({ length: layout.counts[v]! }, (_, i) => starts[v]! + i);
  const videos = layout.counts.map((_, v) => v).filter((v) => !unordered[v]);
  const pool = layout.counts.flatMap((_, v) => (unordered[v] ? range(v) : []));
  // The videos among themselves, renumbered back into the capture's numbering.
  const videoImages = videos.flatMap(range);
  const videoCounts = videos.map((v) => layout.counts[v]!);
  const listed = videoPairs(videoCounts, d);
  for (const [a, b] of listed) add(videoImages[a]!, videoImages[b]!);
  poolPairs(pool, layout.positions, d, add);
  const perPhoto = framesPerPhoto(pool.length, videoCounts, listed.length, d);
  videos.forEach((v, k) => {
    const sampled = sampleIndices(layout.counts[v]!, perPhoto[k]!).map((i) => starts[v]! + i);
    for (const a of sampled) for (const b of pool) add(a, b);
  });
  return [...keys].sort((x, y) => x - y).map((k) => [Math.floor(k / total), k % total] as const);
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
 * Exhaustive matching when it needs at most EXHAUSTIVE_AFFORDABLE_PAIRS pairs or at most
 * EXHAUSTIVE_COST_FACTOR times the pairs of the video list, else the video list.
 */
export function choosePairPlan(counts: readonly number[] | Layout, d: PairDensity): PairPlan {
  const total = imageCount(counts);
  const pairs = capturePairs(counts, d);
  const all = exhaustivePairCount(total);
  if (all <= Math.max(EXHAUSTIVE_AFFORDABLE_PAIRS, EXHAUSTIVE_COST_FACTOR * pairs.length))
    return { kind: "exhaustive", pairs: all };
  return { kind: "video", pairs, density: d };
}

/** Pair count of a plan. */
export function planPairCount(p: PairPlan): number {
  return p.kind === "exhaustive" ? p.pairs : p.pairs.length;
}
