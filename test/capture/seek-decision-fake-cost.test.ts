// shouldSeek's cost model with injected (fake) decode costs; the keyframe scan is real ffprobe.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  probe,
  samplingPlan,
  shouldSeek,
  defaultExtractionOptions,
  type VideoProbe,
} from "../../src/capture/index.js";
import { makeVideo, removeDir, tempDir } from "./helpers.js";

let root: string;
let video: VideoProbe;
beforeAll(async () => {
  root = await tempDir();
  // 30 s at 30 fps with a keyframe every 15 frames (0.5 s): 900 frames.
  const out = await probe(await makeVideo(join(root, "long.mp4"), { size: "64x48", duration: 30 }));
  if (out.kind !== "video") throw new Error("probe failed");
  video = out.video;
});
afterAll(() => removeDir(root));

const plan = (frames: number) =>
  samplingPlan(video, { ...defaultExtractionOptions(), framesPerVideo: frames });

describe("seek decision (fake decode cost)", () => {
  it("seeks when decoding is expensive and frames are sparse", async () => {
    const costly = async () => ({ startupSecs: 0.1, perFrameSecs: 0.02 });
    expect(await shouldSeek(video, plan(10), costly)).toBe(true);
  });

  it("decodes in one pass when start-up dominates or windows are short", async () => {
    const cheap = async () => ({ startupSecs: 0.1, perFrameSecs: 0.0005 });
    expect(await shouldSeek(video, plan(10), cheap)).toBe(false);
    const costly = async () => ({ startupSecs: 0.1, perFrameSecs: 0.02 });
    expect(await shouldSeek(video, plan(60), costly)).toBe(false); // 0.5 s windows
  });
});
