/** SPLAT writer/reader: byte-exact quantisation, sort order, round trips, bad files. */
import { SH_C0, allocateParams, sigmoid } from "../../src/contracts/gaussians.js";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { decodeSplat, encodeSplat, readSplat, writeSplat } from "../../src/export/index.js";
import { SplatbookError } from "../../src/util/errors.js";
import { testSeed } from "../seed.js";
import { randomParams } from "./randomParams.js";

describe("SPLAT", () => {
  test("one splat quantises byte-exactly", () => {
    const p = allocateParams(1, 2);
    p.means.set([1.5, -2, 3.25]);
    p.logScales.set([Math.log(0.5), Math.log(2), 0]);
    p.sh.set([0, 1, -3]); // colours 0.5, 0.5 + C0, clamped 0
    p.opacityLogits[0] = Math.log(0.9 / 0.1);
    p.quats.set([2, 0, -2, 0]); // normalised (0.7071, 0, −0.7071, 0)
    const bytes = encodeSplat(p);
    expect(bytes.length).toBe(32);
    const v = new DataView(bytes.buffer);
    expect([0, 4, 8].map((o) => v.getFloat32(o, true))).toEqual([1.5, -2, 3.25]);
    expect([12, 16, 20].map((o) => v.getFloat32(o, true))).toEqual([0.5, 2, 1]);
    expect(Array.from(bytes.subarray(24, 28))).toEqual([
      128,
      Math.round((0.5 + SH_C0) * 255),
      0,
      Math.round(0.9 * 255),
    ]);
    const r = Math.round(Math.SQRT1_2 * 128 + 128);
    expect(Array.from(bytes.subarray(28, 32))).toEqual([r, 128, 256 - r, 128]);
    // Saturated quaternion components clamp to 0..255.
    p.quats.set([1, 0, 0, 0]);
    p.sh.set([5, 5, 5]);
    const sat = encodeSplat(p);
    expect(Array.from(sat.subarray(24, 27))).toEqual([255, 255, 255]);
    expect(sat[28]).toBe(255);
  });

  test("sorted by exp(scale sum)·sigmoid(opacity), descending, ties in input order", () => {
    const p = allocateParams(4, 0);
    const keys = [
      [0, 0],
      [1, 0],
      [0, 2],
      [0, 0],
    ]; // [log scale sum, opacity logit]
    keys.forEach(([s, o], i) => {
      p.means[i * 3] = i;
      p.logScales[i * 3] = s!;
      p.opacityLogits[i] = o!;
      p.quats[i * 4] = 1;
    });
    const v = new DataView(encodeSplat(p).buffer);
    const order = [0, 1, 2, 3].map((row) => v.getFloat32(row * 32, true));
    // e·0.5 = 1.359 > 1·sigmoid(2) = 0.881 > 0.5 = 0.5 (ties keep order 0, 3).
    expect(order).toEqual([1, 2, 0, 3]);

    const seed = testSeed();
    const random = decodeSplat(encodeSplat(randomParams(seed, 200, 1)));
    let last = Infinity;
    for (let i = 0; i < random.count; i++) {
      const key =
        Math.exp(
          random.logScales[i * 3]! + random.logScales[i * 3 + 1]! + random.logScales[i * 3 + 2]!,
        ) * sigmoid(random.opacityLogits[i]!);
      // Decoded alpha is quantised, so allow its 0.5/255 step in the comparison.
      expect(key, `seed ${seed}, row ${i}`).toBeLessThanOrEqual(last * (1 + 1e-5) + 2 / 255);
      last = key;
    }
  });

  test("write → read keeps values to within quantisation; re-encoding is stable", async () => {
    const seed = testSeed();
    const params = randomParams(seed, 64, 3);
    const dir = await mkdtemp(join(tmpdir(), "splat-"));
    await writeSplat(join(dir, "m.splat"), params);
    const back = await readSplat(join(dir, "m.splat"));
    expect(back.count).toBe(64);
    expect(back.maxShDegree).toBe(0);
    const byPosition = new Map<number, number>();
    for (let i = 0; i < 64; i++) byPosition.set(Math.fround(params.means[i * 3]!), i);
    for (let r = 0; r < 64; r++) {
      const i = byPosition.get(back.means[r * 3]!)!;
      const where = `seed ${seed}, splat ${i}`;
      for (let k = 0; k < 3; k++) {
        expect(back.means[r * 3 + k], where).toBe(params.means[i * 3 + k]);
        expect(
          Math.abs(back.logScales[r * 3 + k]! - params.logScales[i * 3 + k]!),
          where,
        ).toBeLessThan(1e-6);
        const colour = Math.min(1, Math.max(0, 0.5 + SH_C0 * params.sh[i * 48 + k]!));
        expect(Math.abs(0.5 + SH_C0 * back.sh[r * 3 + k]! - colour), where).toBeLessThanOrEqual(
          0.5 / 255 + 1e-6,
        );
      }
      const alpha = sigmoid(params.opacityLogits[i]!);
      expect(Math.abs(sigmoid(back.opacityLogits[r]!) - alpha), where).toBeLessThanOrEqual(
        0.5 / 255 + 1e-6,
      );
      const q = [0, 1, 2, 3].map((k) => params.quats[i * 4 + k]!);
      const n = Math.hypot(...q);
      for (let k = 0; k < 4; k++) {
        expect(
          Math.abs(back.quats[r * 4 + k]! - Math.min(127 / 128, q[k]! / n)),
          where,
        ).toBeLessThanOrEqual(0.5 / 128 + 1e-6);
      }
    }
    const first = encodeSplat(params);
    const again = encodeSplat(back);
    // Match rows by position: quantised alphas may reorder near-equal sort keys.
    const rowOf = (bytes: Uint8Array) => {
      const v = new DataView(bytes.buffer, bytes.byteOffset);
      return new Map(Array.from({ length: 64 }, (_, r) => [v.getFloat32(r * 32, true), r]));
    };
    const firstRows = rowOf(first);
    for (const [x, r] of rowOf(again)) {
      const f = firstRows.get(x)!;
      // Everything but the rotation re-encodes to the same bytes; rotation moves by at most 1.
      expect(Array.from(again.subarray(r * 32, r * 32 + 28))).toEqual(
        Array.from(first.subarray(f * 32, f * 32 + 28)),
      );
      for (let k = 28; k < 32; k++)
        expect(Math.abs(again[r * 32 + k]! - first[f * 32 + k]!)).toBeLessThanOrEqual(1);
    }
  });

  test("truncated, empty and corrupt files give SplatbookErrors naming the file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "splat-bad-"));
    const good = encodeSplat(randomParams(testSeed(), 3, 0));
    const zeroScale = new Uint8Array(good);
    new DataView(zeroScale.buffer).setFloat32(32 + 16, 0, true);
    const cases: [string, Uint8Array, RegExp][] = [
      ["cut.splat", good.subarray(0, 90), /90 bytes is not a multiple of 32/],
      ["empty.splat", new Uint8Array(0), /empty \.splat file/],
      ["zero.splat", zeroScale, /splat 1 has an invalid scale 0/],
    ];
    for (const [name, bytes, pattern] of cases) {
      await writeFile(join(dir, name), bytes);
      const err = await readSplat(join(dir, name)).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(SplatbookError);
      expect((err as Error).message).toContain(join(dir, name));
      expect((err as Error).message).toMatch(pattern);
    }
  });
});
