import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRandom, testSeed } from "../../seed.js";
import { acquireGpu, adapterKindOf, type GpuContext } from "../../../src/gpu/device.js";
import { createGpuTrainingBackend, type GpuTrainingBackend } from "../../../src/train/gpu/index.js";
import { renderReference } from "../../../src/train/reference/index.js";
import { SplatbookError } from "../../../src/util/errors.js";
import { randomCamera, randomImage, randomParams } from "./randomScene.js";

let gpu: GpuContext;
let backend: GpuTrainingBackend;
beforeAll(async () => {
  gpu = await acquireGpu();
  backend = await createGpuTrainingBackend({ gpu });
});
afterAll(() => {
  backend?.destroy();
  gpu?.destroy();
});

const GROUPS = ["means", "logScales", "quats", "opacityLogits", "sh"] as const;
const LR = {
  means: 1e-3,
  logScales: 1e-3,
  quats: 1e-3,
  opacityLogits: 1e-2,
  shDC: 1e-3,
  shRest: 1e-4,
};

describe("GPU TrainingBackend contract", () => {
  it("round-trips parameters and Adam moments exactly", async () => {
    const rand = makeRandom(testSeed());
    const p = randomParams(rand, 37, 2, 1);
    const m = randomParams(rand, 37, 2);
    const v = randomParams(rand, 37, 2);
    await backend.setParams(p, { step: 17, m, v });
    const got = await backend.getParams();
    expect(got.count).toBe(37);
    expect(got.shDegree).toBe(1);
    expect(got.maxShDegree).toBe(2);
    for (const k of GROUPS) expect(Array.from(got[k])).toEqual(Array.from(p[k]));
    const adam = await backend.getAdamState();
    expect(adam.step).toBe(17);
    for (const k of GROUPS) {
      expect(Array.from(adam.m[k])).toEqual(Array.from(m[k]));
      expect(Array.from(adam.v[k])).toEqual(Array.from(v[k]));
    }
  });

  it("accumulates densification statistics like the reference, resets and restores them", async () => {
    const rand = makeRandom(testSeed());
    const cam = randomCamera(rand, 40, 30);
    const p = randomParams(rand, 40, 1);
    await backend.setParams(p);
    await backend.setTargets([randomImage(rand, 40, 30)]);
    await backend.step({ camera: cam, targetIndex: 0, lr: LR, shDegree: 1 });
    await backend.step({ camera: cam, targetIndex: 0, lr: LR, shDegree: 1 });
    const stats = await backend.densifyStats();
    const ref = renderReference(p, cam);
    for (let i = 0; i < p.count; i++) {
      const visible = ref.radii[i]! > 0;
      expect(stats.visibleCount[i]).toBe(visible ? 2 : 0);
      if (visible) expect(stats.maxRadius[i]).toBeGreaterThanOrEqual(ref.radii[i]! - 1);
      else expect(stats.gradNormSum[i]).toBe(0);
    }
    expect(stats.gradNormSum.some((x) => x > 0)).toBe(true);
    await backend.resetDensifyStats();
    const zero = await backend.densifyStats();
    expect(zero.visibleCount.every((x) => x === 0)).toBe(true);
    await backend.setDensifyStats!(stats);
    const back = await backend.densifyStats();
    expect(Array.from(back.gradNormSum)).toEqual(Array.from(stats.gradNormSum));
  });

  it("renders the background with no splats and rejects a missing target", async () => {
    const rand = makeRandom(testSeed());
    await backend.setParams(randomParams(rand, 0, 0));
    const img = await backend.render(randomCamera(rand, 20, 10), 0);
    expect(img.data.length).toBe(600);
    expect(img.data.every((x) => x === 0)).toBe(true);
    await expect(
      backend.step({ camera: randomCamera(rand, 20, 10), targetIndex: 5, lr: LR, shDegree: 0 }),
    ).rejects.toBeInstanceOf(SplatbookError);
  });

  it("keeps the loss finite and positive over steps and reads it only when asked", async () => {
    const rand = makeRandom(testSeed());
    const cam = randomCamera(rand, 24, 24);
    await backend.setParams(randomParams(rand, 25, 0));
    await backend.setTargets([randomImage(rand, 24, 24)]);
    const quiet = await backend.step({ camera: cam, targetIndex: 0, lr: LR, shDegree: 0 });
    expect(quiet.loss).toBeUndefined();
    const loud = await backend.step({
      camera: cam,
      targetIndex: 0,
      lr: LR,
      shDegree: 0,
      readLoss: true,
    });
    expect(Number.isFinite(loud.loss)).toBe(true);
    expect(loud.loss!).toBeGreaterThan(0);
  });
});

describe("adapter selection", () => {
  it("classifies adapter names", () => {
    expect(adapterKindOf("llvmpipe (LLVM 15.0.6, 256 bits)")).toBe("lavapipe");
    expect(adapterKindOf("SwiftShader Device (Subzero)")).toBe("swiftshader");
    expect(adapterKindOf("NVIDIA GeForce RTX 4090")).toBe("hardware");
  });

  it("rejects an unknown SPLATBOOK_ADAPTER value with a clear error", async () => {
    const old = process.env.SPLATBOOK_ADAPTER;
    process.env.SPLATBOOK_ADAPTER = "quantum";
    try {
      await expect(acquireGpu()).rejects.toThrow(/SPLATBOOK_ADAPTER/);
    } finally {
      if (old === undefined) delete process.env.SPLATBOOK_ADAPTER;
      else process.env.SPLATBOOK_ADAPTER = old;
    }
  });

  it("opens the adapter it was asked for", async () => {
    const forced = await acquireGpu({ adapter: gpu.kind });
    try {
      expect(forced.kind).toBe(gpu.kind);
      expect(forced.description).toContain(gpu.kind);
    } finally {
      forced.destroy();
    }
  });
});
