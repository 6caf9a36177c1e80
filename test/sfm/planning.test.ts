// The pure choices of an adaptive reconstruction: SIFT settings from the frames, the video pair
// list, exhaustive-or-pairs, and the ladder's rungs.
import { describe, expect, it } from "vitest";
import {
  chooseSiftSettings,
  capturePairs,
  choosePairPlan,
  DEFAULT_DENSITY,
  EXHAUSTIVE_AFFORDABLE_PAIRS,
  exhaustivePairCount,
  framesPerPhoto,
  groupFirstOctave,
  ladderRungs,
  pairCount,
  sampleIndices,
  strongerSift,
  sameSift,
  videoPairs,
  type PairChoice,
} from "../../src/sfm/index.js";

describe("SIFT settings chosen from the frames", () => {
  it("upsamples small frames and not large ones", () => {
    expect(chooseSiftSettings({ width: 320, height: 240 }, 60).firstOctave).toBe(-1);
    expect(chooseSiftSettings({ width: 240, height: 320 }, 60).firstOctave).toBe(-1);
    expect(chooseSiftSettings({ width: 1280, height: 720 }, 60).firstOctave).toBe(0);
    expect(chooseSiftSettings({ width: 1920, height: 1080 }, 60).firstOctave).toBe(0);
  });

  it("upsamples a group of small frames beside large photos", () => {
    const mixed = chooseSiftSettings({ width: 1600, height: 1200 }, 42);
    expect(mixed.firstOctave).toBe(0);
    expect(groupFirstOctave(mixed, { width: 320, height: 240 })).toBe(-1);
    expect(groupFirstOctave(mixed, { width: 1200, height: 1600 })).toBe(0);
    // A rung that upsamples everything still does.
    expect(groupFirstOctave(strongerSift(mixed), { width: 1600, height: 1200 })).toBe(-1);
  });

  it("scales the feature cap with the pixels SIFT sees, within COLMAP's bounds", () => {
    const tiny = chooseSiftSettings({ width: 160, height: 120 }, 40);
    const small = chooseSiftSettings({ width: 320, height: 240 }, 40);
    const mid = chooseSiftSettings({ width: 640, height: 480 }, 40);
    const hd = chooseSiftSettings({ width: 1280, height: 720 }, 40);
    expect(tiny.maxNumFeatures).toBeGreaterThanOrEqual(1024);
    expect(small.maxNumFeatures).toBeGreaterThan(tiny.maxNumFeatures);
    expect(mid.maxNumFeatures).toBeGreaterThan(small.maxNumFeatures);
    expect(hd.maxNumFeatures).toBeLessThanOrEqual(8192);
    // Far more than the 1,024 that left a two-video 320×240 capture mostly unregistered.
    expect(small.maxNumFeatures).toBeGreaterThanOrEqual(4096);
    // Portrait and landscape frames of one size get the same settings.
    expect(chooseSiftSettings({ width: 240, height: 320 }, 40)).toEqual(small);
  });

  it("lowers the cap for long captures, never below the floor", () => {
    const short = chooseSiftSettings({ width: 320, height: 240 }, 100);
    const long = chooseSiftSettings({ width: 320, height: 240 }, 600);
    expect(long.maxNumFeatures).toBeLessThan(short.maxNumFeatures);
    expect(chooseSiftSettings({ width: 320, height: 240 }, 100_000).maxNumFeatures).toBe(1024);
  });

  it("keeps the long side within COLMAP's extraction limit of the frames", () => {
    expect(chooseSiftSettings({ width: 320, height: 240 }, 10).maxImageSize).toBe(1600);
    expect(chooseSiftSettings({ width: 3840, height: 2160 }, 10).maxImageSize).toBe(3840);
  });

  it("a stronger rung doubles the features and upsamples", () => {
    const s = chooseSiftSettings({ width: 1280, height: 720 }, 60);
    expect(strongerSift(s)).toEqual({
      ...s,
      firstOctave: -1,
      maxNumFeatures: 2 * s.maxNumFeatures,
    });
    expect(strongerSift(strongerSift(strongerSift(s))).maxNumFeatures).toBe(16384);
  });

  it("tells settings apart by every option COLMAP is given, and a stronger rung keeps them", () => {
    const s = chooseSiftSettings({ width: 480, height: 360 }, 24);
    expect(sameSift(s, { ...s })).toBe(true);
    expect(sameSift(s, { ...s, peakThreshold: 0.002 })).toBe(false);
    expect(sameSift(s, { ...s, domainSizePooling: true })).toBe(false);
    expect(sameSift(s, { ...s, estimateAffineShape: true })).toBe(false);
    expect(sameSift(s, { ...s, estimateAffineShape: false })).toBe(true);
    const dsp = { ...s, domainSizePooling: true, peakThreshold: 0.004 };
    expect(strongerSift(dsp)).toMatchObject({ domainSizePooling: true, peakThreshold: 0.004 });
  });
});

describe("video pair list", () => {
  it("samples evenly with both ends", () => {
    expect(sampleIndices(30, 4)).toEqual([0, 10, 19, 29]);
    expect(sampleIndices(3, 8)).toEqual([0, 1, 2]);
    expect(sampleIndices(5, 1)).toEqual([0]);
    expect(sampleIndices(0, 4)).toEqual([]);
  });

  it("pairs neighbours within a video, loops, and sampled frames across videos", () => {
    const counts = [20, 12];
    const d = { window: 3, samplesPerVideo: 4 };
    const pairs = videoPairs(counts, d);
    const set = new Set(pairs.map(([a, b]) => `${a}-${b}`));
    expect(set.size).toBe(pairs.length); // unique
    for (const [a, b] of pairs) expect(a).toBeLessThan(b);
    // Neighbours within the first video (0..19) and the second (20..31), none beyond the window
    // unless sampled.
    expect(set.has("0-1") && set.has("0-3") && set.has("20-23")).toBe(true);
    expect(set.has("1-5")).toBe(false);
    // Loops: the sampled first and last frames of a video.
    expect(set.has("0-19")).toBe(true);
    expect(set.has("20-31")).toBe(true);
    // Across videos: sampled frames of each video with every frame of the other.
    const sampledA = sampleIndices(20, 4);
    const sampledB = sampleIndices(12, 4).map((i) => 20 + i);
    for (const a of sampledA) for (let j = 20; j < 32; j++) expect(set.has(`${a}-${j}`)).toBe(true);
    for (const b of sampledB) for (let i = 0; i < 20; i++) expect(set.has(`${i}-${b}`)).toBe(true);
    // An unsampled frame of A meets no unsampled frame of B.
    expect(set.has("1-21")).toBe(false);
    const cross = pairs.filter(([a, b]) => a < 20 && b >= 20).length;
    expect(cross).toBe(4 * 12 + 4 * 20 - 4 * 4);
  });

  it("a single video gets no cross pairs; three videos are all linked", () => {
    const one = videoPairs([50], DEFAULT_DENSITY);
    expect(one.every(([a, b]) => b - a <= DEFAULT_DENSITY.window || a % 1 === 0)).toBe(true);
    const three = videoPairs([30, 30, 30], DEFAULT_DENSITY);
    const video = (i: number) => Math.floor(i / 30);
    const links = new Set(
      three.filter(([a, b]) => video(a) !== video(b)).map(([a, b]) => `${video(a)}${video(b)}`),
    );
    expect([...links].sort()).toEqual(["01", "02", "12"]);
  });

  it("matches exhaustively where that costs little more than the list", () => {
    expect(choosePairPlan([12], DEFAULT_DENSITY)).toEqual({ kind: "exhaustive", pairs: 66 });
    expect(choosePairPlan([16, 16], DEFAULT_DENSITY).kind).toBe("exhaustive");
    const duo = choosePairPlan([30, 30], DEFAULT_DENSITY);
    expect(duo.kind).toBe("video");
    if (duo.kind === "video") expect(duo.pairs.length).toBeLessThan(exhaustivePairCount(60) / 1.25);
    expect(choosePairPlan([150], DEFAULT_DENSITY).kind).toBe("video");
  });

  it("matches exhaustively whenever the pairs are few, whatever the list would save", () => {
    // 12 photos and a 30-frame clip: the list has about half the pairs, exhaustive is cheap.
    const mixed = { counts: [12, 30], unordered: [true, false] };
    expect(capturePairs(mixed, DEFAULT_DENSITY).length).toBeLessThan(
      exhaustivePairCount(42) / 1.25,
    );
    expect(choosePairPlan(mixed, DEFAULT_DENSITY)).toEqual({ kind: "exhaustive", pairs: 861 });
    // One video: exhaustive up to the bound, the list beyond it.
    let n = 2;
    while (exhaustivePairCount(n + 1) <= EXHAUSTIVE_AFFORDABLE_PAIRS) n++;
    expect(choosePairPlan([n], DEFAULT_DENSITY).kind).toBe("exhaustive");
    expect(choosePairPlan([n + 1], DEFAULT_DENSITY).kind).toBe("video");
    // Beyond the bound a capture that is a video list's size keeps its list (courtyard-duo).
    expect(choosePairPlan([30, 30], DEFAULT_DENSITY).kind).toBe("video");
  });
});

describe("escalation ladder", () => {
  const sift = chooseSiftSettings({ width: 320, height: 240 }, 60);
  const kinds = (p: PairChoice) => p.kind;

  it("goes from the chosen settings to a relaxed mapper, more pairs, guided matching, more features, exhaustive", () => {
    const counts = [60, 60];
    const rungs = ladderRungs(counts, sift, "auto");
    expect(rungs.map((r) => r.label)).toEqual([
      "chosen settings",
      "relaxed mapper",
      "more pairs",
      "guided matching",
      "more, upsampled features",
      "exhaustive matching",
    ]);
    // The relaxed mapper reruns on the first attempt's matches.
    expect(rungs[1]!.pairs).toEqual(rungs[0]!.pairs);
    expect(rungs[1]!.relaxed && !rungs[0]!.relaxed).toBe(true);
    rungs.splice(1, 1);
    expect(rungs[0]!.pairs).toEqual({ kind: "video", density: DEFAULT_DENSITY });
    expect(rungs[0]!.guided).toBe(false);
    expect(pairCount(rungs[1]!.pairs, counts)).toBeGreaterThan(pairCount(rungs[0]!.pairs, counts));
    expect(rungs[1]!.sift).toEqual(sift); // reuses the features
    expect(rungs[2]!.guided && rungs[2]!.relaxed).toBe(true);
    expect(rungs[3]!.sift.maxNumFeatures).toBe(2 * sift.maxNumFeatures);
    expect(kinds(rungs[4]!.pairs)).toBe("exhaustive");
  });

  it("leaves out rungs that would repeat an attempt", () => {
    // Two short videos: "more pairs" is already exhaustive, so no exhaustive rung follows.
    const duo = ladderRungs([30, 30], sift, "auto");
    expect(duo.map((r) => r.label)).toEqual([
      "chosen settings",
      "relaxed mapper",
      "more pairs",
      "guided matching",
      "more, upsampled features",
    ]);
    expect(duo[2]!.pairs.kind).toBe("exhaustive");
    // Exhaustive from the start: "more pairs" and the final exhaustive rung add nothing.
    const rungs = ladderRungs([12], sift, "auto");
    expect(rungs.map((r) => r.label)).toEqual([
      "chosen settings",
      "relaxed mapper",
      "guided matching",
      "more, upsampled features",
    ]);
    expect(rungs.every((r) => r.pairs.kind === "exhaustive")).toBe(true);
  });

  it("escalates COLMAP's sequential matcher to the video pair list", () => {
    const rungs = ladderRungs([30, 30], sift, "sequential");
    expect(kinds(rungs[0]!.pairs)).toBe("sequential");
    expect(rungs[2]!.pairs).toEqual({ kind: "video", density: DEFAULT_DENSITY });
    expect(pairCount(rungs[0]!.pairs, [30, 30])).toBe(60 * 10 - 55);
  });
});

describe("pairs for photos", () => {
  it("pairs unordered photos all with all, and each video's sampled frames with every photo", () => {
    const pairs = capturePairs({ counts: [30, 6], unordered: [false, true] }, DEFAULT_DENSITY);
    const keys = new Set(pairs.map(([a, b]) => `${a},${b}`));
    for (let a = 30; a < 36; a++)
      for (let b = a + 1; b < 36; b++) expect(keys.has(`${a},${b}`)).toBe(true);
    for (const f of sampleIndices(30, DEFAULT_DENSITY.samplesPerVideo))
      for (let p = 30; p < 36; p++) expect(keys.has(`${f},${p}`)).toBe(true);
    // The video part is the video pair list itself.
    for (const [a, b] of videoPairs([30], DEFAULT_DENSITY))
      expect(keys.has(`${a},${b}`)).toBe(true);
  });

  it("meets every photo with all of a clip's frames while that at most doubles the video list", () => {
    expect(framesPerPhoto(6, [30], 273, DEFAULT_DENSITY)).toEqual([30]);
    // 12 photos × 30 frames is more than the clip's 273 listed pairs: 22 frames a photo.
    expect(framesPerPhoto(12, [30], 273, DEFAULT_DENSITY)).toEqual([22]);
    // Many photos: never fewer than the density's samples.
    expect(framesPerPhoto(500, [30, 60], 800, DEFAULT_DENSITY)).toEqual([8, 8]);
    expect(framesPerPhoto(0, [30], 273, DEFAULT_DENSITY)).toEqual([0]);

    // In the pair list: each photo with 22 frames spread over the clip, no gap wider than two
    // samples' spacing, and the list at most about twice the videos' own.
    const layout = { counts: [30, 12], unordered: [false, true] };
    const pairs = capturePairs(layout, DEFAULT_DENSITY);
    const clipList = videoPairs([30], DEFAULT_DENSITY).length;
    for (let p = 30; p < 42; p++) {
      const frames = pairs
        .filter(([a, b]) => b === p && a < 30)
        .map(([a]) => a)
        .sort((x, y) => x - y);
      // 22 evenly spread indices of 30, rounded: two may land on one frame.
      expect(frames.length).toBeGreaterThanOrEqual(21);
      expect(frames[0]).toBe(0);
      expect(frames.at(-1)).toBe(29);
      for (let k = 1; k < frames.length; k++)
        expect(frames[k]! - frames[k - 1]!).toBeLessThanOrEqual(2);
    }
    expect(pairs.length).toBeLessThanOrEqual(2 * clipList + exhaustivePairCount(12));

    // A long clip: the photos share the list's budget, far more frames than the 8 samples.
    const long = capturePairs({ counts: [12, 150], unordered: [true, false] }, DEFAULT_DENSITY);
    const listed = videoPairs([150], DEFAULT_DENSITY).length;
    const photoFrame = long.filter(([a, b]) => a < 12 && b >= 12).length;
    expect(photoFrame).toBeGreaterThan(12 * 8 * 10);
    expect(photoFrame).toBeLessThanOrEqual(listed);
  });

  it("pairs located photos with their nearest neighbours and a few long-range ones", () => {
    const n = 100;
    const positions = Array.from({ length: n }, (_, i) => [
      10 * (i % 10),
      10 * Math.floor(i / 10),
      40,
    ]);
    const pairs = capturePairs({ counts: [n], unordered: [true], positions }, DEFAULT_DENSITY);
    expect(pairs.length).toBeLessThan(exhaustivePairCount(n) / 2);
    const keys = new Set(pairs.map(([a, b]) => `${a},${b}`));
    // Every grid neighbour (10 m apart) is paired.
    for (let i = 0; i < n; i++) {
      if (i % 10 < 9) expect(keys.has(`${i},${i + 1}`)).toBe(true);
      if (i + 10 < n) expect(keys.has(`${i},${i + 10}`)).toBe(true);
    }
    expect(
      choosePairPlan({ counts: [n], unordered: [true], positions }, DEFAULT_DENSITY).kind,
    ).toBe("video");
    expect(choosePairPlan({ counts: [n], unordered: [true] }, DEFAULT_DENSITY).kind).toBe(
      "exhaustive",
    );
  });
});
