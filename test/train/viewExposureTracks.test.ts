// The views' exposure read through the SfM tracks: only the points a view observed count, and the
// gains are solved jointly with the points' colours. Two cases the projection of every point got
// wrong: a textureless bright occluder (no points of its own, so the points behind it project onto
// it), and a slow drift along a video whose point colours are means over neighbouring frames.
import { describe, expect, it } from "vitest";
import type { TrainingDataset, TrainingView } from "../../src/train/dataset.js";
import { APPEARANCE_SPREAD_ON } from "../../src/train/appearance.js";
import { estimateViewExposure } from "../../src/train/viewExposure.js";
import { makeRandom, testSeed } from "../seed.js";
import { randomCamera } from "./gpu/randomScene.js";

const [W, H] = [64, 48];
const COUNT = 3000;

interface TrackedScene {
  gains: number[][];
  /** Whether view k observes point i (else the point is hidden from it). */
  sees: (k: number, i: number) => boolean;
  /** Pixels of view k that an occluder covers, and its value there. */
  occluder?: (k: number, px: number) => number | null;
}

/** A scene with tracks; each point's colour is the mean of its observed pixels, as COLMAP keeps. */
function trackedScene(rand: () => number, s: TrackedScene): TrainingDataset {
  const xyz = new Float64Array(COUNT * 3);
  const albedo = new Float64Array(COUNT * 3);
  for (let i = 0; i < COUNT; i++) {
    const z = 2 + 3 * rand();
    xyz.set([(rand() - 0.5) * z * 0.9, (rand() - 0.5) * z * 0.7, z], i * 3);
    for (let c = 0; c < 3; c++) albedo[i * 3 + c] = 0.08 + 0.6 * rand();
  }
  const sums = new Float64Array(COUNT * 3);
  const tracks: number[][] = Array.from({ length: COUNT }, () => []);
  const train: TrainingView[] = s.gains.map((g, k) => {
    const camera = randomCamera(rand, W, H);
    const data = Float32Array.from({ length: W * H * 3 }, () => rand());
    const v = camera.viewmat;
    for (let i = 0; i < COUNT; i++) {
      const [x, y, z] = [xyz[i * 3]!, xyz[i * 3 + 1]!, xyz[i * 3 + 2]!];
      const cz = v[8]! * x + v[9]! * y + v[10]! * z + v[11]!;
      const u = (camera.fx * (v[0]! * x + v[1]! * y + v[2]! * z + v[3]!)) / cz + camera.cx;
      const w = (camera.fy * (v[4]! * x + v[5]! * y + v[6]! * z + v[7]!)) / cz + camera.cy;
      const [px, py] = [Math.floor(u), Math.floor(w)];
      if (px < 0 || py < 0 || px >= W || py >= H || !s.sees(k, i)) continue;
      if (s.occluder?.(k, px) != null) continue; // hidden, so not in the view's track
      tracks[i]!.push(k + 1);
      for (let c = 0; c < 3; c++) {
        const value = Math.min(1, albedo[i * 3 + c]! * g[c]!);
        data[(py * W + px) * 3 + c] = value;
        sums[i * 3 + c] += value;
      }
    }
    for (let py = 0; py < H; py++)
      for (let px = 0; px < W; px++) {
        const value = s.occluder?.(k, px);
        if (value != null) data.fill(value, (py * W + px) * 3, (py * W + px) * 3 + 3);
      }
    return { name: `v${k}`, imageId: k + 1, camera, image: { width: W, height: H, data } };
  });
  const rgb = new Uint8Array(COUNT * 3);
  for (let i = 0; i < COUNT; i++) {
    const n = Math.max(1, tracks[i]!.length);
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.round((255 * sums[i * 3 + c]!) / n);
  }
  return {
    source: "random",
    train,
    eval: [],
    points: {
      count: COUNT,
      xyz,
      rgb,
      trackLength: Uint32Array.from(tracks.map((t) => t.length)),
      trackImageIds: Uint32Array.from(tracks.flat()),
    },
    sceneExtent: 5,
    sceneCenter: [0, 0, 3],
  };
}

/** Each estimate against the true gain relative to the views' geometric mean gain, per channel. */
function expectGains(est: Float64Array, gains: number[][], tolerance: number): void {
  for (let c = 0; c < 3; c++) {
    const mean = Math.exp(gains.reduce((a, g) => a + Math.log(g[c]!), 0) / gains.length);
    gains.forEach((g, k) => {
      const ratio = est[k * 3 + c]! / (g[c]! / mean);
      expect(Math.abs(ratio - 1), `view ${k} channel ${c}: ${ratio}`).toBeLessThan(tolerance);
    });
  }
}

describe("views' exposure through the SfM tracks", () => {
  it("is not fooled by a bright textureless occluder over most of a view", () => {
    const rand = makeRandom(testSeed());
    const gains = Array.from({ length: 8 }, () => {
      const e = 0.75 + 0.5 * rand();
      return [e * (0.95 + 0.1 * rand()), e, e * (0.95 + 0.1 * rand())];
    });
    // A sunlit white wall over the left 60 % of the first two views.
    const occluder = (k: number, px: number) => (k < 2 && px < 0.6 * W ? 0.96 : null);
    const est = estimateViewExposure(trackedScene(rand, { gains, sees: () => true, occluder }));
    expect(est.views).toBe(8);
    expectGains(est.gains, gains, 0.03);

    const fixed = Array.from({ length: 8 }, () => [1, 1, 1]);
    const flat = estimateViewExposure(
      trackedScene(rand, { gains: fixed, sees: () => true, occluder }),
    );
    expect(flat.spread).toBeLessThan(APPEARANCE_SPREAD_ON / 4);
  });

  it("recovers a slow drift along a path whose points are seen by neighbouring views only", () => {
    const rand = makeRandom(testSeed());
    const views = 24;
    const phase = rand() * 2 * Math.PI;
    const gains = Array.from({ length: views }, (_, k) => {
      const e = Math.exp(0.35 * Math.sin((2 * Math.PI * k) / views + phase));
      return [e * (1 + 0.1 * Math.sin(k / 5)), e, e * (1 - 0.1 * Math.sin(k / 5))];
    });
    // Point i is seen by views i mod 24 … i mod 24 + 2: tracks of three neighbours, a chain.
    const sees = (k: number, i: number) => k - (i % views) >= 0 && k - (i % views) <= 2;
    const est = estimateViewExposure(trackedScene(rand, { gains, sees }));
    expect(est.views).toBe(views);
    expectGains(est.gains, gains, 0.03);
  });
});
