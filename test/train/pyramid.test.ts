// Coarse-to-fine training's pyramid: how many levels a resolution gets, which level each step
// trains at, the 2×2 box-averaged images and their exactly scaled cameras.
import { describe, expect, it } from "vitest";
import {
  COARSE_SHARE,
  buildPyramid,
  coarseLevels,
  describeSchedule,
  halveImage,
  levelAt,
  levelShares,
} from "../../src/train/pyramid.js";
import type { Camera } from "../../src/train/types.js";
import { makeRandom, testSeed } from "../seed.js";

describe("coarse-to-fine pyramid", () => {
  it("uses levels of at least 80 px, at most two below the final resolution", () => {
    expect([96, 159, 160, 319, 320, 640, 1600].map(coarseLevels)).toEqual([0, 0, 1, 1, 2, 2, 2]);
    for (const levels of [0, 1, 2]) {
      const shares = levelShares(levels);
      expect(shares).toHaveLength(levels + 1);
      expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
  });

  it("trains coarsest first, then each finer level, the final resolution from 40 % on", () => {
    const total = 1000;
    const levels = Array.from({ length: total }, (_, s) => levelAt(s, total, 2));
    expect(levels[0]).toBe(2);
    expect(levels.filter((l) => l === 2)).toHaveLength(200);
    expect(levels.filter((l) => l === 1)).toHaveLength(200);
    expect(levels.indexOf(0)).toBe(COARSE_SHARE * total);
    // Never back to a coarser level.
    for (let s = 1; s < total; s++) expect(levels[s]!).toBeLessThanOrEqual(levels[s - 1]!);
    expect(describeSchedule(total, 320, 2)).toBe(
      "steps 1–200 at 80 px, 201–400 at 160 px, 401–1000 at 320 px",
    );
    expect(levelAt(5, total, 0)).toBe(0);
    // A larger coarse share (the plan's choice) moves the final resolution later.
    const late = Array.from({ length: total }, (_, s) => levelAt(s, total, 2, 0.8));
    expect(late.indexOf(0)).toBe(800);
    expect(late.filter((l) => l === 2)).toHaveLength(400);
    expect(describeSchedule(total, 320, 1, 0.8)).toBe("steps 1–800 at 160 px, 801–1000 at 320 px");
  });

  it("halves images by 2×2 averages and scales cameras so every point lands on the same spot", () => {
    const rand = makeRandom(testSeed());
    const [w, h] = [9, 6];
    const data = Float32Array.from({ length: w * h * 3 }, () => rand());
    const half = halveImage({ width: w, height: h, data });
    expect([half.width, half.height]).toEqual([4, 3]);
    const at = (x: number, y: number, c: number) => data[(y * w + x) * 3 + c]!;
    const expected = (at(2, 2, 1) + at(3, 2, 1) + at(2, 3, 1) + at(3, 3, 1)) / 4;
    expect(half.data[(1 * 4 + 1) * 3 + 1]).toBeCloseTo(expected, 6);

    const camera: Camera = {
      ...{ width: w, height: h, fx: 7.3, fy: 6.9, cx: 4.4, cy: 3.1 },
      viewmat: [1, 0, 0, 0.1, 0, 1, 0, -0.2, 0, 0, 1, 0.3, 0, 0, 0, 1],
    };
    const [fine, coarse] = buildPyramid(
      [{ name: "a", camera, image: { width: w, height: h, data } }],
      1,
    );
    const project = (c: Camera, p: number[]) => {
      const m = c.viewmat;
      const z = p[2]! + m[11]!;
      return [(c.fx * (p[0]! + m[3]!)) / z + c.cx, (c.fy * (p[1]! + m[7]!)) / z + c.cy];
    };
    const p = [0.3, -0.1, 2];
    const [u, v] = project(fine![0]!.camera, p);
    const [u2, v2] = project(coarse![0]!.camera, p);
    // A coarse pixel's centre (x' + ½) is the centre of the fine pixels 2x' and 2x' + 1.
    expect(u2).toBeCloseTo(u! / 2, 12);
    expect(v2).toBeCloseTo(v! / 2, 12);
    expect(coarse![0]!.image).toEqual(half);
  });
});
