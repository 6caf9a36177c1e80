import { mkdir, mkdtemp, readFile, rm, writeFile, cp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readColmapBinary } from "../../../src/sfm/colmapBinary.js";
import { writeModelInFrame } from "../../../src/sfm/georef/modelTransform.js";
import { cameraCentre } from "../../../src/sfm/sceneModel.js";
import { applySimilarity, norm, sub, type Vec3 } from "../../../src/sfm/georef/similarity.js";
import { runTool } from "../../../src/util/exec.js";
import { makeRandom, testSeed } from "../../seed.js";
import { randomModelFrame } from "./synthetic.js";

const COLMAP_ENV = { ...process.env, QT_QPA_PLATFORM: "offscreen" };
let root: string;

async function colmap(args: string[]): Promise<void> {
  const r = await runTool("colmap", args, { env: COLMAP_ENV });
  if (r.code !== 0) throw new Error(r.stderr);
}

/** A small text model (3 cameras looking at 4 points, with tracks), converted by COLMAP. */
async function writeModel(dir: string): Promise<void> {
  const txt = join(dir, "txt");
  await mkdir(txt, { recursive: true });
  await writeFile(join(txt, "cameras.txt"), "1 PINHOLE 64 48 50 50 32 24\n");
  await writeFile(
    join(txt, "images.txt"),
    [
      "1 1 0 0 0 0 0 4 1 a.jpg",
      "10 20 1 11 30 2 24 2 12",
      "2 0.9238795 0 0.3826834 0 -1 0 4.2 1 b.jpg",
      "12 22 1",
      "3 0.9659258 0.2588190 0 0 0.5 -1 4 1 c.jpg",
      "", // no 2-D points
      "",
    ].join("\n"),
  );
  await writeFile(
    join(txt, "points3D.txt"),
    [
      "1 0 0 0 200 10 10 0.5 1 0 2 0",
      "2 1 0.5 0.2 10 200 10 0.25 1 1",
      "12 0.2 -0.4 -0.3 90 90 90 1.5 1 2",
      "",
    ].join("\n"),
  );
  await mkdir(join(dir, "bin"), { recursive: true });
  await colmap([
    "model_converter",
    "--input_path",
    txt,
    "--output_path",
    join(dir, "bin"),
    "--output_type",
    "BIN",
  ]);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "splatbook-model-frame-"));
  await writeModel(root);
});
afterAll(() => (process.env.KEEP ? undefined : rm(root, { recursive: true, force: true })));

describe("writeModelInFrame", () => {
  it("maps poses and points through the similarity, keeping what COLMAP reads back", async () => {
    const seed = testSeed();
    const T = randomModelFrame(makeRandom(seed));
    const target = join(root, `target-${seed}`);
    await cp(join(root, "bin"), target, { recursive: true });
    await writeModelInFrame(join(root, "bin"), target, T);
    const raw = await readColmapBinary(join(root, "bin"));
    const out = await readColmapBinary(target);
    expect(out.images.map((i) => i.name)).toEqual(raw.images.map((i) => i.name));
    raw.images.forEach((img, k) => {
      const moved = applySimilarity(T, cameraCentre(img.viewmat));
      expect(norm(sub(cameraCentre(out.images[k]!.viewmat), moved))).toBeLessThan(
        1e-9 * (1 + norm(moved)),
      );
      // Every point projects where it did: the camera frame only scales with the world.
      for (let p = 0; p < raw.points.count; p++) {
        const x = [0, 1, 2].map((a) => raw.points.xyz[p * 3 + a]!) as Vec3;
        const y = [0, 1, 2].map((a) => out.points.xyz[p * 3 + a]!) as Vec3;
        expect(norm(sub(y, applySimilarity(T, x)))).toBeLessThan(1e-9 * (1 + norm(y)));
        const cam = (v: ArrayLike<number>, q: Vec3) =>
          [0, 1, 2].map(
            (r) => v[r * 4]! * q[0] + v[r * 4 + 1]! * q[1] + v[r * 4 + 2]! * q[2] + v[r * 4 + 3]!,
          );
        const a = cam(img.viewmat, x);
        const b = cam(out.images[k]!.viewmat, y);
        expect(b[0]! / b[2]!).toBeCloseTo(a[0]! / a[2]!, 9);
        expect(b[1]! / b[2]!).toBeCloseTo(a[1]! / a[2]!, 9);
        expect(b[2]! / a[2]!).toBeCloseTo(T.s, 9);
      }
    });
    // COLMAP reads the rewritten model; 2-D points, tracks, colours and errors are unchanged.
    const txtOut = join(root, `txt-${seed}`);
    await mkdir(txtOut);
    await colmap([
      "model_converter",
      "--input_path",
      target,
      "--output_path",
      txtOut,
      "--output_type",
      "TXT",
    ]);
    const images = (await readFile(join(txtOut, "images.txt"), "utf8"))
      .split("\n")
      .filter((l) => !l.startsWith("#"));
    expect(images[1]).toMatch(/^10 20 1 11 30 2 24 2 12$/);
    const points = (await readFile(join(txtOut, "points3D.txt"), "utf8"))
      .split("\n")
      .filter((l) => !l.startsWith("#"));
    expect(points.find((l) => l.startsWith("1 "))).toMatch(/ 200 10 10 0\.5 1 0 2 0$/);
    // Writing again is harmless: the raw model is the source.
    const once = await readFile(join(target, "images.bin"));
    await writeModelInFrame(join(root, "bin"), target, T);
    expect(Buffer.compare(once, await readFile(join(target, "images.bin")))).toBe(0);
  });

  it("refuses a model whose images are not in the raw model, naming it", async () => {
    const other = join(root, "other");
    await cp(join(root, "bin"), other, { recursive: true });
    const empty = join(root, "empty");
    await mkdir(empty);
    const zero = Buffer.alloc(8);
    await writeFile(join(empty, "images.bin"), zero);
    await writeFile(join(empty, "points3D.bin"), zero);
    const T = {
      s: 1,
      R: [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ] as never,
      t: [0, 0, 0] as Vec3,
    };
    await expect(writeModelInFrame(empty, other, T)).rejects.toThrow(
      /other: image \d+ is not in the model at .*empty$/,
    );
  });
});
