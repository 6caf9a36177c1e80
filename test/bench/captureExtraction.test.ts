import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { benchFrameExtraction } from "../../src/bench/captureExtraction.js";
import { makeVideo, removeDir, tempDir } from "../capture/helpers.js";

let root: string;
beforeAll(async () => {
  root = await tempDir();
});
afterAll(() => removeDir(root));

describe("frame extraction benchmark", () => {
  it("times ours against plain ffmpeg writing the same number and size of frames", async () => {
    const video = await makeVideo(join(root, "v.mp4"), { size: "320x240" });
    const r = await benchFrameExtraction(video, { frames: 12, maxLongSide: 200, runs: 1 });
    expect(r.frames).toBe(12);
    expect([r.width, r.height]).toEqual([200, 150]);
    expect(r.oursSec).toBeGreaterThan(0);
    expect(r.plainSec).toBeGreaterThan(0);
    expect(r.ratio).toBeCloseTo(r.oursSec / r.plainSec, 9);
    expect(r.plainCommand).toContain("select=");
    expect(r.plainCommand).toContain("scale=200:150");
  });
});
