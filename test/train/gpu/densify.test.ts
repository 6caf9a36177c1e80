/**
 * Densification on the GPU (src/train/gpu/densify.ts) against the CPU implementation
 * (src/train/densify.ts) on seeded random scenes: the same splats kept, cloned, split and pruned,
 * in the same order, with their Adam moments; split children at the same sampled positions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allocateParams, logit, PARAM_GROUPS } from "../../../src/contracts/gaussians.js";
import { acquireGpu, type GpuContext } from "../../../src/gpu/device.js";
import { densify } from "../../../src/train/densify.js";
import { createGpuTrainingBackend } from "../../../src/train/gpu/index.js";
import type { AdamState, DensifyConfig, DensifyStats } from "../../../src/train/types.js";
import { makeRandom, testSeed } from "../../seed.js";
import { relError } from "./randomScene.js";

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await acquireGpu();
});
afterAll(() => gpu?.destroy());

/** Splats with a spread of sizes, opacities and screen statistics around every threshold. */
function randomScene(rand: () => number, n: number, maxShDegree: number) {
  const p = allocateParams(n, maxShDegree, maxShDegree);
  const fill = (a: Float32Array, f: (i: number) => number) => a.forEach((_, i) => (a[i] = f(i)));
  fill(p.means, () => rand() * 4 - 2);
  fill(p.logScales, () => Math.log(0.002 + rand() * 0.3));
  fill(p.quats, () => rand() * 2 - 1);
  fill(p.opacityLogits, () => logit(0.001 + rand() ** 3 * 0.99)); // some under the prune threshold
  fill(p.sh, () => rand() - 0.5);
  const moments = () => {
    const m = allocateParams(n, maxShDegree);
    for (const g of PARAM_GROUPS) fill(m[g], () => rand() - 0.5);
    return m;
  };
  const adam: AdamState = { step: 17, m: moments(), v: moments() };
  const stats: DensifyStats = {
    gradNormSum: new Float32Array(n),
    visibleCount: new Float32Array(n),
    maxRadius: new Float32Array(n),
  };
  for (let i = 0; i < n; i++) {
    const seen = Math.floor(rand() * 6);
    stats.visibleCount[i] = seen;
    stats.gradNormSum[i] = seen * rand() * 0.0006;
    stats.maxRadius[i] = rand() * 40;
  }
  return { params: p, adam, stats };
}

const BASE: Omit<DensifyConfig, "maxSplats"> = {
  gradThreshold: 0.0002,
  percentDense: 0.01,
  sceneExtent: 5,
  pruneOpacity: 0.005,
};

describe("GPU densification vs the CPU implementation", () => {
  for (const [name, n, extra, degree] of [
    ["every candidate fits the cap", 3000, Infinity, 3],
    ["the cap binds: highest gradients first", 3000, 400, 1],
    ["no room at all: prune only", 500, 0, 0],
  ] as const) {
    it(`${name} (${n} splats)`, async () => {
      const seed = testSeed();
      const rand = makeRandom(seed);
      const scene = randomScene(rand, n, degree);
      const cfg: DensifyConfig = {
        ...BASE,
        maxSplats: Number.isFinite(extra) ? n + extra : 10 * n,
        ...(degree === 1 ? { pruneWorldScale: 0.04, pruneScreenRadiusPx: 30 } : {}),
      };
      const noiseSeed = seed ^ 0x5eed;
      const cpu = densify(scene.params, scene.adam, scene.stats, cfg, noiseSeed);
      const backend = await createGpuTrainingBackend({ gpu });
      try {
        await backend.setParams(scene.params, scene.adam);
        await backend.setDensifyStats(scene.stats);
        const counts = await backend.densify(cfg, noiseSeed);
        expect(counts).toEqual({
          cloned: cpu.cloned,
          split: cpu.split,
          pruned: cpu.pruned,
          count: cpu.count,
        });
        // The cases exercise growth (or, with no room, its absence) and pruning.
        expect(cpu.cloned + cpu.split > 0).toBe(extra > 0);
        expect(cpu.pruned).toBeGreaterThan(0);
        const params = await backend.getParams();
        const adam = await backend.getAdamState();
        // Copied rows are bit-identical; split children differ only by float32 vs float64 math.
        for (const g of ["quats", "opacityLogits", "sh"] as const) {
          expect(Array.from(params[g]), g).toEqual(Array.from(cpu.params[g]));
        }
        expect(relError(params.means, cpu.params.means)).toBeLessThan(1e-5);
        expect(relError(params.logScales, cpu.params.logScales)).toBeLessThan(1e-6);
        for (const g of PARAM_GROUPS) {
          expect(Array.from(adam.m[g]), `m.${g}`).toEqual(Array.from(cpu.adam.m[g]));
          expect(Array.from(adam.v[g]), `v.${g}`).toEqual(Array.from(cpu.adam.v[g]));
        }
        expect(adam.step).toBe(17);
        const stats = await backend.densifyStats();
        expect(stats.visibleCount.length).toBe(cpu.count);
        expect(stats.visibleCount.every((x) => x === 0)).toBe(true);
        gpu.checkHealthy();
      } finally {
        backend.destroy();
      }
    });
  }
});
