import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { makeRandom, testSeed } from "../seed.js";
import {
  acquireGpu,
  fixedSubgroupWidth,
  simdSubgroupWidth,
  type GpuContext,
} from "../../src/gpu/device.js";
import { readU32, uploadBuffer } from "../../src/gpu/buffers.js";
import { UniformArena } from "../../src/gpu/uniforms.js";
import { RadixSort } from "../../src/gpu/radixSort.js";
import { PrefixSum } from "../../src/gpu/prefixSum.js";

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await acquireGpu();
});
afterAll(() => gpu?.destroy());

/** The scan layouts under test: the workgroup scan, and the subgroup one where the adapter has it. */
type ScanLayout = "workgroup" | "subgroup";

/** Why the subgroup scans are skipped (declared in test/declared-skips.json). */
const NO_SIMD_SUBGROUPS =
  "subgroup scans run only on a CPU adapter with one fixed subgroup width; this adapter has none";

/**
 * The subgroup width for `layout`; skips the test where this adapter does not run that layout
 * (the sort never chooses it there either, which is checked).
 */
function widthFor(layout: ScanLayout, ctx: TestContext): number | null {
  if (layout === "workgroup") return null;
  const w = simdSubgroupWidth(gpu);
  if (w === null) {
    expect(fixedSubgroupWidth(gpu) === null || gpu.kind === "hardware").toBe(true);
    ctx.skip(NO_SIMD_SUBGROUPS);
  }
  return w;
}

async function gpuSort(keys: Uint32Array, bits = 32, width: number | null = null) {
  const { device } = gpu;
  const n = keys.length;
  const vals = Uint32Array.from({ length: n }, (_, i) => i);
  const kb = uploadBuffer(device, n ? keys : new Uint32Array(1));
  const vb = uploadBuffer(device, n ? vals : new Uint32Array(1));
  const arena = new UniformArena(device);
  const sorter = new RadixSort(device, arena, width);
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  sorter.encode(pass, kb, vb, n, bits);
  pass.end();
  arena.flush();
  device.queue.submit([enc.finish()]);
  const k = await readU32(device, kb, n);
  const v = await readU32(device, vb, n);
  gpu.checkHealthy();
  sorter.destroy();
  arena.destroy();
  kb.destroy();
  vb.destroy();
  return { k, v };
}

/** Stable CPU order: by key, then by original index. */
function cpuOrder(keys: Uint32Array, mask: number): number[] {
  return Array.from(keys.keys()).sort(
    (a, b) => ((keys[a]! & mask) >>> 0) - ((keys[b]! & mask) >>> 0) || a - b,
  );
}

function randomKeys(rand: () => number, n: number, distinct: number): Uint32Array {
  const pool = Uint32Array.from({ length: distinct }, () => (rand() * 2 ** 32) >>> 0);
  return Uint32Array.from({ length: n }, () => pool[Math.floor(rand() * distinct)]!);
}

describe.each(["workgroup", "subgroup"] as const)(
  "GPU radix sort (%s scans) vs a CPU stable sort",
  (layout) => {
    for (const n of [0, 1, 2, 31, 33, 255, 257, 1023, 1025, 5000]) {
      it(`sorts ${n} keys with duplicates, stably`, async (ctx) => {
        const width = widthFor(layout, ctx);
        const rand = makeRandom(testSeed());
        const keys = randomKeys(rand, n, Math.max(1, n >> 2));
        const { k, v } = await gpuSort(keys, 32, width);
        const order = cpuOrder(keys, 0xffffffff);
        expect(Array.from(v)).toEqual(order);
        expect(Array.from(k)).toEqual(order.map((i) => keys[i]!));
      });
    }

    it("sorts 1M random keys (duplicates included) with payloads", async (ctx) => {
      const width = widthFor(layout, ctx);
      const rand = makeRandom(testSeed());
      const n = 1 << 20;
      const keys = randomKeys(rand, n, 300_000);
      const { k, v } = await gpuSort(keys, 32, width);
      const order = cpuOrder(keys, 0xffffffff);
      let mismatches = 0;
      for (let i = 0; i < n; i++) if (v[i] !== order[i] || k[i] !== keys[order[i]!]) mismatches++;
      expect(mismatches).toBe(0);
    });

    it("sorts by the low bits only when asked (tile keys), keeping input order for ties", async (ctx) => {
      const width = widthFor(layout, ctx);
      const rand = makeRandom(testSeed());
      const n = 3000;
      const keys = Uint32Array.from({ length: n }, () => Math.floor(rand() * 100));
      const { v } = await gpuSort(keys, 7, width);
      expect(Array.from(v)).toEqual(cpuOrder(keys, 0x7f));
    });
  },
);

describe.each(["workgroup", "subgroup"] as const)("GPU exclusive prefix sum (%s)", (layout) => {
  for (const n of [1, 1000, 1024, 1025, 300_000, 1_100_000]) {
    it(`scans ${n} values`, async (ctx) => {
      const width = widthFor(layout, ctx);
      const rand = makeRandom(testSeed());
      const { device } = gpu;
      const data = Uint32Array.from({ length: n }, () => Math.floor(rand() * 50));
      const buf = uploadBuffer(device, data);
      const arena = new UniformArena(device);
      const scan = new PrefixSum(device, arena, width);
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      scan.encode(pass, buf, n);
      pass.end();
      arena.flush();
      device.queue.submit([enc.finish()]);
      const out = await readU32(device, buf, n);
      gpu.checkHealthy();
      let acc = 0;
      let bad = 0;
      for (let i = 0; i < n; i++) {
        if (out[i] !== acc) bad++;
        acc += data[i]!;
      }
      expect(bad).toBe(0);
      scan.destroy();
      arena.destroy();
      buf.destroy();
    });
  }
});
