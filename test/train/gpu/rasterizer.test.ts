import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { makeRandom, testSeed } from "../../seed.js";
import { acquireGpu, type GpuContext } from "../../../src/gpu/device.js";
import {
  chooseRasterKernel,
  createGpuTrainingBackend,
  gradientsGpu,
  renderGpu,
  supportsSubgroupLayout,
  type RasterKernel,
} from "../../../src/train/gpu/index.js";
import {
  adamStepReference,
  lossAndGradReference,
  lossReference,
  renderReference,
} from "../../../src/train/reference/index.js";
import { randomCamera, randomImage, randomParams, relError } from "./randomScene.js";
import { drawComparable, thresholdMargins } from "./thresholdMargins.js";

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await acquireGpu();
});
afterAll(() => gpu?.destroy());

const GROUPS = ["means", "logScales", "quats", "opacityLogits", "sh"] as const;

/**
 * Skips the test where this adapter cannot run `kernel` (declared in test/declared-skips.json);
 * where it cannot run the subgroup layout it must never choose it either (checked here).
 */
function skipUnlessRuns(kernel: RasterKernel, ctx: TestContext): void {
  if (kernel === "tile" || supportsSubgroupLayout(gpu)) return;
  expect(chooseRasterKernel(gpu)).toBe("tile");
  ctx.skip(
    "the subgroup layout needs subgroups of one fixed size dividing 256; this adapter has none",
  );
}

describe.each(["tile", "subgroup"] as const)(
  "GPU rasterizer (%s layout) vs the CPU float64 reference",
  (kernel) => {
    for (const [count, degree, w, h] of [
      [1, 0, 17, 13],
      [24, 1, 40, 30],
      [64, 3, 48, 36],
      // More than 256 list entries in a tile: the tile layout's batches.
      [300, 2, 35, 21],
    ] as const) {
      it(`forward image: ${count} splats, SH degree ${degree}, ${w}×${h}`, async (ctx) => {
        skipUnlessRuns(kernel, ctx);
        const rand = makeRandom(testSeed());
        const { camera: cam, params: p } = drawComparable(() => ({
          camera: randomCamera(rand, w, h),
          params: randomParams(rand, count, 3, degree),
        }));
        const img = await renderGpu(gpu, p, cam, kernel);
        const ref = renderReference(p, cam);
        const err = relError(img.data, ref.image);
        expect(err).toBeLessThan(1e-4);
        gpu.checkHealthy();
      });

      it(`loss and gradients: ${count} splats, SH degree ${degree}, ${w}×${h}`, async (ctx) => {
        skipUnlessRuns(kernel, ctx);
        const rand = makeRandom(testSeed());
        const { camera: cam, params: p } = drawComparable(() => ({
          camera: randomCamera(rand, w, h),
          params: randomParams(rand, count, 3, degree),
        }));
        const target = randomImage(rand, w, h);
        const g = await gradientsGpu(gpu, p, cam, target, kernel);
        const r = lossAndGradReference(p, cam, target);
        expect(Math.abs(g.loss - r.loss) / r.loss).toBeLessThan(1e-4);
        expect(relError(g.image, r.image)).toBeLessThan(1e-4);
        for (const k of GROUPS) expect(relError(g.grads[k], r.grads[k]), k).toBeLessThan(1e-3);
        expect(relError(g.mean2dGrad, r.mean2dGrad)).toBeLessThan(1e-3);
        // Densification statistics: NDC-scaled gradient norm of visible splats.
        for (let i = 0; i < count; i++) {
          const ref = Math.hypot(r.mean2dGradNdc[2 * i]!, r.mean2dGradNdc[2 * i + 1]!);
          expect(Math.abs(g.densify.gradNormSum[i]! - ref)).toBeLessThanOrEqual(1e-3 * ref + 1e-9);
        }
      });
    }

    it("a fragment at alphaMin is recognised as a decision float32 may flip (seed 1737446296)", async (ctx) => {
      skipUnlessRuns(kernel, ctx);
      // This scene's splat 93 reaches alpha 0.0039215589 at pixel (7, 14), 2.5e-6 under alphaMin
      // in float64; the GPU's float32 keeps the fragment and the pixel moves by 0.0017.
      const rand = makeRandom(1737446296);
      const cam = randomCamera(rand, 35, 21);
      const p = randomParams(rand, 300, 3, 2);
      const ref = renderReference(p, cam);
      expect(thresholdMargins(ref.projected, cam)).toContain(
        "pixel 7,14: splat 93 alpha at alphaMin",
      );
      const img = await renderGpu(gpu, p, cam, kernel);
      expect(relError(img.data, ref.image)).toBeGreaterThan(1e-3);
    });

    it("loss forward/backward alone matches the reference on random images", async () => {
      const rand = makeRandom(testSeed());
      const w = 37;
      const h = 23;
      const cam = randomCamera(rand, w, h);
      // No splats: the rendered image is the background, so this isolates the loss kernels.
      const p = randomParams(rand, 0, 0);
      const target = randomImage(rand, w, h);
      const g = await gradientsGpu(gpu, p, cam, target, kernel);
      const r = lossReference(new Float64Array(w * h * 3), target.data, w, h);
      expect(Math.abs(g.loss - r.loss) / r.loss).toBeLessThan(1e-5);
      expect(Number.isFinite(g.loss)).toBe(true);
    });

    it("Adam step matches the reference (per-group learning rates)", async () => {
      const rand = makeRandom(testSeed());
      const cam = randomCamera(rand, 32, 24);
      const p = randomParams(rand, 30, 2, 2);
      const target = randomImage(rand, 32, 24);
      const lr = {
        means: 1e-3,
        logScales: 5e-3,
        quats: 1e-3,
        opacityLogits: 5e-2,
        shDC: 2.5e-3,
        shRest: 1.25e-4,
      };
      const backend = await createGpuTrainingBackend({ gpu, rasterKernel: kernel });
      try {
        await backend.setParams(p);
        await backend.setTargets([target]);
        const expected = {
          ...p,
          means: Float64Array.from(p.means),
          logScales: Float64Array.from(p.logScales),
          quats: Float64Array.from(p.quats),
          opacityLogits: Float64Array.from(p.opacityLogits),
          sh: Float64Array.from(p.sh),
        };
        const zeros = () =>
          Object.fromEntries(GROUPS.map((k) => [k, new Float64Array(p[k].length)]));
        const m = zeros() as never;
        const v = zeros() as never;
        let step = 0;
        for (let s = 0; s < 3; s++) {
          // Gradients at the GPU's current parameters, then the reference update from them.
          await backend.step({ camera: cam, targetIndex: 0, lr, shDegree: 2 });
          const { grads } = await backend.lastGradients();
          step = adamStepReference(expected, grads, m, v, step, lr);
          const got = await backend.getParams();
          for (const k of GROUPS) expect(relError(got[k], expected[k]), k).toBeLessThan(1e-5);
          for (const k of GROUPS) expected[k].set(got[k]); // continue from the GPU's float32 state
        }
        const adam = await backend.getAdamState();
        expect(adam.step).toBe(3);
        for (const k of GROUPS)
          expect(relError(adam.m[k], (m as Record<string, Float64Array>)[k]!), k).toBeLessThan(
            1e-4,
          );
      } finally {
        backend.destroy();
      }
    });

    it("a few training steps lower the loss", async () => {
      const rand = makeRandom(testSeed());
      const cam = randomCamera(rand, 32, 32);
      const truth = randomParams(rand, 20, 0, 0);
      const target = await renderGpu(gpu, truth, cam);
      const start = randomParams(rand, 20, 0, 0);
      const backend = await createGpuTrainingBackend({ gpu, rasterKernel: kernel });
      try {
        await backend.setParams(start);
        await backend.setTargets([target]);
        const lr = {
          means: 2e-3,
          logScales: 5e-3,
          quats: 1e-3,
          opacityLogits: 5e-2,
          shDC: 2.5e-2,
          shRest: 1e-3,
        };
        const first = await backend.step({
          camera: cam,
          targetIndex: 0,
          lr,
          shDegree: 0,
          readLoss: true,
        });
        let last = first;
        for (let s = 0; s < 60; s++) {
          last = await backend.step({
            camera: cam,
            targetIndex: 0,
            lr,
            shDegree: 0,
            readLoss: true,
          });
        }
        expect(Number.isFinite(last.loss)).toBe(true);
        expect(last.loss!).toBeLessThan(first.loss! * 0.8);
      } finally {
        backend.destroy();
      }
    });
  },
);
