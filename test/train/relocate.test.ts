// Relocation of transparent splats (3DGS-MCMC's rule), opacity decay and position noise.
import { describe, expect, it } from "vitest";
import { allocateParams, logit, sigmoid } from "../../src/contracts/gaussians.js";
import {
  addMeanNoise,
  decayOpacities,
  noiseGate,
  relocateDead,
  relocationShares,
} from "../../src/train/relocate.js";
import { zeroAdamState } from "../../src/train/gpu/layout.js";
import { makeRandom, testSeed } from "../seed.js";

describe("relocation", () => {
  it("gives N copies the source's opacity when stacked, and leaves one copy unchanged", () => {
    expect(relocationShares(0.6, 1)).toEqual({ opacity: 0.6, scale: 1 });
    for (const [o, n] of [
      [0.9, 2],
      [0.3, 3],
      [0.99, 7],
    ] as const) {
      const { opacity, scale } = relocationShares(o, n);
      expect(1 - (1 - opacity) ** n).toBeCloseTo(o, 12);
      expect(opacity).toBeLessThan(o);
      expect(scale).toBeGreaterThan(0);
    }
  });

  it("moves every transparent splat onto a live one and keeps the count", () => {
    const rand = makeRandom(testSeed());
    const n = 50;
    const p = allocateParams(n, 0);
    for (let i = 0; i < n; i++) {
      p.means.set([rand(), rand(), rand()], i * 3);
      p.quats.set([1, 0, 0, 0], i * 4);
      p.logScales.set([-3, -3, -3], i * 3);
      p.opacityLogits[i] = logit(i % 5 === 0 ? 0.001 : 0.2 + 0.7 * rand());
    }
    const adam = zeroAdamState(n, 0);
    adam.m.means.fill(1);
    const r = relocateDead(p, adam, 0.005, 9);
    expect(r.relocated).toBe(10);
    expect(r.params.count).toBe(n);
    for (let i = 0; i < n; i++) expect(sigmoid(r.params.opacityLogits[i]!)).toBeGreaterThan(0.005);
    // A relocated splat sits on a live one, with zero moments; untouched ones keep theirs.
    const dead = 0;
    const at = [0, 1, 2].map((k) => r.params.means[dead * 3 + k]);
    const twins = [];
    for (let j = 0; j < n; j++) {
      if (j !== dead && [0, 1, 2].every((k) => r.params.means[j * 3 + k] === at[k])) twins.push(j);
    }
    expect(twins.length).toBeGreaterThanOrEqual(1);
    expect(r.adam.m.means[dead * 3]).toBe(0);
    expect(relocateDead(p, adam, 0.005, 9).params.means).toEqual(r.params.means);
  });

  it("decays opacities and moves only transparent splats' means with noise", () => {
    const p = allocateParams(2, 0);
    p.quats.set([1, 0, 0, 0, 1, 0, 0, 0]);
    p.logScales.fill(Math.log(0.1));
    p.opacityLogits.set([logit(0.9), logit(0.001)]);
    decayOpacities(p, 0.1);
    expect(sigmoid(p.opacityLogits[0]!)).toBeCloseTo(0.81, 6);
    expect(noiseGate(0.9)).toBeLessThan(1e-30);
    expect(noiseGate(0.0009)).toBeGreaterThan(0.5);
    const before = p.means.slice();
    addMeanNoise(p, 1, 2, 100);
    expect(Array.from(p.means.subarray(0, 3))).toEqual(Array.from(before.subarray(0, 3)));
    expect(Array.from(p.means.subarray(3, 6))).not.toEqual(Array.from(before.subarray(3, 6)));
  });
});
