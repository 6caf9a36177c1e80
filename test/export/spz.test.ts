/** SPZ (v2, v3): round trips within quantisation, splat-transform reads ours, bad files. */
import { sigmoid } from "../../src/contracts/gaussians.js";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { MemoryReadFileSystem, readFile as splatTransformRead } from "@playcanvas/splat-transform";
import { describe, expect, test } from "vitest";
import { decodeSpz, encodeSpz, readSpz, writeSpz } from "../../src/export/index.js";
import { SplatbookError } from "../../src/util/errors.js";
import { testSeed } from "../seed.js";
import { randomParams } from "./randomParams.js";

/** Random parameters inside SPZ's ranges (SH rest within ±1, log scales within −10..5.9). */
function spzParams(seed: number, degree: number) {
  const p = randomParams(seed, 40, degree);
  const K = (degree + 1) ** 2;
  p.sh.forEach((v, i) => (p.sh[i] = i % (K * 3) < 3 ? v : v * 0.45));
  return p;
}

/** Unit quaternion with w ≥ 0 (q and −q are the same rotation). */
function canonical(q: ArrayLike<number>, i: number): number[] {
  const v = [0, 1, 2, 3].map((k) => q[i * 4 + k]!);
  const n = Math.hypot(...v) * (v[0]! < 0 ? -1 : 1);
  return v.map((x) => x / n);
}

describe("SPZ", () => {
  test.each([2, 3] as const)("version %i round trip stays within quantisation", (version) => {
    const seed = testSeed();
    for (const degree of [0, 1, 3]) {
      const p = spzParams(seed, degree);
      const back = decodeSpz(encodeSpz(p, version));
      const K = (degree + 1) ** 2;
      expect(back.count).toBe(40);
      expect(back.maxShDegree).toBe(degree);
      for (let i = 0; i < 40; i++) {
        const where = `seed ${seed}, degree ${degree}, splat ${i}`;
        for (let k = 0; k < 3; k++) {
          expect(Math.abs(back.means[i * 3 + k]! - p.means[i * 3 + k]!), where).toBeLessThanOrEqual(
            0.5 / 4096 + 1e-6,
          );
          expect(
            Math.abs(back.logScales[i * 3 + k]! - p.logScales[i * 3 + k]!),
            where,
          ).toBeLessThanOrEqual(0.5 / 16 + 1e-6);
          // DC colours saturate outside the byte range; compare where representable.
          const dc = p.sh[i * K * 3 + k]!;
          if (Math.abs(dc * 0.15 * 255) < 127) {
            expect(Math.abs(back.sh[i * K * 3 + k]! - dc), where).toBeLessThanOrEqual(
              0.5 / (0.15 * 255) + 1e-6,
            );
          }
        }
        expect(
          Math.abs(sigmoid(back.opacityLogits[i]!) - sigmoid(p.opacityLogits[i]!)),
          where,
        ).toBeLessThanOrEqual(0.5 / 255 + 1e-6);
        const qa = canonical(back.quats, i);
        const qb = canonical(p.quats, i);
        // v2 derives w from x, y, z: where w ≈ 0 its error is ~sqrt(step), hence the looser bound.
        const dot = Math.abs(qa.reduce((s, v, k) => s + v * qb[k]!, 0));
        expect(dot, where).toBeGreaterThan(version === 3 ? 0.99999 : 0.99);
        for (let j = 3; j < K * 3; j++) {
          const bucket = j < 12 ? 8 : 16;
          expect(
            Math.abs(back.sh[i * K * 3 + j]! - p.sh[i * K * 3 + j]!),
            where,
          ).toBeLessThanOrEqual((bucket / 2 + 0.5) / 128 + 1e-6);
        }
      }
    }
  });

  test.each([2, 3] as const)(
    "splat-transform reads our version %i with the same positions and fields",
    async (version) => {
      const seed = testSeed();
      const p = spzParams(seed, 3);
      const fileSystem = new MemoryReadFileSystem();
      fileSystem.set("m.spz", encodeSpz(p, version));
      const [table] = await splatTransformRead({
        filename: "m.spz",
        inputFormat: "spz",
        options: {} as never,
        params: [],
        fileSystem,
      });
      expect(table!.numRows).toBe(40);
      const ours = decodeSpz(encodeSpz(p, version));
      const col = (name: string) => table!.getColumnByName(name)!.data;
      for (let i = 0; i < 40; i++) {
        const where = `seed ${seed}, splat ${i}`;
        ["x", "y", "z"].forEach((n, k) =>
          expect(Math.abs(col(n)[i]! - p.means[i * 3 + k]!), where).toBeLessThanOrEqual(
            0.5 / 4096 + 1e-6,
          ),
        );
        const theirs = canonical(
          [0, 1, 2, 3].map((k) => col(`rot_${k}`)[i]!),
          0,
        );
        const mine = canonical(ours.quats, i);
        // Version 2 stores x, y, z; the reader derives w = sqrt(1 − x² − y² − z²) in float32, whose
        // rounding of 1 − x² − y² − z² (a few 2⁻²⁴) grows by 1 / (2w) when w is small.
        const tolerance = 1e-5 + 2.5e-7 / Math.abs(mine[0]!);
        theirs.forEach((v, k) => expect(Math.abs(v - mine[k]!), where).toBeLessThan(tolerance));
        // Their f_rest is channel-major (PLY); ours coefficient-major: f_rest_{c·15 + k−1} = sh[k][c].
        for (const [k, c] of [
          [1, 0],
          [3, 2],
          [5, 1],
          [12, 0],
          [15, 2],
        ] as const) {
          expect(
            Math.abs(col(`f_rest_${c * 15 + k - 1}`)[i]! - ours.sh[(i * 16 + k) * 3 + c]!),
            `${where}, sh ${k}/${c}`,
          ).toBeLessThan(1e-5);
        }
        expect(Math.abs(col("scale_1")[i]! - ours.logScales[i * 3 + 1]!), where).toBeLessThan(1e-5);
      }
    },
  );

  test("bad files give SplatbookErrors naming the file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "spz-bad-"));
    const good = encodeSpz(spzParams(testSeed(), 1));
    const header = new Uint8Array(16);
    new DataView(header.buffer).setUint32(0, 0x5053474e, true);
    new DataView(header.buffer).setUint32(4, 9, true);
    const cases: [string, Uint8Array, RegExp][] = [
      ["cut.spz", good.subarray(0, good.length - 20), /not a valid SPZ file \(gzip: /],
      ["plain.spz", new Uint8Array(Buffer.from("hello")), /gzip/],
      ["v9.spz", new Uint8Array(gzipSync(header)), /version 9 is not supported/],
    ];
    for (const [name, bytes, pattern] of cases) {
      await writeFile(join(dir, name), bytes);
      const err = await readSpz(join(dir, name)).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(SplatbookError);
      expect((err as Error).message).toContain(join(dir, name));
      expect((err as Error).message).toMatch(pattern);
    }
    const far = spzParams(testSeed(), 0);
    far.means[4] = 5000;
    await expect(writeSpz(join(dir, "far.spz"), far)).rejects.toThrow(
      /far\.spz: SPZ: splat 1 lies outside the ±2048 m range/,
    );
  });
});
