/**
 * Interoperability: PlayCanvas splat-transform (its real library and CLI, on this Node) reads our
 * PLY and SPLAT with the same splat count and positions, and the PLY's other fields intact.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  MemoryReadFileSystem,
  getInputFormat,
  readFile as splatTransformRead,
} from "@playcanvas/splat-transform";
import { describe, expect, test } from "vitest";
import { encodePly, encodeSplat, writePly, writeSplat } from "../../src/export/index.js";
import { splatSortOrder } from "../../src/export/splat.js";
import { testSeed } from "../seed.js";
import { randomParams } from "./randomParams.js";

async function readWithLibrary(name: string, bytes: Uint8Array) {
  const fileSystem = new MemoryReadFileSystem();
  fileSystem.set(name, bytes);
  const tables = await splatTransformRead({
    filename: name,
    inputFormat: getInputFormat(name),
    options: {} as never,
    params: [],
    fileSystem,
  });
  expect(tables).toHaveLength(1);
  return tables[0]!;
}

const column = (table: Awaited<ReturnType<typeof readWithLibrary>>, name: string) => {
  const c = table.getColumnByName(name);
  expect(c, `column ${name}`).not.toBeNull();
  return c!.data;
};

describe("splat-transform reads our files", () => {
  test("PLY via the library: count, positions and every property", async () => {
    const seed = testSeed();
    const params = randomParams(seed, 50, 3);
    const table = await readWithLibrary("model.ply", encodePly(params));
    expect(table.numRows).toBe(50);
    for (let i = 0; i < 50; i++) {
      ["x", "y", "z"].forEach((n, k) =>
        expect(column(table, n)[i], `seed ${seed}`).toBe(params.means[i * 3 + k]),
      );
      expect(column(table, "opacity")[i]).toBe(params.opacityLogits[i]);
      expect(column(table, "scale_2")[i]).toBe(params.logScales[i * 3 + 2]);
      expect(column(table, "rot_0")[i]).toBe(params.quats[i * 4]);
      expect(column(table, "f_dc_1")[i]).toBe(params.sh[i * 48 + 1]);
      // f_rest_16 = channel 1, coefficient 2 (channel-major, 15 per channel).
      expect(column(table, "f_rest_16")[i]).toBe(params.sh[(i * 16 + 2) * 3 + 1]);
    }
  });

  test("SPLAT via the library: count and positions in our sort order", async () => {
    const seed = testSeed();
    const params = randomParams(seed, 50, 1);
    const table = await readWithLibrary("model.splat", encodeSplat(params));
    expect(table.numRows).toBe(50);
    splatSortOrder(params).forEach((i, row) => {
      ["x", "y", "z"].forEach((n, k) =>
        expect(column(table, n)[row], `seed ${seed}`).toBe(params.means[i * 3 + k]),
      );
    });
  });

  test("the splat-transform CLI converts our PLY and SPLAT files", async () => {
    const seed = testSeed();
    const params = randomParams(seed, 20, 2);
    const dir = await mkdtemp(join(tmpdir(), "st-cli-"));
    await writePly(join(dir, "model.ply"), params);
    await writeSplat(join(dir, "model.splat"), params);
    const pkg = createRequire(import.meta.url).resolve("@playcanvas/splat-transform");
    const cli = join(dirname(pkg), "..", "bin", "cli.mjs"); // pkg = <package>/dist/index.cjs
    for (const input of ["model.ply", "model.splat"]) {
      const out = join(dir, `${input}.csv`);
      const r = spawnSync(process.execPath, [cli, "-q", "-w", join(dir, input), out], {
        encoding: "utf8",
      });
      expect(r.status, `${input}: ${r.stderr}`).toBe(0);
      const [header, ...rows] = (await readFile(out, "utf8")).trim().split("\n");
      expect(rows).toHaveLength(20);
      const names = header!.split(",");
      const xs = rows.map((row) => Number(row.split(",")[names.indexOf("x")]));
      const expected = Array.from({ length: 20 }, (_, i) => params.means[i * 3]!);
      expect([...xs].sort(), `seed ${seed}`).toEqual([...expected].sort());
    }
  });
});
