import {
  SH_C0,
  type GaussianParams,
  allocateParams,
  logit,
  sigmoid,
} from "../../src/contracts/gaussians.js";
import { describe, expect, it } from "vitest";
import { testSeed } from "../seed.js";
import { densify, gatherSplats } from "../../src/train/densify.js";
import { initFromPoints } from "../../src/train/init.js";
import { meanSquaredKnnDistance } from "../../src/train/knn.js";
import { createRng } from "../../src/train/rng.js";
import { type AdamState, type DensifyStats } from "../../src/train/types.js";

function bruteKnn(xyz: Float64Array, n: number, k: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d: number[] = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let a = 0; a < 3; a++) s += (xyz[i * 3 + a]! - xyz[j * 3 + a]!) ** 2;
      d.push(s);
    }
    d.sort((a, b) => a - b);
    out[i] = d.slice(0, k).reduce((a, b) => a + b, 0) / Math.min(k, d.length);
  }
  return out;
}

function zeroAdam(p: GaussianParams): AdamState {
  const z = () => allocateParams(p.count, p.maxShDegree);
  const pick = (q: GaussianParams) => ({
    means: q.means,
    logScales: q.logScales,
    quats: q.quats,
    opacityLogits: q.opacityLogits,
    sh: q.sh,
  });
  return { step: 7, m: pick(z()), v: pick(z()) };
}

function stats(n: number, grads: number[], radius = 1): DensifyStats {
  return {
    gradNormSum: Float32Array.from(grads),
    visibleCount: new Float32Array(n).fill(1),
    maxRadius: new Float32Array(n).fill(radius),
  };
}

describe("kNN initialisation", () => {
  it("kd-tree mean squared 3-NN distance equals brute force on random clouds with duplicates", () => {
    const rng = createRng(testSeed());
    for (const n of [2, 3, 17, 400]) {
      const xyz = new Float64Array(n * 3).map(() => rng.next() * 10 - 5);
      if (n > 3) xyz.set(xyz.subarray(0, 3), 3); // a duplicate point
      const got = meanSquaredKnnDistance(xyz, n, 3);
      const want = bruteKnn(xyz, n, 3);
      for (let i = 0; i < n; i++) expect(got[i]).toBeCloseTo(want[i]!, 9);
    }
  });

  it("sets log-scales from neighbour distances, colour DC, identity rotation and opacity 0.1", () => {
    // Points on a unit grid line: each inner point's 3 NN are at distances 1, 1, 2.
    const n = 6;
    const xyz = new Float64Array(n * 3);
    for (let i = 0; i < n; i++) xyz[i * 3] = i;
    const rgb = new Uint8Array(n * 3).fill(255);
    rgb[0] = 0;
    const p = initFromPoints(xyz, rgb, n, 3, 100, createRng(1));
    expect(p.count).toBe(n);
    expect(p.sh.length).toBe(n * 16 * 3);
    expect(Math.exp(p.logScales[2 * 3]!)).toBeCloseTo(Math.sqrt((1 + 1 + 4) / 3), 5);
    expect(p.quats.slice(0, 4)).toEqual(new Float32Array([1, 0, 0, 0]));
    expect(sigmoid(p.opacityLogits[3]!)).toBeCloseTo(0.1, 6);
    expect(p.sh[0]).toBeCloseTo(-0.5 / SH_C0, 5);
    expect(p.sh[1]).toBeCloseTo(0.5 / SH_C0, 5);
    expect(p.sh[3]).toBe(0); // first f_rest coefficient
  });

  it("caps the number of initial splats at maxCount", () => {
    const n = 50;
    const xyz = new Float64Array(n * 3).map((_, i) => i);
    const p = initFromPoints(xyz, new Uint8Array(n * 3), n, 0, 20, createRng(3));
    expect(p.count).toBe(20);
  });
});

describe("densification", () => {
  function threeSplats(): GaussianParams {
    const p = allocateParams(3, 1);
    p.means.set([0, 0, 0, 1, 0, 0, 2, 0, 0]);
    // splat 0 small (0.005), splat 1 large (0.5), splat 2 small but transparent
    p.logScales.set([
      ...Array(3).fill(Math.log(0.005)),
      ...Array(3).fill(Math.log(0.5)),
      ...Array(3).fill(Math.log(0.005)),
    ]);
    p.quats.set([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]);
    p.opacityLogits.set([logit(0.5), logit(0.5), logit(0.001)]);
    for (let i = 0; i < p.sh.length; i++) p.sh[i] = i;
    return p;
  }
  const cfg = {
    gradThreshold: 0.0002,
    percentDense: 0.01,
    sceneExtent: 1,
    pruneOpacity: 0.005,
    maxSplats: 100,
  };

  it("clones small, splits large into 2 with scale/1.6, prunes transparent; moments kept for survivors only", () => {
    const p = threeSplats();
    const adam = zeroAdam(p);
    adam.m.means.fill(9);
    const r = densify(p, adam, stats(3, [0.001, 0.001, 0]), cfg, 5);
    expect([r.cloned, r.split, r.pruned]).toEqual([1, 1, 1]);
    // survivors: splat 0, then the 2 children of splat 1, then the clone of splat 0
    expect(r.params.count).toBe(4);
    expect(r.params.means.slice(0, 3)).toEqual(new Float32Array([0, 0, 0]));
    expect(r.params.means.slice(9, 12)).toEqual(new Float32Array([0, 0, 0]));
    for (const row of [1, 2]) {
      expect(r.params.logScales[row * 3]).toBeCloseTo(Math.log(0.5 / 1.6), 5);
      const d = Math.hypot(
        r.params.means[row * 3]! - 1,
        r.params.means[row * 3 + 1]!,
        r.params.means[row * 3 + 2]!,
      );
      expect(d).toBeGreaterThan(0);
      expect(d).toBeLessThan(0.5 * 6); // a sample within 6σ
      expect(r.params.sh.slice(row * 12, row * 12 + 12)).toEqual(p.sh.slice(12, 24));
    }
    expect(Array.from(r.adam.m.means.slice(0, 3))).toEqual([9, 9, 9]);
    expect(Array.from(r.adam.m.means.slice(3))).toEqual(new Array(9).fill(0));
    expect(r.adam.step).toBe(7);
    // inputs untouched
    expect(p.count).toBe(3);
  });

  it("below the gradient threshold nothing grows; only pruning happens", () => {
    const p = threeSplats();
    const r = densify(p, zeroAdam(p), stats(3, [0.0001, 0.0001, 0.0001]), cfg, 5);
    expect(r.params.count).toBe(2);
    expect([r.cloned, r.split, r.pruned]).toEqual([0, 0, 1]);
  });

  it("uses the average over views, respects maxSplats (highest gradient first)", () => {
    const p = threeSplats();
    const s = stats(3, [0.001, 0.004, 0]);
    s.visibleCount.set([10, 1, 1]); // splat 0 average 0.0001 → no growth
    let r = densify(p, zeroAdam(p), s, cfg, 5);
    expect([r.cloned, r.split]).toEqual([0, 1]);
    r = densify(p, zeroAdam(p), stats(3, [0.001, 0.004, 0]), { ...cfg, maxSplats: 4 }, 5);
    // budget 1: the split (+1) has the higher gradient and takes it; the clone is skipped
    expect([r.cloned, r.split]).toEqual([0, 1]);
  });

  it("prunes splats oversized in world or screen space when asked", () => {
    const p = threeSplats();
    let r = densify(p, zeroAdam(p), stats(3, [0, 0, 0]), { ...cfg, pruneWorldScale: 0.1 }, 1);
    expect(r.params.count).toBe(1); // large one and transparent one gone
    const s = stats(3, [0, 0, 0]);
    s.maxRadius.set([50, 1, 1]);
    r = densify(p, zeroAdam(p), s, { ...cfg, pruneScreenRadiusPx: 20 }, 1);
    expect(Array.from(r.params.means.filter((_, i) => i % 3 === 0))).toEqual([1]);
  });

  it("gatherSplats copies rows and moments by source", () => {
    const p = threeSplats();
    const a = zeroAdam(p);
    a.v.quats.set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const g = gatherSplats(p, a, [2, 2, 0], [1, 0, 1]);
    expect(Array.from(g.adam.v.quats)).toEqual([9, 10, 11, 12, 0, 0, 0, 0, 1, 2, 3, 4]);
    expect(g.params.opacityLogits[0]).toBe(p.opacityLogits[2]);
  });
});
