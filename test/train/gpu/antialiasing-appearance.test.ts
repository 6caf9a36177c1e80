// The GPU kernels of anti-aliasing (3D smoothing filter, 2D opacity compensation) and of the
// per-image appearance transform, against the CPU float64 reference on random tiny scenes:
// images, loss, every gradient, and the appearance transform's Adam step.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquireGpu, type GpuContext } from "../../../src/gpu/device.js";
import { createGpuTrainingBackend, gradientsGpu, renderGpu } from "../../../src/train/gpu/index.js";
import { addMeanNoise } from "../../../src/train/relocate.js";
import { initialAppearance } from "../../../src/train/appearance.js";
import {
  APPEARANCE_MASKS,
  appearanceAdamStep,
  applyAppearance,
  identityAppearance,
  lossAndGradReference,
  renderReference,
} from "../../../src/train/reference/index.js";
import { makeRandom, testSeed } from "../../seed.js";
import { randomCamera, randomImage, randomParams, relError } from "./randomScene.js";
import { drawComparable } from "./thresholdMargins.js";

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await acquireGpu();
});
afterAll(() => gpu?.destroy());

const GROUPS = ["means", "logScales", "quats", "opacityLogits", "sh"] as const;

/** Filter variances from a tenth to twice each splat's first squared scale. */
function randomFilter(rand: () => number, logScales: Float32Array, count: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => {
    const s2 = Math.exp(2 * logScales[i * 3]!);
    return s2 * (0.1 + 2 * rand());
  });
}

describe("anti-aliasing on the GPU vs the reference", () => {
  for (const [count, degree, w, h] of [
    [24, 1, 40, 30],
    [64, 3, 48, 36],
  ] as const) {
    it(`image, loss and gradients: ${count} splats, SH ${degree}, ${w}×${h}`, async () => {
      const rand = makeRandom(testSeed());
      const scene = drawComparable(() => {
        const params = randomParams(rand, count, 3, degree);
        const filter3d = randomFilter(rand, params.logScales, count);
        return {
          camera: randomCamera(rand, w, h),
          params,
          options: { filter3d, antialiased: true },
        };
      });
      const { camera: cam, params: p } = scene;
      const filter3d = scene.options.filter3d;
      const target = randomImage(rand, w, h);
      const antiAliasing = { filter3d, antialiased: true };
      const img = await renderGpu(gpu, p, cam, undefined, { antiAliasing });
      const refImage = renderReference(p, cam, { filter3d, antialiased: true });
      expect(relError(img.data, refImage.image)).toBeLessThan(1e-4);
      // The filters must change the picture, or this test would prove nothing.
      expect(relError(img.data, renderReference(p, cam).image)).toBeGreaterThan(1e-2);

      const g = await gradientsGpu(gpu, p, cam, target, undefined, { antiAliasing });
      const r = lossAndGradReference(p, cam, target, { filter3d, antialiased: true });
      expect(Math.abs(g.loss - r.loss) / r.loss).toBeLessThan(1e-4);
      for (const k of GROUPS) expect(relError(g.grads[k], r.grads[k]), k).toBeLessThan(1e-3);
      gpu.checkHealthy();
    });
  }

  it("2D compensation alone, without the 3D filter", async () => {
    const rand = makeRandom(testSeed());
    const { camera: cam, params: p } = drawComparable(() => ({
      camera: randomCamera(rand, 32, 24),
      params: randomParams(rand, 30, 1),
      options: { antialiased: true },
    }));
    const target = randomImage(rand, 32, 24);
    const antiAliasing = { filter3d: null, antialiased: true };
    const g = await gradientsGpu(gpu, p, cam, target, undefined, { antiAliasing });
    const r = lossAndGradReference(p, cam, target, { antialiased: true });
    for (const k of GROUPS) expect(relError(g.grads[k], r.grads[k]), k).toBeLessThan(1e-3);
  });
});

describe("per-image appearance on the GPU vs the reference", () => {
  for (const model of ["affine", "gain"] as const) {
    it(`${model}: loss, gradients through the transform, the view's Adam step towards its prior and the recentring`, async () => {
      const rand = makeRandom(testSeed());
      const [w, h] = [40, 30];
      const { camera: cam, params: p } = drawComparable(() => ({
        camera: randomCamera(rand, w, h),
        params: randomParams(rand, 40, 2),
      }));
      const target = randomImage(rand, w, h);
      // Three views; the step learns view 1's transform from a perturbed identity, after 4 steps.
      const state = initialAppearance(3);
      for (let j = 0; j < state.theta.length; j++) state.theta[j]! += (rand() - 0.5) * 0.3;
      for (let j = 0; j < state.moments.length; j++) state.moments[j] = rand() * 1e-3;
      state.steps.fill(4);
      // View 1 over-exposed, so part of its values clip (no gradient there), and an offset that
      // pushes some below 0.
      for (const j of [0, 4, 8]) state.theta[12 + j]! += 0.5;
      state.theta[12 + 9] = -0.1;
      const mask = APPEARANCE_MASKS[model];
      // The regulariser pulls towards a prior away from the identity (an estimated exposure),
      // strongly enough that ignoring it would move θ elsewhere.
      const prior = Float64Array.from(identityAppearance(), (v) => v + (rand() - 0.5) * 0.8);
      const step = { index: 1, lr: 0.01, weight: 1, mask, prior };
      const before = state.theta.slice(12, 24);
      const g = await gradientsGpu(gpu, p, cam, target, undefined, {
        appearance: { state, step },
      });
      const r = lossAndGradReference(p, cam, target, { appearance: before });
      const shown = applyAppearance(renderReference(p, cam).image, before);
      const clipped = shown.filter((v) => v === 0 || v === 1).length;
      expect(clipped, "clipped values").toBeGreaterThan(shown.length / 50);
      expect(clipped, "clipped values").toBeLessThan(shown.length * 0.8);
      expect(Math.abs(g.loss - r.loss) / r.loss).toBeLessThan(1e-4);
      expect(relError(g.dImage, r.dImage)).toBeLessThan(1e-3);
      for (const k of GROUPS) expect(relError(g.grads[k], r.grads[k]), k).toBeLessThan(1e-3);
      const expected = {
        theta: Float64Array.from(state.theta),
        moments: Float64Array.from(state.moments),
        steps: Float64Array.from(state.steps),
      };
      const towardsIdentity = {
        theta: Float64Array.from(state.theta),
        moments: Float64Array.from(state.moments),
        steps: Float64Array.from(state.steps),
      };
      appearanceAdamStep(expected, 1, r.dAppearance!, step.lr, step.weight, mask, prior);
      appearanceAdamStep(towardsIdentity, 1, r.dAppearance!, step.lr, step.weight, mask);
      expect(relError(towardsIdentity.theta, expected.theta)).toBeGreaterThan(1e-4);
      const got = g.appearance!;
      expect(Array.from(got.steps)).toEqual([4, 5, 4]);
      // Every view shifted by the recentring, the stepped one also by the reference's Adam step.
      expect(relError(got.theta, expected.theta)).toBeLessThan(1e-5);
      expect(relError(got.moments, expected.moments)).toBeLessThan(1e-3);
      expect(relError(got.theta.subarray(12, 24), before)).toBeGreaterThan(1e-4);
      const id = identityAppearance();
      for (let j = 0; j < 12; j++) {
        const views = [got.theta[j]!, got.theta[12 + j]!, got.theta[24 + j]!];
        // Gains (the diagonal) to a geometric mean of 1, the other entries to the identity's.
        const mean =
          id[j] === 1
            ? Math.exp(views.reduce((s, v) => s + Math.log(v), 0) / 3)
            : views.reduce((s, v) => s + v, 0) / 3;
        expect(Math.abs(mean - id[j]!), `mean of θ[${j}]`).toBeLessThan(1e-5);
        // Entries the model does not learn keep their moments and move with the others only.
        if (((mask >> j) & 1) === 0) {
          expect(got.moments[24 + j]).toBe(state.moments[24 + j]);
          const shift0 = got.theta[j]! - state.theta[j]!;
          expect(Math.abs(got.theta[12 + j]! - state.theta[12 + j]! - shift0)).toBeLessThan(1e-6);
        }
      }
    });
  }
});

describe("position noise on the GPU vs the reference", () => {
  it("moves the same splats by the same amounts", async () => {
    const rand = makeRandom(testSeed());
    const p = randomParams(rand, 300, 1);
    // A third of the splats nearly transparent: those move, the rest stay.
    for (let i = 0; i < p.count; i += 3) p.opacityLogits[i] = -7 - rand() * 3;
    const backend = await createGpuTrainingBackend({ gpu });
    try {
      await backend.setParams(p);
      await backend.addMeanNoise({ seed: 11, step: 42, scale: 50 });
      const got = await backend.getParams();
      const expected = { ...p, means: Float32Array.from(p.means) };
      addMeanNoise(expected, 11, 42, 50);
      expect(relError(got.means, expected.means)).toBeLessThan(1e-5);
      expect(relError(got.means, p.means)).toBeGreaterThan(1e-4);
    } finally {
      backend.destroy();
    }
  });
});
