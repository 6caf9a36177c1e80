/**
 * The attempts of an adaptive reconstruction, weakest (cheapest) first: the settings chosen from
 * the frames, then more pairs, guided matching with a relaxed mapper, more and finer features,
 * exhaustive matching. Pure: which rungs exist depends only on the frame counts and settings.
 */
import {
  choosePairPlan,
  DEFAULT_DENSITY,
  denser,
  capturePairs,
  exhaustivePairCount,
  imageCount,
  type Layout,
  type PairDensity,
} from "./pairs.js";
import { sameSift, strongerSift, type SiftSettings } from "./siftSettings.js";

/** Which matcher a reconstruction starts with (the `matcher` parameter). */
export type MatcherParam = "auto" | "video" | "sequential" | "exhaustive";

/** The pairs one attempt matches. */
export type PairChoice =
  | { kind: "exhaustive" }
  | { kind: "sequential"; overlap: number }
  | { kind: "video"; density: PairDensity };

/** One attempt's settings. */
export interface Rung {
  /** What this rung adds over the previous one, for logs and the final error. */
  label: string;
  sift: SiftSettings;
  pairs: PairChoice;
  guided: boolean;
  /** Lower mapper inlier minimums. */
  relaxed: boolean;
}

/** Frames each frame meets in COLMAP's sequential matcher when `matcher` is "sequential". */
export const SEQUENTIAL_OVERLAP = 10;

/** The first attempt's pairs for the `matcher` parameter and the videos' frame counts. */
export function firstPairs(matcher: MatcherParam, counts: readonly number[] | Layout): PairChoice {
  if (matcher === "exhaustive") return { kind: "exhaustive" };
  if (matcher === "sequential") return { kind: "sequential", overlap: SEQUENTIAL_OVERLAP };
  if (matcher === "video") return { kind: "video", density: DEFAULT_DENSITY };
  const plan = choosePairPlan(counts, DEFAULT_DENSITY);
  return plan.kind === "exhaustive" ? plan : { kind: "video", density: DEFAULT_DENSITY };
}

/** More pairs than `p`: sequential → video pairs; video → denser (or exhaustive if cheap). */
export function morePairs(p: PairChoice, counts: readonly number[] | Layout): PairChoice {
  if (p.kind === "exhaustive") return p;
  if (p.kind === "sequential") return { kind: "video", density: DEFAULT_DENSITY };
  const plan = choosePairPlan(counts, denser(p.density));
  return plan.kind === "exhaustive" ? plan : { kind: "video", density: plan.density };
}

/** Number of pairs a choice matches (sequential: COLMAP's count, within and across videos). */
export function pairCount(p: PairChoice, counts: readonly number[] | Layout): number {
  const total = imageCount(counts);
  if (p.kind === "exhaustive") return exhaustivePairCount(total);
  if (p.kind === "video") return capturePairs(counts, p.density).length;
  let n = 0;
  for (let i = 0; i < total; i++) n += Math.min(p.overlap, total - 1 - i);
  return n;
}

/** A short description of the pairs, e.g. "video pairs (window 10, 8 samples/video)". */
export function describePairs(p: PairChoice): string {
  if (p.kind === "exhaustive") return "exhaustive";
  if (p.kind === "sequential") return `sequential (overlap ${p.overlap})`;
  return `video pairs (window ${p.density.window}, ${p.density.samplesPerVideo} samples/video)`;
}

const samePairs = (a: PairChoice, b: PairChoice) => describePairs(a) === describePairs(b);

/**
 * The ladder for `counts` frames per video: the first attempt's settings, then each stronger
 * rung that differs from the one before (a rung that would repeat an attempt is left out).
 * `strong` is the features of the stronger rungs (default: twice `sift`'s, upsampled).
 */
export function ladderRungs(
  counts: readonly number[] | Layout,
  sift: SiftSettings,
  matcher: MatcherParam,
  strong: SiftSettings = strongerSift(sift),
): Rung[] {
  const first: Rung = {
    label: "chosen settings",
    sift,
    pairs: firstPairs(matcher, counts),
    guided: false,
    relaxed: false,
  };
  const rungs = [first];
  const push = (r: Rung) => {
    const prev = rungs.at(-1)!;
    const same =
      sameSift(prev.sift, r.sift) &&
      samePairs(prev.pairs, r.pairs) &&
      prev.guided === r.guided &&
      prev.relaxed === r.relaxed;
    if (!same) rungs.push(r);
  };
  // Cheapest first: the mapper alone again on the same matches, then new pairs only, then the
  // same pairs matched again with guidance, then new features.
  push({ ...first, label: "relaxed mapper", relaxed: true });
  const more = morePairs(first.pairs, counts);
  push({ ...first, label: "more pairs", pairs: more, relaxed: true });
  push({ ...first, label: "guided matching", pairs: more, guided: true, relaxed: true });
  push({
    label: "more, upsampled features",
    sift: strong,
    pairs: more,
    guided: true,
    relaxed: true,
  });
  push({
    label: "exhaustive matching",
    sift: strong,
    pairs: { kind: "exhaustive" },
    guided: true,
    relaxed: true,
  });
  return rungs;
}

/** One line naming a rung's settings, e.g. for the log and the final error. */
export function describeRung(r: Rung, counts: readonly number[] | Layout): string {
  const s = r.sift;
  return (
    `${r.label}: ${s.maxNumFeatures} features, first octave ${s.firstOctave}, ` +
    (s.estimateAffineShape ? "affine shape, " : "") +
    (s.domainSizePooling ? "domain-size pooling, " : "") +
    (s.peakThreshold !== undefined ? `peak threshold ${s.peakThreshold}, ` : "") +
    `${describePairs(r.pairs)} ${pairCount(r.pairs, counts)} pairs` +
    (r.guided ? ", guided" : "") +
    (r.relaxed ? ", relaxed mapper" : "")
  );
}
