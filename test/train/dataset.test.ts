import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import {
  buildTrainingDataset,
  holdoutSplit,
  sceneBounds,
  scaledCamera,
  type SceneModelInput,
} from "../../src/train/dataset.js";
import { cameraCentre } from "../../src/contracts/sceneModel.js";
import { SplatbookError } from "../../src/util/errors.js";
import { lookAt } from "./syntheticScene.js";

function solidPng(path: string, w: number, h: number, rgb: [number, number, number]): void {
  const png = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) png.data.set([...rgb, 255], i * 4);
  writeFileSync(path, PNG.sync.write(png));
}

function model(dir: string, count: number): SceneModelInput {
  const images = [];
  // Listed in reverse order: the dataset must sort by name.
  for (let i = count - 1; i >= 0; i--) {
    const name = `img_${String(i).padStart(2, "0")}.png`;
    solidPng(join(dir, name), 64, 48, [i * 20, 255 - i * 20, 100]);
    images.push({
      id: i + 1,
      name,
      imagePath: join(dir, name),
      cameraId: 1,
      viewmat: lookAt([3, 0, i * 0.1 + 0.5]),
    });
  }
  return {
    cameras: new Map([
      [1, { id: 1, model: "PINHOLE", width: 64, height: 48, fx: 50, fy: 52, cx: 31, cy: 25 }],
    ]),
    images,
    points: { count: 0, xyz: new Float64Array(0), rgb: new Uint8Array(0) },
  };
}

describe("training dataset", () => {
  it("holds out every 8th image by sorted name, starting with the first", () => {
    expect(holdoutSplit(17).eval).toEqual([0, 8, 16]);
    expect(holdoutSplit(17).train.length).toBe(14);
    expect(holdoutSplit(1)).toEqual({ train: [0], eval: [] });
    expect(holdoutSplit(2)).toEqual({ train: [1], eval: [0] });
  });

  it("scales intrinsics with the decoded size (long side ≤ max resolution)", () => {
    const cam = { id: 1, model: "PINHOLE", width: 100, height: 30, fx: 80, fy: 81, cx: 50, cy: 15 };
    const c = scaledCamera(cam, new Float64Array(16), 16);
    expect([c.width, c.height]).toEqual([16, 5]);
    expect(c.fx).toBeCloseTo(80 * 0.16, 12);
    expect(c.fy).toBeCloseTo(81 * (5 / 30), 12);
    expect(c.cx).toBeCloseTo(8, 12);
    expect(c.cy).toBeCloseTo(2.5, 12);
    // Never upscales.
    expect(scaledCamera(cam, new Float64Array(16), 1000).width).toBe(100);
  });

  it("camera centres and scene extent follow 3DGS (1.1 × max distance from the centroid)", () => {
    const eye: [number, number, number] = [1, 2, 3];
    const c = cameraCentre(lookAt(eye));
    for (let a = 0; a < 3; a++) expect(c[a]).toBeCloseTo(eye[a]!, 12);
    const b = sceneBounds([lookAt([2, 0, 0]), lookAt([-2, 0, 0])]);
    expect(b.extent).toBeCloseTo(2.2, 12);
    expect(b.center[0]).toBeCloseTo(0, 12);
  });

  it("decodes images with ffmpeg at the scaled size, sorted, every 8th held out", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dataset-"));
    const ds = await buildTrainingDataset(model(dir, 10), dir, { maxResolution: 32 });
    expect(ds.eval.map((v) => v.name)).toEqual(["img_00.png", "img_08.png"]);
    expect(ds.train.map((v) => v.name)).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 9].map((i) => `img_0${i}.png`),
    );
    const v = ds.train[2]!; // img_03
    expect([v.image.width, v.image.height, v.image.data.length]).toEqual([32, 24, 32 * 24 * 3]);
    expect([v.camera.width, v.camera.height]).toEqual([32, 24]);
    expect(v.camera.fx).toBeCloseTo(25, 12);
    expect(v.camera.cy).toBeCloseTo(12.5, 12);
    // A solid colour survives decoding and area downscaling (within rounding of the RGB path).
    const px = [0, 1, 2].map((c) => v.image.data[(10 * 32 + 10) * 3 + c]! * 255);
    expect(Math.abs(px[0]! - 60)).toBeLessThanOrEqual(2);
    expect(Math.abs(px[1]! - 195)).toBeLessThanOrEqual(2);
    expect(Math.abs(px[2]! - 100)).toBeLessThanOrEqual(2);
  });

  it("names the missing image or unknown camera in a SplatbookError", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dataset-bad-"));
    const m = model(dir, 3);
    const broken = {
      ...m,
      images: m.images.map((im, i) => (i === 1 ? { ...im, imagePath: join(dir, "gone.png") } : im)),
    };
    const err = await buildTrainingDataset(broken, dir, { maxResolution: 32 }).catch((e) => e);
    expect(err).toBeInstanceOf(SplatbookError);
    expect(err.message).toMatch(/gone\.png: cannot decode image/);
    const noCam = { ...m, images: m.images.map((im) => ({ ...im, cameraId: 9 })) };
    await expect(buildTrainingDataset(noCam, dir, { maxResolution: 32 })).rejects.toThrow(
      /camera 9, which is not in the model/,
    );
  });
});
