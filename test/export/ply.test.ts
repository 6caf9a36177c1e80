/** PLY writer/reader: exact round trips, byte-wise layout, foreign INRIA-style files, bad files. */
import { allocateParams } from "../../src/contracts/gaussians.js";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  decodePly,
  encodePly,
  plyPropertyNames,
  readPly,
  writePly,
} from "../../src/export/index.js";
import { SplatbookError } from "../../src/util/errors.js";
import { testSeed } from "../seed.js";
import { randomParams } from "./randomParams.js";

/** A copy of `bytes` with an equal-length ASCII string replaced (header surgery). */
function renamed(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const copy = Buffer.from(bytes);
  const at = copy.indexOf(from);
  copy.write(to, at, "ascii");
  return new Uint8Array(copy);
}

/** The INRIA layout's last properties, after the SH coefficients, in file order. */
const INRIA_TAIL = ["opacity", "scale_0", "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3"];

describe("PLY", () => {
  test.each([0, 1, 2, 3])("write → read is exact at SH degree %i", async (degree) => {
    const seed = testSeed();
    const params = randomParams(seed, 37, degree);
    const dir = await mkdtemp(join(tmpdir(), "ply-"));
    await writePly(join(dir, "m.ply"), params);
    const back = await readPly(join(dir, "m.ply"));
    expect(back.count).toBe(37);
    expect(back.maxShDegree).toBe(degree);
    for (const key of ["means", "logScales", "quats", "opacityLogits", "sh"] as const) {
      expect(Array.from(back[key]), `${key}, seed ${seed}`).toEqual(Array.from(params[key]));
    }
  });

  test("header and field order are byte-exact", () => {
    const p = allocateParams(2, 3);
    // Splat 1 gets distinct values so each property's position can be checked.
    p.means.set([1, 2, 3], 3);
    for (let k = 0; k < 16; k++) for (let c = 0; c < 3; c++) p.sh[(16 + k) * 3 + c] = 100 * c + k;
    p.opacityLogits[1] = -7;
    p.logScales.set([-1, -2, -3], 3);
    p.quats.set([0.5, 0.6, 0.7, 0.8], 4);
    const bytes = encodePly(p);
    const names = plyPropertyNames(3);
    expect(names).toHaveLength(62);
    const header =
      "ply\nformat binary_little_endian 1.0\nelement vertex 2\n" +
      names.map((n) => `property float ${n}\n`).join("") +
      "end_header\n";
    expect(Buffer.from(bytes.subarray(0, header.length)).toString("ascii")).toBe(header);
    expect(names.slice(0, 9)).toEqual([
      "x",
      "y",
      "z",
      "nx",
      "ny",
      "nz",
      "f_dc_0",
      "f_dc_1",
      "f_dc_2",
    ]);
    expect(names.slice(54)).toEqual(INRIA_TAIL);
    expect(bytes.length).toBe(header.length + 2 * 62 * 4);
    const row = new DataView(bytes.buffer, header.length + 62 * 4, 62 * 4);
    const at = (name: string) => row.getFloat32(names.indexOf(name) * 4, true);
    expect([at("x"), at("y"), at("z"), at("nx"), at("ny"), at("nz")]).toEqual([1, 2, 3, 0, 0, 0]);
    expect([at("f_dc_0"), at("f_dc_1"), at("f_dc_2")]).toEqual([0, 100, 200]);
    // Channel-major: f_rest index c·15 + (k − 1) holds coefficient k of channel c.
    expect(at("f_rest_0")).toBe(1);
    expect(at("f_rest_14")).toBe(15);
    expect(at("f_rest_15")).toBe(101);
    expect(at("f_rest_44")).toBe(215);
    expect([at("opacity"), at("scale_0"), at("scale_1"), at("scale_2")]).toEqual([-7, -1, -2, -3]);
    expect([at("rot_0"), at("rot_1"), at("rot_2"), at("rot_3")].map((v) => +v.toFixed(6))).toEqual([
      0.5, 0.6, 0.7, 0.8,
    ]);
  });

  test("reads foreign INRIA-style files: shuffled double properties, extra elements, big endian, ascii", () => {
    const props = [
      "rot_3",
      "x",
      "opacity",
      "f_dc_2",
      "scale_1",
      "y",
      "rot_0",
      "z",
      "f_dc_0",
      "scale_0",
      "rot_2",
      "f_dc_1",
      "scale_2",
      "rot_1",
      "red",
    ];
    const value = (name: string, i: number) => (name.charCodeAt(0) + name.length) * 0.25 + i; // exact in f64
    const head = (format: string) =>
      `ply\r\nformat ${format} 1.0\r\ncomment foreign\r\nelement camera 1\r\nproperty float fov\r\nelement vertex 2\r\n` +
      props.map((n) => `property double ${n}\r\n`).join("") +
      "end_header\r\n";
    const check = (p: ReturnType<typeof decodePly>) => {
      expect(p.count).toBe(2);
      expect(p.maxShDegree).toBe(0);
      expect(p.means[3]).toBe(value("x", 1));
      expect(p.quats[4 + 3]).toBe(value("rot_3", 1));
      expect(p.sh[3 + 2]).toBe(value("f_dc_2", 1));
      expect(p.opacityLogits[0]).toBe(value("opacity", 0));
    };
    for (const little of [true, false]) {
      const h = Buffer.from(head(little ? "binary_little_endian" : "binary_big_endian"));
      const body = new DataView(new ArrayBuffer(4 + 2 * props.length * 8));
      body.setFloat32(0, 1.5, little);
      for (let i = 0; i < 2; i++)
        props.forEach((n, k) =>
          body.setFloat64(4 + (i * props.length + k) * 8, value(n, i), little),
        );
      check(decodePly(new Uint8Array(Buffer.concat([h, new Uint8Array(body.buffer)]))));
    }
    const ascii =
      head("ascii") +
      "1.5\n" +
      [0, 1].map((i) => props.map((n) => value(n, i)).join(" ")).join("\n") +
      "\n";
    check(decodePly(new Uint8Array(Buffer.from(ascii))));
  });

  test("corrupt and truncated files give SplatbookErrors naming file and cause", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ply-bad-"));
    const good = encodePly(randomParams(testSeed(), 4, 1));
    const cases: [string, Uint8Array, RegExp][] = [
      [
        "truncated.ply",
        good.subarray(0, good.length - 5),
        /truncated PLY: 4 vertices need \d+ bytes, the file has \d+/,
      ],
      ["noheader.ply", good.subarray(0, 100), /no end_header/],
      ["notply.ply", new Uint8Array(Buffer.from("hello world")), /missing 'ply' magic/],
      [
        "mesh.ply",
        new Uint8Array(
          Buffer.from(
            "ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\nend_header\n0 0 0\n",
          ),
        ),
        /missing f_dc_0/,
      ],
      [
        "rest.ply",
        renamed(good, "f_rest_8", "f_rest_X"),
        /8 f_rest properties do not match an SH degree/,
      ],
    ];
    for (const [name, bytes, pattern] of cases) {
      await writeFile(join(dir, name), bytes);
      const err = await readPly(join(dir, name)).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(SplatbookError);
      expect((err as SplatbookError).message, name).toContain(join(dir, name));
      expect((err as SplatbookError).message, name).toMatch(pattern);
    }
    const missing = await readPly(join(dir, "nope.ply")).catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(/nope\.ply: cannot read \(ENOENT\)/);
  });

  test("f_rest counts that match no SH degree are rejected", () => {
    const text =
      "ply\nformat ascii 1.0\nelement vertex 1\n" +
      [
        "x",
        "y",
        "z",
        "f_dc_0",
        "f_dc_1",
        "f_dc_2",
        "f_rest_0",
        "f_rest_1",
        "f_rest_2",
        "f_rest_3",
        "f_rest_4",
        "f_rest_5",
        ...INRIA_TAIL,
      ]
        .map((n) => `property float ${n}\n`)
        .join("") +
      "end_header\n" +
      Array(20).fill("0").join(" ") +
      "\n";
    expect(() => decodePly(new Uint8Array(Buffer.from(text)), "six.ply")).toThrow(
      /six\.ply: 6 f_rest properties do not match/,
    );
  });

  test("non-finite values are refused and no file is left behind", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ply-nan-"));
    const params = randomParams(testSeed(), 3, 0);
    params.logScales[4] = Number.NaN;
    await expect(writePly(join(dir, "m.ply"), params)).rejects.toThrow(
      /splat 1 has a non-finite logScales value/,
    );
    await expect(readFile(join(dir, "m.ply"))).rejects.toThrow(/ENOENT/);
  });
});
