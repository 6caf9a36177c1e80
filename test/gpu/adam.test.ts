// Loss/Adam kernels (GPU2 helper); the rasterizer host code calls these.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, globals } from "webgpu";
import { adapterKindOf, listAdapterNames } from "../../src/gpu/device.js";
import { readF32, readBuffer, uploadBuffer, writeBuffer } from "../../src/gpu/buffers.js";
import { createAdam, type AdamGroup, type GradFormat } from "../../src/train/gpu/adam.js";
import { adamStepReference } from "../../src/train/reference/adam.js";
import { shCoeffCount, type GaussianParams, type LearningRates } from "../../src/train/types.js";

/**
 * Opens the adapter acquireGpu would pick (hardware, then lavapipe, then SwiftShader, or the
 * SPLATBOOK_ADAPTER kind) but keeps the Dawn instance referenced: acquireGpu lets its instance
 * go, and a garbage collection then frees it under the live device (a segfault in Dawn's
 * InstanceBase::ProcessEvents).
 */
async function openTestGpu() {
  process.env.XDG_RUNTIME_DIR ??= "/tmp";
  Object.assign(globalThis, globals);
  const order = ["hardware", "lavapipe", "swiftshader"];
  const forced = process.env.SPLATBOOK_ADAPTER;
  const names = (await listAdapterNames())
    .filter((n) => !forced || adapterKindOf(n) === forced)
    .sort((a, b) => order.indexOf(adapterKindOf(a)) - order.indexOf(adapterKindOf(b)));
  const instance = create([`adapter=${names[0]}`]);
  const adapter = await instance.requestAdapter();
  if (!adapter) throw new Error("no WebGPU adapter");
  const device = await adapter.requestDevice();
  const errors: string[] = [];
  device.onuncapturederror = (ev) => errors.push(ev.error.message);
  return {
    instance,
    device,
    description: names[0]!,
    checkHealthy: () => expect(errors).toEqual([]),
    destroy: () => device.destroy(),
  };
}

let gpu: Awaited<ReturnType<typeof openTestGpu>>;
beforeAll(async () => {
  gpu = await openTestGpu();
});
afterAll(() => gpu?.destroy());

type Key = "means" | "logScales" | "quats" | "opacityLogits" | "sh";
const KEYS: Key[] = ["means", "logScales", "quats", "opacityLogits", "sh"];

function randn(): number {
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
}

function randomParams(count: number, maxShDegree: number): GaussianParams<Float64Array> {
  const K = shCoeffCount(maxShDegree);
  // Values are f32-representable so the GPU and the float64 reference start identically.
  const r = (n: number, s: number) => Float64Array.from(new Float32Array(n).map(() => s * randn()));
  return {
    count,
    shDegree: maxShDegree,
    maxShDegree,
    means: r(count * 3, 2),
    logScales: r(count * 3, 1),
    quats: r(count * 4, 1),
    opacityLogits: r(count, 1),
    sh: r(count * K * 3, 0.5),
  };
}

function randomGrads(p: GaussianParams<Float64Array>, scale: number) {
  const out = {} as Record<Key, Float64Array>;
  for (const key of KEYS) {
    // Mixed magnitudes (1e-7 … 1e-1 · scale) and exact zeros (unseen splats), as in training.
    out[key] = Float64Array.from(new Float32Array(p[key].length), (_, i) =>
      i % 11 === 0 ? 0 : Math.fround(scale * randn() * 10 ** -(Math.random() * 6)),
    );
  }
  return out;
}

const LR: LearningRates = {
  means: 1.6e-4,
  logScales: 5e-3,
  quats: 1e-3,
  opacityLogits: 5e-2,
  shDC: 2.5e-3,
  shRest: 2.5e-3 / 20,
};

/** Runs `steps` Adam steps on the GPU and the reference side by side and compares them. */
async function runAndCompare(format: GradFormat, startStep: number, steps: number) {
  const { device } = gpu;
  const params = randomParams(200, 3);
  const K = shCoeffCount(3);
  const m = {} as Record<Key, Float64Array>;
  const v = {} as Record<Key, Float64Array>;
  const gpuBufs = {} as Record<
    Key,
    { param: GPUBuffer; grad: GPUBuffer; m: GPUBuffer; v: GPUBuffer }
  >;
  for (const key of KEYS) {
    const n = params[key].length;
    // Non-zero starting moments when resuming at a later step (as after a snapshot).
    const fill = (s: number) =>
      Float64Array.from(new Float32Array(n), () =>
        startStep > 0 ? Math.fround(s * Math.random()) : 0,
      );
    m[key] = fill(1e-3);
    v[key] = fill(1e-6);
    gpuBufs[key] = {
      param: uploadBuffer(device, new Float32Array(params[key])),
      grad: uploadBuffer(device, new Float32Array(n)),
      m: uploadBuffer(device, new Float32Array(m[key])),
      v: uploadBuffer(device, new Float32Array(v[key])),
    };
  }
  const initial = Object.fromEntries(KEYS.map((k) => [k, params[k].slice()])) as Record<
    Key,
    Float64Array
  >;
  const adam = createAdam(device, { gradFormat: format });
  const scale = format === "f32" ? 0 : format.fixedPointScale;
  let step = startStep;
  for (let s = 0; s < steps; s++) {
    const grads = randomGrads(params, 1e-2);
    for (const key of KEYS) {
      if (scale) {
        // Fixed point: the reference sees exactly the quantised gradient the GPU decodes.
        const q = Int32Array.from(grads[key], (g) => Math.round(g * scale));
        grads[key] = Float64Array.from(q, (x) => x / scale);
        writeBuffer(device, gpuBufs[key].grad, q);
      } else {
        writeBuffer(device, gpuBufs[key].grad, new Float32Array(grads[key]));
      }
    }
    const groups: AdamGroup[] = KEYS.map((key) => ({
      ...gpuBufs[key],
      count: params[key].length,
      lr: key === "sh" ? { dc: LR.shDC, rest: LR.shRest, K } : LR[key],
    }));
    const enc = device.createCommandEncoder();
    adam.encode(enc, groups, step);
    device.queue.submit([enc.finish()]);
    step = adamStepReference(params, grads, m, v, step, LR);
  }
  for (const key of KEYS) {
    const n = params[key].length;
    const got = {
      param: await readF32(device, gpuBufs[key].param, n),
      m: await readF32(device, gpuBufs[key].m, n),
      v: await readF32(device, gpuBufs[key].v, n),
      grad: new Uint32Array(await readBuffer(device, gpuBufs[key].grad, n * 4)),
    };
    expect(got.grad.every((x) => x === 0)).toBe(true);
    // Per element, relative to the parameter's scale (before or after the steps): near a zero
    // crossing f32 storage alone leaves an absolute error of an ulp of the larger value.
    let worstParam = 0;
    for (let i = 0; i < n; i++) {
      expect(Number.isFinite(got.param[i]!)).toBe(true);
      const ref = params[key][i]!;
      const scale = Math.max(Math.abs(ref), Math.abs(initial[key][i]!), 1e-6);
      worstParam = Math.max(worstParam, Math.abs(got.param[i]! - ref) / scale);
    }
    expect(worstParam, `${key} params`).toBeLessThan(1e-5);
    for (const which of ["m", "v"] as const) {
      const ref = which === "m" ? m[key] : v[key];
      let diff2 = 0;
      let ref2 = 0;
      for (let i = 0; i < n; i++) {
        diff2 += (got[which][i]! - ref[i]!) ** 2;
        ref2 += ref[i]! ** 2;
      }
      expect(ref2).toBeGreaterThan(0);
      expect(Math.sqrt(diff2 / ref2), `${key} ${which}`).toBeLessThan(1e-5);
    }
    for (const b of Object.values(gpuBufs[key])) b.destroy();
  }
  gpu.checkHealthy();
  adam.destroy();
}

describe("GPU Adam vs adamStepReference", () => {
  it("matches params, moments over 5 steps from step 0 (f32 gradients), zeroing the gradients", async () => {
    await runAndCompare("f32", 0, 5);
  });

  it("matches when resuming at step 1000 with non-zero moments", async () => {
    await runAndCompare("f32", 1000, 3);
  });

  it("decodes fixed-point i32 gradients", async () => {
    await runAndCompare({ fixedPointScale: 2 ** 24 }, 0, 4);
  });

  it("uses the DC rate for SH coefficient 0 only and the rest rate for k ≥ 1", async () => {
    const { device } = gpu;
    const K = 4;
    const count = 3;
    const n = count * K * 3;
    const param = uploadBuffer(device, new Float32Array(n));
    const grad = uploadBuffer(device, new Float32Array(n).fill(1));
    const m = uploadBuffer(device, new Float32Array(n));
    const v = uploadBuffer(device, new Float32Array(n));
    const adam = createAdam(device);
    const enc = device.createCommandEncoder();
    adam.encode(enc, [{ param, grad, m, v, count: n, lr: { dc: 0.5, rest: 0.25, K } }], 0);
    device.queue.submit([enc.finish()]);
    // First step with g = 1: m̂ = v̂ = 1, so each value moves by exactly −lr.
    const out = await readF32(device, param, n);
    for (let i = 0; i < n; i++) {
      const k = Math.floor(i / 3) % K;
      expect(out[i]).toBeCloseTo(k === 0 ? -0.5 : -0.25, 6);
    }
    gpu.checkHealthy();
    for (const b of [param, grad, m, v]) b.destroy();
    adam.destroy();
  });

  it("updates a group larger than one dispatch row (70 000 elements)", async () => {
    const { device } = gpu;
    const n = 70_000 * 4;
    const g = Float32Array.from({ length: n }, () => randn());
    const param = uploadBuffer(device, new Float32Array(n));
    const grad = uploadBuffer(device, g);
    const m = uploadBuffer(device, new Float32Array(n));
    const v = uploadBuffer(device, new Float32Array(n));
    const adam = createAdam(device);
    const enc = device.createCommandEncoder();
    adam.encode(enc, [{ param, grad, m, v, count: n, lr: 0.01 }], 0);
    device.queue.submit([enc.finish()]);
    const out = await readF32(device, param, n);
    let bad = 0;
    for (let i = 0; i < n; i++) if (Math.abs(out[i]! + 0.01 * Math.sign(g[i]!)) > 1e-6) bad++;
    expect(bad).toBe(0);
    gpu.checkHealthy();
    for (const b of [param, grad, m, v]) b.destroy();
    adam.destroy();
  });

  it("times one step over 30 000 splats at SH degree 3 (6 groups, encoded into an open pass)", async () => {
    const { device } = gpu;
    const count = 30_000;
    const K = shCoeffCount(3);
    const sizes = [3, 3, 4, 1, K * 3].map((c) => c * count);
    const groups: AdamGroup[] = sizes.map((n, i) => ({
      param: uploadBuffer(
        device,
        Float32Array.from({ length: n }, () => randn()),
      ),
      grad: uploadBuffer(
        device,
        Float32Array.from({ length: n }, () => randn()),
      ),
      m: uploadBuffer(device, new Float32Array(n)),
      v: uploadBuffer(device, new Float32Array(n)),
      count: n,
      lr: i === 4 ? { dc: 1e-3, rest: 5e-5, K } : 1e-3,
    }));
    const adam = createAdam(device);
    const run = async (step: number) => {
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      adam.encode(pass, groups, step);
      pass.end();
      device.queue.submit([enc.finish()]);
      await device.queue.onSubmittedWorkDone();
    };
    await run(0);
    let ms = Infinity;
    for (let s = 1; s < 6; s++) {
      const t0 = performance.now();
      await run(s);
      ms = Math.min(ms, performance.now() - t0);
    }
    const total = sizes.reduce((a, b) => a + b, 0);
    console.log(`adam step, ${total} values: ${ms.toFixed(3)} ms on ${gpu.description}`);
    // The first step consumed the gradients; later steps saw zeros, so v stays positive and
    // every parameter stays finite.
    const out = await readF32(device, groups[4]!.param, sizes[4]!);
    expect(out.every(Number.isFinite)).toBe(true);
    const g = await readF32(device, groups[4]!.grad, sizes[4]!);
    expect(g.every((x) => x === 0)).toBe(true);
    gpu.checkHealthy();
    for (const grp of groups) for (const b of [grp.param, grp.grad, grp.m, grp.v]) b.destroy();
    adam.destroy();
  });

  it("rejects a non-positive fixed-point scale", () => {
    expect(() => createAdam(gpu.device, { gradFormat: { fixedPointScale: 0 } })).toThrow(
      /fixedPointScale/,
    );
  });
});
