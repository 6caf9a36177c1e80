/**
 * Reference gradients vs central finite differences, on fresh random tiny scenes each run.
 *
 * Tolerance: with float64 and h = 1e-5, the central difference has truncation error ~h²·|L'''|
 * (≈1e-10 here) and round-off ~ε·|L|/h ≈ 1e-11, against gradients of 1e-4..1e-2. Measured maximum
 * absolute errors are ~5e-11. So each entry must satisfy |fd − analytic| ≤ 1e-4·|fd| + 1e-9, and
 * each group's relative L2 error must be < 1e-5. Differences whose ±h sides take different
 * discrete decisions (a fragment crossing α = 1/255, a clamp switching) are skipped: at most 5% of
 * a group's entries, or 3 (one splat's position moves all its fragments at once; a fragment with α
 * within 1e-6 relative of 1/255 turned up once in 16 scenes). A crossing step is first retried at
 * h/100 (absolute tolerance 1e-8).
 */
import { shCoeffCount } from "../../../src/contracts/gaussians.js";
import { describe, expect, test } from "vitest";
import {
  identityAppearance,
  lossAndGradReference,
  projectSplat,
  renderReference,
  type LossOptions,
} from "../../../src/train/reference/index.js";
import { finiteDifference, lossWithSignature, type GroupKey } from "./finiteDiff.js";
import { makeRandom, testSeed } from "../../seed.js";
import { randomScene } from "./randomScene.js";

const H = 1e-5;
const GROUPS: Exclude<GroupKey, "appearance">[] = [
  "means",
  "logScales",
  "quats",
  "opacityLogits",
  "sh",
];

type Scene = ReturnType<typeof randomScene>;

function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

/** Compares every entry of every group; returns the number of checked entries. */
function checkScene(
  scene: Scene,
  seed: number,
  groups: GroupKey[] = GROUPS,
  opts: LossOptions = {},
): number {
  const { params, camera, target } = scene;
  const res = lossAndGradReference(params, camera, target, opts);
  const where = `scene seed ${seed}`;
  expect(Number.isFinite(res.loss), `loss finite, ${where}`).toBe(true);
  expect(allFinite(res.image), `image finite, ${where}`).toBe(true);
  for (const key of GROUPS) expect(allFinite(res.grads[key]), `${key} finite, ${where}`).toBe(true);
  expect(allFinite(res.mean2dGrad), `mean2dGrad finite, ${where}`).toBe(true);
  const base = lossWithSignature(params, camera, target, opts).signature;
  const values = (key: GroupKey) =>
    key === "appearance" ? (opts.appearance as Float64Array) : params[key];
  const analyticOf = (key: GroupKey, i: number) =>
    key === "appearance" ? res.dAppearance![i]! : res.grads[key][i]!;
  let checked = 0;
  for (const key of groups) {
    let skipped = 0;
    let errSq = 0;
    let refSq = 0;
    for (let i = 0; i < values(key).length; i++) {
      // A step that crosses a discontinuity is retried 100× smaller (round-off then ~1e-9).
      let fd = finiteDifference(params, camera, target, key, i, H, base, opts);
      let absTol = 1e-9;
      if (fd === null) {
        fd = finiteDifference(params, camera, target, key, i, H / 100, base, opts);
        absTol = 1e-8;
      }
      if (fd === null) {
        skipped++;
        continue;
      }
      const analytic = analyticOf(key, i);
      const err = Math.abs(fd - analytic);
      errSq += err * err;
      refSq += fd * fd;
      if (err > 1e-4 * Math.abs(fd) + absTol) {
        expect.fail(`${key}[${i}]: analytic ${analytic} vs finite difference ${fd}, ${where}`);
      }
      checked++;
    }
    expect(skipped, `${key}: too many discontinuous entries, ${where}`).toBeLessThanOrEqual(
      Math.max(3, Math.ceil(0.05 * values(key).length)),
    );
    if (refSq > 0) {
      expect(Math.sqrt(errSq / refSq), `${key} relative L2 error, ${where}`).toBeLessThan(1e-5);
    }
  }
  return checked;
}

describe("reference gradients vs finite differences", () => {
  test("random scenes, SH degree 3, every parameter group", () => {
    const base = testSeed();
    for (let run = 0; run < 2; run++) {
      const seed = base + run;
      const scene = randomScene(seed, { count: 6 });
      const visible = lossAndGradReference(scene.params, scene.camera, scene.target);
      // A scene where nothing is visible would prove nothing.
      expect(
        visible.image.some((v) => v > 0),
        `seed ${seed}: empty render`,
      ).toBe(true);
      expect(checkScene(scene, seed)).toBeGreaterThan(300);
    }
  });

  test("anti-aliased: 3D smoothing filter and 2D opacity compensation, every group", () => {
    const seed = testSeed();
    const scene = randomScene(seed, { count: 6 });
    const rand = makeRandom(seed ^ 0x5eed);
    // Filter variances from a tenth to twice the squared scales: both regimes matter.
    const filter3d = Float64Array.from({ length: scene.params.count }, (_, i) => {
      const s2 = Math.exp(2 * scene.params.logScales[i * 3]!);
      return s2 * (0.1 + 2 * rand());
    });
    const opts = { filter3d, antialiased: true };
    const plain = lossAndGradReference(scene.params, scene.camera, scene.target);
    const mip = lossAndGradReference(scene.params, scene.camera, scene.target, opts);
    expect(mip.loss, `seed ${seed}: the filters change nothing`).not.toBe(plain.loss);
    expect(checkScene(scene, seed, GROUPS, opts)).toBeGreaterThan(300);
  });

  test("appearance transform: its own gradient and the splats' through it", () => {
    const seed = testSeed();
    const scene = randomScene(seed, { count: 6 });
    const rand = makeRandom(seed ^ 0xa99);
    // A gain and white balance with some colour mixing and offset.
    const appearance = Float64Array.from(identityAppearance(), (v) => v + (rand() - 0.5) * 0.4);
    const res = lossAndGradReference(scene.params, scene.camera, scene.target, { appearance });
    expect(res.dAppearance?.length).toBe(12);
    expect(checkScene(scene, seed, [...GROUPS, "appearance"], { appearance })).toBeGreaterThan(300);
  });

  test("lower active SH degree: coefficients above it get zero gradient", () => {
    const seed = testSeed();
    const scene = randomScene(seed, { count: 5 });
    scene.params.shDegree = 1;
    checkScene(scene, seed, ["sh", "means"]);
    const res = lossAndGradReference(scene.params, scene.camera, scene.target);
    const K = shCoeffCount(3);
    for (let i = 0; i < scene.params.count; i++) {
      for (let k = 4; k < K; k++) {
        for (let c = 0; c < 3; c++) expect(res.grads.sh[(i * K + k) * 3 + c]).toBe(0);
      }
    }
  });

  test("opaque crowded scene: α clamp and early termination", () => {
    const seed = testSeed();
    const scene = randomScene(seed, { count: 14, width: 20, height: 18 });
    // Large, nearly opaque splats: many fragments hit the 0.99 clamp and T drops below 1e-4.
    scene.params.opacityLogits.forEach((_, i) => (scene.params.opacityLogits[i] = 5 + (i % 3)));
    scene.params.logScales.forEach((v, i) => (scene.params.logScales[i] = v + 1));
    const res = lossAndGradReference(scene.params, scene.camera, scene.target);
    const render = renderReference(scene.params, scene.camera);
    const clamped = render.fragments.some((list) => list.some((f) => f.clamped));
    expect(clamped, `seed ${seed}: no clamped fragment`).toBe(true);
    // Nearly opaque layers drive the transmittance towards the 1e-4 stop.
    expect(Math.min(...render.finalT), `seed ${seed}: not crowded`).toBeLessThan(0.01);
    expect(res.grads.opacityLogits.some((g) => g !== 0)).toBe(true);
    checkScene(scene, seed, ["opacityLogits", "means", "logScales"]);
  });

  test("splat outside the frustum clamp still overlapping the image", () => {
    const seed = testSeed();
    const scene = randomScene(seed, { count: 2, width: 32, height: 24 });
    const { params, camera } = scene;
    // Camera-aligned world for this case: put a wide splat close to the camera, far to the left.
    camera.viewmat = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
    params.means.set([-1.2, 0.1, 0.5], 0);
    params.logScales.set([Math.log(0.5), Math.log(0.3), Math.log(0.2)], 0);
    params.quats.set([1, 0, 0, 0], 0);
    params.opacityLogits[0] = 0.5;
    params.means.set([0, 0, -5], 3); // splat 1 behind the camera: culled
    const res = lossAndGradReference(params, camera, scene.target);
    const projected = projectSplat(params, 0, camera);
    expect(projected?.clampedX, `seed ${seed}: Jacobian clamp not exercised`).toBe(true);
    expect(
      res.grads.means.slice(0, 3).some((g) => g !== 0),
      `seed ${seed}: splat 0 unseen`,
    ).toBe(true);
    checkScene(scene, seed, ["means", "logScales", "quats"]);
  });
});
