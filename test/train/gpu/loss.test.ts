// The GPU loss (src/train/gpu/loss.ts) against the CPU float64 reference (src/train/reference/loss.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRandom, testSeed } from "../../seed.js";
import { acquireGpu, type GpuContext } from "../../../src/gpu/device.js";
import { STORAGE_RW, createBuffer, readF32, uploadBuffer } from "../../../src/gpu/buffers.js";
import { createLossPipeline, type LossPipeline } from "../../../src/train/gpu/loss.js";
import { lossReference } from "../../../src/train/reference/loss.js";

let gpu: GpuContext;
let pipeline: LossPipeline;
beforeAll(async () => {
  gpu = await acquireGpu();
  pipeline = createLossPipeline(gpu.device, { width: 32, height: 24 });
});
afterAll(() => {
  pipeline?.destroy();
  gpu?.destroy();
});

function randomImage(rand: () => number, n: number): Float32Array {
  return Float32Array.from({ length: n * 3 }, () => rand());
}

/** A target near the image (as late in training): noise, with some values exactly equal. */
function nearby(rand: () => number, image: Float32Array): Float32Array {
  return image.map((v, i) =>
    i % 7 === 0 ? v : Math.min(1, Math.max(0, v + 0.05 * (rand() - 0.5))),
  );
}

/** Runs the GPU loss on `image` vs the `index`-th image packed in one target buffer. */
async function gpuLoss(
  image: Float32Array,
  targets: Float32Array[],
  index: number,
  width: number,
  height: number,
) {
  const { device } = gpu;
  const packed = new Float32Array(targets.reduce((s, t) => s + t.length, 0));
  let offset = 0;
  targets.forEach((t) => {
    packed.set(t, offset);
    offset += t.length;
  });
  const rendered = uploadBuffer(device, image);
  const target = uploadBuffer(device, packed);
  const grad = createBuffer(device, image.byteLength, STORAGE_RW);
  const enc = device.createCommandEncoder();
  pipeline.encode(enc, {
    rendered,
    target,
    targetOffsetBytes: index * width * height * 3 * 4,
    gradOut: grad,
    width,
    height,
  });
  device.queue.submit([enc.finish()]);
  const parts = await pipeline.readLossParts();
  const g = await readF32(device, grad, image.length);
  gpu.checkHealthy();
  rendered.destroy();
  target.destroy();
  grad.destroy();
  return { ...parts, grad: g };
}

function expectAllFinite(values: ArrayLike<number>) {
  let bad = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) bad++;
  expect(bad).toBe(0);
}

function compareWithReference(
  out: Awaited<ReturnType<typeof gpuLoss>>,
  image: Float32Array,
  target: Float32Array,
  width: number,
  height: number,
) {
  const ref = lossReference(image, target, width, height);
  for (const v of [out.loss, out.l1, out.ssim]) expect(Number.isFinite(v)).toBe(true);
  expectAllFinite(out.grad);
  expect(Math.abs(out.loss - ref.loss) / ref.loss).toBeLessThan(1e-4);
  expect(Math.abs(out.l1 - ref.l1) / ref.l1).toBeLessThan(1e-4);
  expect(Math.abs(out.ssim - ref.ssim)).toBeLessThan(1e-5);
  let diff2 = 0;
  let ref2 = 0;
  let maxRef = 0;
  let worst = 0;
  for (let i = 0; i < ref.dImage.length; i++) {
    const d = out.grad[i]! - ref.dImage[i]!;
    diff2 += d * d;
    ref2 += ref.dImage[i]! ** 2;
    maxRef = Math.max(maxRef, Math.abs(ref.dImage[i]!));
    worst = Math.max(worst, Math.abs(d));
  }
  expect(ref2).toBeGreaterThan(0);
  expect(Math.sqrt(diff2 / ref2)).toBeLessThan(1e-3);
  // Per element: within 1e-3 of the largest gradient magnitude.
  expect(worst / maxRef).toBeLessThan(1e-3);
}

describe("GPU loss vs the float64 reference", () => {
  for (const [width, height] of [
    [32, 24],
    [61, 37],
  ] as const) {
    it(`matches loss and dL/dImage on fresh random ${width}×${height} images`, async () => {
      const rand = makeRandom(testSeed());
      const n = width * height;
      const image = randomImage(rand, n);
      const target = randomImage(rand, n);
      const out = await gpuLoss(image, [target], 0, width, height);
      compareWithReference(out, image, target, width, height);
    });

    it(`matches on a nearby target (SSIM near 1, exact ties) at ${width}×${height}`, async () => {
      const rand = makeRandom(testSeed());
      const n = width * height;
      const image = randomImage(rand, n);
      const target = nearby(rand, image);
      const out = await gpuLoss(image, [target], 0, width, height);
      expect(out.ssim).toBeGreaterThan(0.5);
      compareWithReference(out, image, target, width, height);
    });
  }

  it("reads the target from an unaligned slice of one buffer holding every image", async () => {
    const rand = makeRandom(testSeed());
    const [width, height] = [61, 37];
    const n = width * height;
    const targets = [randomImage(rand, n), randomImage(rand, n), randomImage(rand, n)];
    const image = randomImage(rand, n);
    // 61·37·3·4 = 27084 bytes per image: image 1 and 2 start off the 256-byte alignment.
    expect((n * 12) % 256).not.toBe(0);
    for (const index of [1, 2]) {
      const out = await gpuLoss(image, targets, index, width, height);
      compareWithReference(out, image, targets[index]!, width, height);
    }
  });

  it("records into an open compute pass and into a caller's loss buffer the same way", async () => {
    const rand = makeRandom(testSeed());
    const { device } = gpu;
    const [width, height] = [32, 24];
    const image = randomImage(rand, width * height);
    const targetImage = randomImage(rand, width * height);
    const viaEncoder = await gpuLoss(image, [targetImage], 0, width, height);
    const rendered = uploadBuffer(device, image);
    const target = uploadBuffer(device, targetImage);
    const grad = createBuffer(device, image.byteLength);
    const lossOut = createBuffer(device, 16);
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pipeline.encode(pass, { rendered, target, gradOut: grad, lossOut, width, height });
    pass.end();
    device.queue.submit([enc.finish()]);
    const [loss, l1, ssim] = await readF32(device, lossOut, 3);
    expect([loss, l1, ssim]).toEqual([viaEncoder.loss, viaEncoder.l1, viaEncoder.ssim]);
    expect(await pipeline.readLoss()).toBe(viaEncoder.loss);
    expect(Array.from(await readF32(device, grad, image.length))).toEqual(
      Array.from(viaEncoder.grad),
    );
    gpu.checkHealthy();
    for (const b of [rendered, target, grad, lossOut]) b.destroy();
  });

  it("gives SSIM 1, loss 0 and a zero gradient for identical images", async () => {
    const rand = makeRandom(testSeed());
    const [width, height] = [32, 24];
    const image = randomImage(rand, width * height);
    const out = await gpuLoss(image, [image], 0, width, height);
    expect(Math.abs(out.ssim - 1)).toBeLessThan(1e-6);
    expect(Math.abs(out.loss)).toBeLessThan(1e-6);
    expect(out.l1).toBe(0);
    expectAllFinite(out.grad);
    const maxGrad = out.grad.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    // A single L1 sign would be 0.8/count ≈ 3.5e-4; SSIM's gradient at its maximum is 0.
    expect(maxGrad).toBeLessThan(1e-8);
  });

  it("propagates a NaN in the rendered image to the loss (so the trainer can stop)", async () => {
    const rand = makeRandom(testSeed());
    const [width, height] = [32, 24];
    const image = randomImage(rand, width * height);
    image[100] = NaN;
    const out = await gpuLoss(image, [randomImage(rand, width * height)], 0, width, height);
    expect(Number.isNaN(out.loss)).toBe(true);
  });

  it("rejects buffers too small for the image", () => {
    const { device } = gpu;
    const small = createBuffer(device, 64);
    const enc = device.createCommandEncoder();
    expect(() =>
      pipeline.encode(enc, { rendered: small, target: small, gradOut: small, width: 8, height: 8 }),
    ).toThrow(/outside its buffer/);
    const big = createBuffer(device, 8 * 8 * 12);
    expect(() =>
      pipeline.encode(enc, { rendered: small, target: big, gradOut: big, width: 8, height: 8 }),
    ).toThrow(/rendered holds 64 bytes/);
    big.destroy();
    small.destroy();
  });

  it("times loss forward+backward at 160×120", async () => {
    const rand = makeRandom(testSeed());
    const { device } = gpu;
    const [width, height] = [160, 120];
    const n = width * height;
    const image = randomImage(rand, n);
    const target = randomImage(rand, n);
    const rendered = uploadBuffer(device, image);
    const targetBuf = uploadBuffer(device, target);
    const grad = createBuffer(device, image.byteLength);
    const run = async (calls: number) => {
      const enc = device.createCommandEncoder();
      for (let i = 0; i < calls; i++) {
        pipeline.encode(enc, { rendered, target: targetBuf, gradOut: grad, width, height });
      }
      device.queue.submit([enc.finish()]);
      await device.queue.onSubmittedWorkDone();
    };
    await run(1); // pipelines compile here
    // Best of several batches: the machine is shared, the minimum is the least disturbed figure.
    const calls = 10;
    let ms = Infinity;
    for (let batch = 0; batch < 5; batch++) {
      const t0 = performance.now();
      await run(calls);
      ms = Math.min(ms, (performance.now() - t0) / calls);
    }
    console.log(`loss fwd+bwd 160×120: ${ms.toFixed(3)} ms per call on ${gpu.description}`);
    const loss = await pipeline.readLoss();
    const ref = lossReference(image, target, width, height);
    expect(Math.abs(loss - ref.loss) / ref.loss).toBeLessThan(1e-4);
    rendered.destroy();
    targetBuf.destroy();
    grad.destroy();
  });
});
