import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cameraCentre,
  loadSceneModel,
  meanReprojectionError,
  readColmapBinary,
  readImageSize,
  viewmatFromQuaternion,
} from "../../src/sfm/index.js";
import { SplatbookError } from "../../src/util/errors.js";
import { makeRandom, testSeed } from "../seed.js";
import { put } from "./helpers.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "splatbook-readers-"));
});
afterAll(() => rm(root, { recursive: true, force: true }));

function png(width: number, height: number): Buffer {
  const img = new PNG({ width, height });
  img.data.fill(200);
  return PNG.sync.write(img);
}

/** Applies a row-major 4×4 world→camera matrix to a point. */
function toCamera(v: Float64Array, p: number[]): number[] {
  return [0, 1, 2].map(
    (r) => v[r * 4]! * p[0]! + v[r * 4 + 1]! * p[1]! + v[r * 4 + 2]! * p[2]! + v[r * 4 + 3]!,
  );
}

describe("COLMAP text model", () => {
  it("parses every part, names with spaces, empty 2D-point lines and all-model intrinsics", async () => {
    const dir = join(root, "txt");
    await put(
      join(dir, "cameras.txt"),
      [
        "# Camera list with one line of data per camera:",
        "1 SIMPLE_RADIAL 640 480 500 320 240 0.01",
        "2 OPENCV 800 600 610 620 400 300 0.1 -0.2 0.001 0.002",
        "3 SIMPLE_PINHOLE 100 50 90 50 25",
        "",
      ].join("\n"),
    );
    const random = makeRandom(testSeed());
    const q = [0, 1, 2, 3].map(() => random() * 2 - 1);
    await put(
      join(dir, "images.txt"),
      [
        "# Image list with two lines of data per image:",
        "#   IMAGE_ID, QW, QX, QY, QZ, TX, TY, TZ, CAMERA_ID, NAME",
        `7 ${q.join(" ")} 1 2 3 2 clip b/frame 1.jpg`,
        "10.5 20.5 4 11 12 -1",
        "3 1 0 0 0 0 0 0 1 a.jpg",
        "",
        "",
      ].join("\n"),
    );
    await put(
      join(dir, "points3D.txt"),
      ["# 3D point list", "4 1 2 3 255 0 10 0.5 7 0 3 1", "9 -1 -2 -3 1 2 3 1.5 7 1", ""].join(
        "\n",
      ),
    );
    await put(join(dir, "images", "a.jpg"), "");
    await put(join(dir, "images", "clip b", "frame 1.jpg"), "");
    const scene = await loadSceneModel(dir);
    expect(scene.format).toBe("colmap-txt");
    expect(scene.cameras.get(1)).toMatchObject({
      model: "SIMPLE_RADIAL",
      fx: 500,
      fy: 500,
      cx: 320,
      cy: 240,
    });
    expect(scene.cameras.get(2)).toMatchObject({
      model: "OPENCV",
      fx: 610,
      fy: 620,
      cx: 400,
      cy: 300,
    });
    expect(scene.cameras.get(2)!.params).toHaveLength(8);
    expect(scene.cameras.get(3)).toMatchObject({ width: 100, height: 50, fx: 90, cy: 25 });
    expect(scene.images.map((i) => i.name)).toEqual(["a.jpg", "clip b/frame 1.jpg"]);
    expect(scene.images[1]!.imagePath).toBe(join(dir, "images", "clip b", "frame 1.jpg"));
    const v = scene.images[1]!.viewmat;
    // Rotation is orthonormal whatever the quaternion's norm; translation is copied.
    for (let r = 0; r < 3; r++) {
      expect(Math.hypot(v[r * 4]!, v[r * 4 + 1]!, v[r * 4 + 2]!)).toBeCloseTo(1, 12);
    }
    expect([v[3], v[7], v[11], v[15]]).toEqual([1, 2, 3, 1]);
    // Identity pose: camera at the origin.
    expect(Array.from(scene.images[0]!.viewmat)).toEqual([
      1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1,
    ]);
    expect(scene.points.count).toBe(2);
    expect(Array.from(scene.points.ids)).toEqual([4, 9]);
    expect(Array.from(scene.points.rgb)).toEqual([255, 0, 10, 1, 2, 3]);
    expect(Array.from(scene.points.trackLength)).toEqual([2, 1]);
    // The images observing each point, in point order: (7, 0), (3, 1) then (7, 1).
    expect(Array.from(scene.points.trackImageIds!)).toEqual([7, 3, 7]);
    expect(meanReprojectionError(scene.points)).toBe(1);
  });

  it("names the file and line of a malformed record", async () => {
    const dir = join(root, "bad-txt");
    await put(join(dir, "cameras.txt"), "1 PINHOLE 640 480 500 500 320\n");
    await put(join(dir, "images.txt"), "");
    await put(join(dir, "points3D.txt"), "");
    await expect(loadSceneModel(dir, { imagesDir: dir })).rejects.toThrow(
      /cameras\.txt:1: PINHOLE needs 4 parameters/,
    );
  });
});

describe("COLMAP binary model", () => {
  it("reports a truncated file by name", async () => {
    const dir = join(root, "bad-bin");
    const cameras = Buffer.alloc(8 + 4 + 4 + 8 + 8 + 8); // one PINHOLE camera, params cut short
    cameras.writeBigUInt64LE(1n, 0);
    cameras.writeUInt32LE(1, 8);
    cameras.writeInt32LE(1, 12);
    await put(join(dir, "cameras.bin"), cameras);
    await put(join(dir, "images.bin"), Buffer.alloc(8));
    await put(join(dir, "points3D.bin"), Buffer.alloc(8));
    const err = await readColmapBinary(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SplatbookError);
    expect((err as Error).message).toMatch(/cameras\.bin: truncated at byte/);
  });
});

describe("nerfstudio transforms.json", () => {
  it("converts OpenGL camera→world poses to OpenCV world→camera, with per-frame intrinsics", async () => {
    const dir = join(root, "ns");
    await put(join(dir, "images", "f0.png"), png(8, 6));
    await put(join(dir, "images", "f1.png"), png(8, 6));
    // Camera 0 at (0,0,5) looking down −z (OpenGL identity rotation), camera 1 rotated 90° about
    // y at (5,0,0), looking down −x; both look at the origin.
    const c2w0 = [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 5],
      [0, 0, 0, 1],
    ];
    const c2w1 = [
      [0, 0, 1, 5],
      [0, 1, 0, 0],
      [-1, 0, 0, 0],
      [0, 0, 0, 1],
    ];
    await put(
      join(dir, "points.ply"),
      "ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\n" +
        "property uchar red\nproperty uchar green\nproperty uchar blue\nend_header\n0 0 0 10 20 30\n1 2 3 40 50 60\n",
    );
    await writeFile(
      join(dir, "transforms.json"),
      JSON.stringify({
        fl_x: 10,
        fl_y: 11,
        cx: 4,
        cy: 3,
        w: 8,
        h: 6,
        ply_file_path: "points.ply",
        frames: [
          { file_path: "images/f0.png", transform_matrix: c2w0 },
          { file_path: "images/f1", transform_matrix: c2w1, fl_x: 12, fl_y: 12 },
        ],
      }),
    );
    const scene = await loadSceneModel(dir);
    expect(scene.format).toBe("transforms");
    expect(scene.cameras.size).toBe(2);
    const [i0, i1] = scene.images;
    expect(i1!.imagePath).toBe(join(dir, "images", "f1.png"));
    expect(scene.cameras.get(i0!.cameraId)).toMatchObject({
      model: "PINHOLE",
      fx: 10,
      fy: 11,
      cx: 4,
      cy: 3,
      width: 8,
    });
    expect(scene.cameras.get(i1!.cameraId)).toMatchObject({ fx: 12, fy: 12 });
    expect(cameraCentre(i0!.viewmat).map((x) => x + 0)).toEqual([0, 0, 5]);
    expect(cameraCentre(i1!.viewmat).map((x) => x + 0)).toEqual([5, 0, 0]);
    // The origin is straight ahead (+z in OpenCV) at distance 5 for both.
    expect(toCamera(i0!.viewmat, [0, 0, 0]).map((x) => x + 0)).toEqual([0, 0, 5]);
    expect(toCamera(i1!.viewmat, [0, 0, 0]).map((x) => x + 0)).toEqual([0, 0, 5]);
    // World +y (OpenGL up) is image up: negative y in OpenCV camera coordinates.
    expect(toCamera(i0!.viewmat, [0, 1, 0])[1]).toBe(-1);
    // For camera 1 (looking down −x), world −z is to its right: +x in the image.
    expect(toCamera(i1!.viewmat, [0, 0, -1])[0]).toBe(1);
    expect(scene.points.count).toBe(2);
    expect(Array.from(scene.points.xyz)).toEqual([0, 0, 0, 1, 2, 3]);
    expect(Array.from(scene.points.rgb)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it("takes camera_angle_x and image sizes from the files when w/h are absent", async () => {
    const dir = join(root, "blender");
    await put(join(dir, "r_0.png"), png(20, 10));
    await put(
      join(dir, "transforms.json"),
      JSON.stringify({
        camera_angle_x: Math.PI / 2,
        frames: [
          {
            file_path: "./r_0",
            transform_matrix: [
              [1, 0, 0, 0],
              [0, 1, 0, 0],
              [0, 0, 1, 0],
              [0, 0, 0, 1],
            ],
          },
        ],
      }),
    );
    const scene = await loadSceneModel(join(dir, "transforms.json"));
    const cam = [...scene.cameras.values()][0]!;
    expect(cam).toMatchObject({ width: 20, height: 10, cx: 10, cy: 5 });
    expect(cam.fx).toBeCloseTo(10, 12);
    expect(cam.fy).toBeCloseTo(10, 12);
    expect(scene.points.count).toBe(0);
  });

  it("names a missing image and a bad matrix", async () => {
    const dir = join(root, "broken");
    // A 2×2 transforms.json with one frame.
    const oneFrame = (file_path: string, transform_matrix: unknown) =>
      JSON.stringify({ fl_x: 1, w: 2, h: 2, frames: [{ file_path, transform_matrix }] });
    await put(join(dir, "transforms.json"), oneFrame("nope.png", []));
    await expect(loadSceneModel(dir)).rejects.toThrow(
      /transforms\.json: frames\[0\]: image nope\.png not found/,
    );
    await put(join(dir, "ok.png"), png(2, 2));
    await put(join(dir, "transforms.json"), oneFrame("ok.png", [[1]]));
    await expect(loadSceneModel(dir)).rejects.toThrow(
      /frames\[0\]: transform_matrix must be a 4×4/,
    );
  });
});

describe("helpers", () => {
  it("viewmatFromQuaternion matches a rotation about z by 90°", () => {
    const s = Math.SQRT1_2;
    const v = viewmatFromQuaternion([s, 0, 0, s], [0, 0, 0]);
    expect(toCamera(v, [1, 0, 0])[0]).toBeCloseTo(0, 12);
    expect(toCamera(v, [1, 0, 0])[1]).toBeCloseTo(1, 12);
  });

  it("reads PNG and JPEG sizes from headers", async () => {
    const p = join(root, "size.png");
    await writeFile(p, png(33, 17));
    expect(await readImageSize(p)).toEqual({ width: 33, height: 17 });
    await writeFile(join(root, "not.jpg"), "hello");
    await expect(readImageSize(join(root, "not.jpg"))).rejects.toThrow(
      /not\.jpg: not a PNG or JPEG/,
    );
  });
});
