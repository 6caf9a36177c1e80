/**
 * Forward checks of the reference against independent computations: the analytic EWA covariance
 * of axis-aligned Gaussians, a Monte-Carlo projection of a rotated one, two-splat compositing by
 * hand, SSIM identities, the mean2D gradient, and Adam against its closed form.
 */
import { SH_C0, type GaussianParams } from "../../../src/contracts/gaussians.js";
import { describe, expect, test } from "vitest";
import {
  adamStepReference,
  lossReference,
  projectSplat,
  rasterizeBackward,
  rasterizeForward,
  renderReference,
  ssimReference,
} from "../../../src/train/reference/index.js";
import { quatToMat } from "../../../src/train/reference/math.js";
import { RASTER, type Camera } from "../../../src/train/types.js";
import { makeRandom, testSeed } from "../../seed.js";
import { randomScene } from "./randomScene.js";

const IDENTITY = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];

function oneSplat(
  mean: number[],
  scales: number[],
  quat: number[] = [1, 0, 0, 0],
  opacityLogit = 0,
  dc: number[] = [0, 0, 0],
): GaussianParams<Float64Array> {
  return {
    count: 1,
    shDegree: 0,
    maxShDegree: 0,
    means: Float64Array.from(mean),
    logScales: Float64Array.from(scales.map(Math.log)),
    quats: Float64Array.from(quat),
    opacityLogits: Float64Array.from([opacityLogit]),
    sh: Float64Array.from(dc),
  };
}

const camera: Camera = { width: 64, height: 48, fx: 50, fy: 55, cx: 32, cy: 24, viewmat: IDENTITY };

describe("projection", () => {
  test("axis-aligned Gaussian on the axis: Σ' = diag(fx² sx²/z², fy² sy²/z²) + 0.3", () => {
    const ps = projectSplat(oneSplat([0, 0, 4], [0.1, 0.2, 0.3]), 0, camera)!;
    expect(ps.mean2d).toEqual([32, 24]);
    expect(ps.depth).toBe(4);
    expect(ps.cov2d[0]).toBeCloseTo((50 * 50 * 0.01) / 16 + 0.3, 12);
    expect(ps.cov2d[1]).toBeCloseTo(0, 12);
    expect(ps.cov2d[2]).toBeCloseTo((55 * 55 * 0.04) / 16 + 0.3, 12);
    const [a, , c] = ps.cov2d;
    expect(ps.conic[0]).toBeCloseTo(1 / a, 12);
    expect(ps.conic[2]).toBeCloseTo(1 / c, 12);
    expect(ps.radius).toBe(Math.ceil(3 * Math.sqrt(Math.max(a, c))));
  });

  test("a faint splat's rectangle stops where its alpha falls below alphaMin; fainter still, it is culled", () => {
    const logit = (p: number) => Math.log(p / (1 - p));
    const at = (opacity: number) =>
      projectSplat(oneSplat([0.1, 0, 4], [0.4, 0.3, 0.1], [1, 0, 0, 0], logit(opacity)), 0, camera);
    const opaque = at(0.9)!;
    const [a, b, c] = opaque.cov2d;
    const mid = (a + c) / 2;
    const sigmaMax = Math.sqrt(mid + Math.sqrt(mid * mid - (a * c - b * b)));
    expect(opaque.radius).toBe(Math.ceil(3 * sigmaMax));
    const faint = at(0.02)!;
    // opacity·exp(−k²/2) = 1/255 at k ≈ 1.8σ.
    expect(faint.radius).toBe(Math.ceil(Math.sqrt(2 * Math.log(0.02 * 255)) * sigmaMax));
    expect(faint.radius).toBeLessThan(opaque.radius - 4);
    // Every pixel the shorter rectangle leaves out would have been skipped (alpha < alphaMin).
    const [A, B, C] = faint.conic;
    let outside = 0;
    for (let py = 0; py < camera.height; py++) {
      for (let px = 0; px < camera.width; px++) {
        const [dx, dy] = [faint.mean2d[0] - px - 0.5, faint.mean2d[1] - py - 0.5];
        if (Math.max(Math.abs(dx), Math.abs(dy)) <= faint.radius) continue;
        outside++;
        const alpha = faint.opacity * Math.exp(-0.5 * (A * dx * dx + C * dy * dy) - B * dx * dy);
        expect(alpha).toBeLessThan(RASTER.alphaMin);
      }
    }
    expect(outside).toBeGreaterThan(1000);
    expect(at(0.9 / 255)).toBeNull();
  });

  test("off-axis: the depth variance leaks into x through the Jacobian", () => {
    const [x, z, sx, sz] = [0.8, 4, 0.1, 0.3];
    const ps = projectSplat(oneSplat([x, 0, z], [sx, 0.1, sz]), 0, camera)!;
    const expected = (50 ** 2 * sx ** 2) / z ** 2 + (50 ** 2 * x ** 2 * sz ** 2) / z ** 4 + 0.3;
    expect(ps.cov2d[0]).toBeCloseTo(expected, 10);
    expect(ps.mean2d[0]).toBeCloseTo((50 * x) / z + 32, 12);
  });

  test("culling: behind the near plane, and entirely off-screen", () => {
    expect(projectSplat(oneSplat([0, 0, 0.005], [0.1, 0.1, 0.1]), 0, camera)).toBeNull();
    expect(projectSplat(oneSplat([0, 0, -2], [0.1, 0.1, 0.1]), 0, camera)).toBeNull();
    expect(projectSplat(oneSplat([10, 0, 2], [0.01, 0.01, 0.01]), 0, camera)).toBeNull();
    expect(
      projectSplat(oneSplat([0, 0, RASTER.nearPlane], [1e-4, 1e-4, 1e-4]), 0, camera),
    ).not.toBeNull();
  });

  test("Monte Carlo: projected samples of a small rotated Gaussian match Σ' − low-pass", () => {
    const seed = testSeed();
    const rand = makeRandom(seed);
    const q = [0.9, 0.3, -0.2, 0.4];
    const params = oneSplat([0.3, -0.2, 5], [0.05, 0.02, 0.08], q);
    const ps = projectSplat(params, 0, camera)!;
    // Sample x = μ + R S n, project each with the real perspective divide.
    const norm = Math.hypot(...q);
    const [w, qx, qy, qz] = q.map((v) => v / norm) as [number, number, number, number];
    const R = quatToMat(w, qx, qy, qz);
    const s = [0.05, 0.02, 0.08];
    const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const n = 200_000;
    let su = 0, sv = 0, suu = 0, svv = 0, suv = 0; // prettier-ignore
    for (let k = 0; k < n; k++) {
      const e = [gauss() * s[0]!, gauss() * s[1]!, gauss() * s[2]!];
      const p = [0, 1, 2].map(
        (r) => params.means[r]! + R[r * 3]! * e[0]! + R[r * 3 + 1]! * e[1]! + R[r * 3 + 2]! * e[2]!,
      );
      const u = (50 * p[0]!) / p[2]! + 32;
      const v = (55 * p[1]!) / p[2]! + 24;
      su += u;
      sv += v;
      suu += u * u;
      svv += v * v;
      suv += u * v; // prettier-ignore
    }
    const mu = su / n, mv = sv / n; // prettier-ignore
    const cov = [suu / n - mu * mu, suv / n - mu * mv, svv / n - mv * mv];
    const ewa = [ps.cov2d[0] - 0.3, ps.cov2d[1], ps.cov2d[2] - 0.3];
    const scale = Math.max(ewa[0]!, ewa[2]!);
    // Sampling error ~ scale·sqrt(2/n) ≈ 0.3%; the linearisation error is smaller still here.
    for (let k = 0; k < 3; k++) {
      expect(Math.abs(cov[k]! - ewa[k]!) / scale, `seed ${seed}, entry ${k}`).toBeLessThan(0.02);
    }
  });
});

describe("compositing", () => {
  test("two splats composite front to back by hand", () => {
    const front = oneSplat([0, 0, 2], [0.3, 0.3, 0.3], [1, 0, 0, 0], 0.4, [1, -0.5, 0]);
    const back = oneSplat([0, 0, 3], [0.3, 0.3, 0.3], [1, 0, 0, 0], 1.1, [0, 1, 0.5]);
    // Back splat first in memory, so depth sorting is what puts the front one first.
    const both: GaussianParams<Float64Array> = {
      ...front,
      count: 2,
      means: Float64Array.from([...back.means, ...front.means]),
      logScales: Float64Array.from([...back.logScales, ...front.logScales]),
      quats: Float64Array.from([...back.quats, ...front.quats]),
      opacityLogits: Float64Array.from([...back.opacityLogits, ...front.opacityLogits]),
      sh: Float64Array.from([...back.sh, ...front.sh]),
    };
    const render = renderReference(both, camera);
    const pixel = 24 * 64 + 32; // centre (32.5, 24.5): offset (−0.5, −0.5) from both means
    const alphaAt = (params: GaussianParams<Float64Array>) => {
      const ps = projectSplat(params, 0, camera)!;
      const [A, B, C] = ps.conic;
      const power = -0.5 * (A * 0.25 + C * 0.25) - B * 0.25;
      return Math.min(0.99, (1 / (1 + Math.exp(-params.opacityLogits[0]!))) * Math.exp(power));
    };
    const aF = alphaAt(front);
    const aB = alphaAt(back);
    for (let c = 0; c < 3; c++) {
      const cF = Math.max(0, 0.5 + SH_C0 * front.sh[c]!);
      const cB = Math.max(0, 0.5 + SH_C0 * back.sh[c]!);
      expect(render.image[pixel * 3 + c]).toBeCloseTo(cF * aF + cB * aB * (1 - aF), 12);
    }
    expect(render.finalT[pixel]).toBeCloseTo((1 - aF) * (1 - aB), 12);
    expect(render.contributorCount[pixel]).toBe(2);
    expect(render.lastContributor[pixel]).toBe(0);
  });

  test("mean2D gradient matches a finite difference of the 2D mean", () => {
    const seed = testSeed();
    const { params, camera: cam, target } = randomScene(seed, { count: 5 });
    const render = renderReference(params, cam);
    const loss = lossReference(render.image, target, cam.width, cam.height);
    const grads = rasterizeBackward(render.projected, render, loss.dImage);
    const h = 1e-5;
    render.projected.forEach((ps, slot) => {
      for (const axis of [0, 1]) {
        const at = (delta: number) => {
          const moved = render.projected.map((p, s) =>
            s === slot
              ? {
                  ...p,
                  mean2d: p.mean2d.map((m, k) => (k === axis ? m + delta : m)) as [number, number],
                }
              : p,
          );
          const img = rasterizeForward(moved, cam).image;
          return lossReference(img, target, cam.width, cam.height).loss;
        };
        const fd = (at(h) - at(-h)) / (2 * h);
        const an = grads[slot]!.mean2d[axis]!;
        expect(
          Math.abs(fd - an),
          `seed ${seed}, splat ${ps.index}, axis ${axis}: ${an} vs ${fd}`,
        ).toBeLessThan(1e-4 * Math.abs(fd) + 1e-9);
      }
    });
  });
});

describe("loss", () => {
  test("SSIM of an image with itself is 1; loss is 0", () => {
    const rand = makeRandom(testSeed());
    const img = new Float64Array(23 * 17 * 3).map(() => rand());
    expect(ssimReference(img, img, 23, 17).value).toBeCloseTo(1, 12);
    expect(lossReference(img, img, 23, 17).loss).toBeCloseTo(0, 12);
    const other = img.map((v) => 1 - v);
    expect(ssimReference(img, other, 23, 17).value).toBeLessThan(0.5);
  });

  test("loss gradient w.r.t. the image matches finite differences", () => {
    const seed = testSeed();
    const rand = makeRandom(seed);
    const [w, h] = [19, 14];
    const img = new Float64Array(w * h * 3).map(() => rand());
    const target = new Float64Array(w * h * 3).map(() => rand());
    const res = lossReference(img, target, w, h);
    const ssimGrad = ssimReference(img, target, w, h, true).grad!;
    const step = 1e-6;
    for (let i = 0; i < img.length; i += 7) {
      const saved = img[i]!;
      img[i] = saved + step;
      const lp = lossReference(img, target, w, h).loss;
      const sp = ssimReference(img, target, w, h).value;
      img[i] = saved - step;
      const lm = lossReference(img, target, w, h).loss;
      const sm = ssimReference(img, target, w, h).value;
      img[i] = saved;
      const fdLoss = (lp - lm) / (2 * step);
      const fdSsim = (sp - sm) / (2 * step);
      expect(Math.abs(fdLoss - res.dImage[i]!), `seed ${seed}, loss[${i}]`).toBeLessThan(
        1e-4 * Math.abs(fdLoss) + 1e-9,
      );
      expect(Math.abs(fdSsim - ssimGrad[i]!), `seed ${seed}, ssim[${i}]`).toBeLessThan(
        1e-4 * Math.abs(fdSsim) + 1e-9,
      );
    }
  });
});

describe("adam", () => {
  test("first two steps match the closed form", () => {
    const params = oneSplat([1, 2, 3], [1, 1, 1]);
    const zeros = () => ({
      means: new Float64Array(3),
      logScales: new Float64Array(3),
      quats: new Float64Array(4),
      opacityLogits: new Float64Array(1),
      sh: new Float64Array(3),
    });
    const m = zeros();
    const v = zeros();
    const g1 = { ...zeros(), means: Float64Array.from([0.5, -2, 0]) };
    const lr = { means: 0.1, logScales: 0, quats: 0, opacityLogits: 0, shDC: 0, shRest: 0 };
    let step = adamStepReference(params, g1, m, v, 0, lr);
    // Step 1: m̂ = g, v̂ = g², so the update is lr·sign(g) (ε = 1e-15 is negligible).
    expect(Array.from(params.means)).toEqual(
      [1 - 0.1, 2 + 0.1, 3].map((x, i) => (i < 2 ? expect.closeTo(x, 12) : x)),
    );
    const g2 = { ...zeros(), means: Float64Array.from([1, 0, 0]) };
    step = adamStepReference(params, g2, m, v, step, lr);
    expect(step).toBe(2);
    const m2 = 0.9 * 0.05 + 0.1 * 1;
    const v2 = 0.999 * 0.001 * 0.25 + 0.001 * 1;
    const upd = (0.1 * (m2 / (1 - 0.81))) / (Math.sqrt(v2 / (1 - 0.999 ** 2)) + 1e-15);
    expect(params.means[0]).toBeCloseTo(0.9 - upd, 12);
  });
});
