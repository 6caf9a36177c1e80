import { readFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { probe } from "../../src/capture/probe.js";
import { videoMetadata } from "../../src/capture/metadataExtraction.stage.js";
import { horizontalFovDeg, posedCameraBlock } from "../../src/sample/povCamera.js";
import { cameraPoses } from "../../src/sample/cameraPaths.js";
import {
  CORPUS,
  cachedRender,
  corpusCacheRoot,
  corpusCapture,
  specsHash,
  withoutDrift,
} from "../../src/sample/corpus.js";
import { renderVideos, type VideoSpec } from "../../src/sample/render.js";
import { frameLooks, type ExposureDrift } from "../../src/sample/exposure.js";
import { renderPhotos } from "../../src/sample/stills.js";
import { worldSource } from "../../src/sample/worlds.js";
import { runTool } from "../../src/util/exec.js";

const dirs: string[] = [];
async function tempDir(name: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), `splatbook-corpus-${name}-`));
  dirs.push(d);
  return d;
}
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe("the capture corpus", () => {
  const videos = CORPUS.flatMap((c) => c.videos().map((v) => ({ capture: c.name, ...v })));

  it("varies what SfM and training must cope with", () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(4);
    expect(CORPUS.map((c) => c.name)).toContain("sample");
    const counts = new Set(CORPUS.map((c) => c.videos().length));
    for (const n of [1, 2, 3]) expect(counts.has(n)).toBe(true);
    const shortSides = new Set(videos.map((v) => Math.min(v.width, v.height)));
    expect(shortSides.has(240)).toBe(true);
    expect(shortSides.has(720)).toBe(true);
    const frames = videos.map((v) => v.frames);
    expect(Math.min(...frames)).toBeLessThanOrEqual(30);
    expect(Math.max(...frames)).toBeGreaterThanOrEqual(150);
    expect(new Set(videos.map((v) => v.path))).toEqual(new Set(["orbit", "walk"]));
    expect(videos.some((v) => v.handHeld)).toBe(true);
    // Phone auto-exposure on some captures, fixed exposure on others.
    expect(videos.some((v) => v.autoExposure)).toBe(true);
    expect(videos.some((v) => !v.autoExposure)).toBe(true);
    expect(videos.some((v) => v.rotation === 90 && v.height > v.width)).toBe(true);
    expect(videos.some((v) => v.fileName.includes(" "))).toBe(true);
    const tagged = videos.filter((v) => Object.keys(v.tags).some((k) => /location/i.test(k)));
    expect(tagged.length).toBeGreaterThan(0);
    expect(tagged.length).toBeLessThan(videos.length); // some, not all
    // Field of view differs between the videos of one capture.
    expect(CORPUS.some((c) => new Set(c.videos().map((v) => v.fovDeg)).size >= 3)).toBe(true);
    // Scene geometry differs: at least four different scene sources.
    const worlds = new Set(
      CORPUS.flatMap((c) => [...c.specs(), ...(c.photos?.() ?? [])]).map((s) =>
        s.source.replace(/^[\s\S]*?camera \{[\s\S]*?\}\n/, ""),
      ),
    );
    expect(worlds.size).toBeGreaterThanOrEqual(4);
  });

  it("is deterministic in its specification and names captures clearly", () => {
    for (const c of CORPUS) expect(specsHash(c.specs())).toBe(specsHash(c.specs()));
    expect(() => corpusCapture("nope")).toThrow(/unknown corpus capture "nope"; known: .*sample/);
  });

  it("caches under SPLATBOOK_CACHE_DIR, XDG_CACHE_HOME or ~/.cache", () => {
    expect(corpusCacheRoot({ SPLATBOOK_CACHE_DIR: "/c" })).toBe("/c/corpus");
    expect(corpusCacheRoot({ XDG_CACHE_HOME: "/x" })).toBe("/x/splatbook/corpus");
    expect(corpusCacheRoot({})).toMatch(/\.cache\/splatbook\/corpus$/);
  });
});

/** A tiny upright portrait clip of the courtyard from a hand-held arc. */
function tinyPortrait(rotation: 0 | 90): VideoSpec {
  const [width, height, frames] = [48, 64, 3];
  const poses = cameraPoses(
    {
      kind: "orbit",
      centre: [0, 0, 0],
      radius: 5,
      height: 1.5,
      startDeg: 250,
      sweepDeg: 20,
      lookAt: [0, 1.2, 0],
      jitter: { position: 0.05, gaze: 0.1, rollDeg: 3, seed: 1 },
    },
    frames,
  );
  return {
    fileName: rotation ? "IMG 0001.MOV" : "upright.mp4",
    source: `#version 3.7;\n${posedCameraBlock(poses, width, height, horizontalFovDeg(width, 60))}\n${worldSource("courtyard")}`,
    ...{ width, height, frames, fps: 30, rotation },
    tags: {
      "com.apple.quicktime.make": "Apple",
      "com.apple.quicktime.model": "iPhone 12",
      "com.apple.quicktime.location.ISO6709": "+48.8584+002.2945+035.000/",
      "com.apple.quicktime.camera.focal_length.35mm_equivalent": "26",
    },
  };
}

/** Raw RGB frames as ffmpeg decodes them (autorotated, as FrameExtraction sees them). */
async function decode(video: string): Promise<Buffer> {
  const raw = join(await tempDir("raw"), "frames.rgb");
  const r = await runTool("ffmpeg", [
    ...["-v", "error", "-i", video, "-f", "rawvideo", "-pix_fmt", "rgb24", raw],
  ]);
  expect(r.code).toBe(0);
  return readFile(raw);
}

describe("rendering", () => {
  it("writes a phone-style rotated video: stored landscape, displayed upright, tags read back", async () => {
    const dir = join(await tempDir("phone"), "with space");
    const [rotated, upright] = await renderVideos(dir, [tinyPortrait(90), tinyPortrait(0)]);
    expect(basename(rotated!)).toBe("IMG 0001.MOV");
    const outcome = await probe(rotated!);
    if (outcome.kind !== "video")
      throw new Error(`not probed as a video: ${JSON.stringify(outcome)}`);
    const v = outcome.video;
    expect([v.width, v.height]).toEqual([64, 48]); // stored sideways
    expect([v.display_width, v.display_height]).toEqual([48, 64]);
    expect(v.rotation).toBe(90);
    const meta = videoMetadata(v);
    expect(meta.make).toBe("Apple");
    expect(meta.model).toBe("iPhone 12");
    expect(meta.gps?.latitude).toBeCloseTo(48.8584, 4);
    expect(meta.focal_length_35mm).toBe(26);
    // Decoded with autorotation, the rotated clip shows the same picture as an upright encode.
    const [a, b] = await Promise.all([decode(rotated!), decode(upright!)]);
    expect(a.length).toBe(48 * 64 * 3 * 3);
    expect(b.length).toBe(a.length);
    // Mean absolute difference against the upright clip, and against it turned half a turn
    // (what a wrong rotation would give): the rotated clip must match the upright one.
    const turned = Buffer.alloc(b.length);
    const px = 48 * 64;
    for (let f = 0; f < 3; f++)
      for (let i = 0; i < px; i++)
        b.copy(turned, (f * px + i) * 3, (f * px + px - 1 - i) * 3, (f * px + px - i) * 3);
    const mad = (x: Buffer, y: Buffer) => {
      let d = 0;
      for (let i = 0; i < x.length; i++) d += Math.abs(x[i]! - y[i]!);
      return d / x.length;
    };
    const [same, wrong] = [mad(a, b), mad(a, turned)];
    console.log(
      `rotated vs upright: mean abs diff ${same.toFixed(2)} (half-turned: ${wrong.toFixed(2)})`,
    );
    expect(same).toBeLessThan(8); // chroma subsampling and coding differ with the orientation
    expect(same).toBeLessThan(wrong / 3);
  });

  it("renders auto-exposure: each frame's brightness follows its gain, against the same video without", async () => {
    const drift: ExposureDrift = {
      kind: "auto-exposure",
      ...{ seed: 3, gain: 0.4, whiteBalance: 0, flareFrames: 0, blurFrames: 0 },
    };
    const fixed = { ...tinyPortrait(0), fileName: "fixed.mp4" };
    const dir = await tempDir("drift");
    const [drifted, plain] = await renderVideos(dir, [
      { ...fixed, fileName: "drifted.mp4", drift },
      fixed,
    ]);
    expect(withoutDrift([{ ...fixed, drift }])).toEqual([fixed]);
    const [a, b] = await Promise.all([decode(drifted!), decode(plain!)]);
    const looks = frameLooks(drift, 3);
    const px = 48 * 64 * 3;
    for (let f = 0; f < 3; f++) {
      let sa = 0;
      let sb = 0;
      let clipped = 0;
      for (let i = f * px; i < (f + 1) * px; i++) {
        // Pixels the gain would push past white saturate; compare the others.
        if (b[i]! * looks[f]!.gain > 245) {
          clipped++;
          continue;
        }
        sa += a[i]!;
        sb += b[i]!;
      }
      expect(clipped).toBeLessThan(px / 2);
      expect(sa / sb).toBeCloseTo(looks[f]!.gain, 1);
    }
  });

  it("caches a render once, even when asked twice at the same time", async () => {
    const root = await tempDir("cache");
    const specs = [tinyPortrait(0)];
    const [x, y] = await Promise.all([
      cachedRender("tiny", specs, { cacheRoot: root }),
      cachedRender("tiny", specs, { cacheRoot: root }),
    ]);
    expect([x.rendered, y.rendered].sort()).toEqual([false, true]);
    expect(x.dir).toBe(y.dir);
    expect(x.dir).toBe(join(root, `tiny-${specsHash(specs)}`));
    const again = await cachedRender("tiny", specs, { cacheRoot: root });
    expect(again.rendered).toBe(false);
    expect((await readFile(again.videos[0]!)).length).toBeGreaterThan(1000);
  });
});

describe("photos", () => {
  it("are stored turned against their EXIF orientation, with their tags", async () => {
    const dir = join(await tempDir("photos"), "with space");
    const poses = cameraPoses(
      {
        kind: "orbit",
        centre: [0, 0, 0],
        radius: 5,
        height: 1.5,
        startDeg: 250,
        sweepDeg: 20,
        lookAt: [0, 1.2, 0],
      },
      2,
    );
    const tags = {
      Make: "Apple",
      Model: "iPhone 13",
      FocalLengthIn35mmFormat: 26,
      GPSLatitude: 48.5,
      GPSLatitudeRef: "S",
    };
    const [upright, sideways] = await renderPhotos(dir, [
      {
        source: `#version 3.7;\n${posedCameraBlock(poses, 48, 64, 50)}\n${worldSource("courtyard")}`,
        ...{ width: 48, height: 64 },
        photos: [
          { fileName: "a/up.jpg", tags },
          { fileName: "side.jpg", orientation: 6, tags },
        ],
      },
    ]);
    const r = await runTool("exiftool", ["-json", "-n", upright!, sideways!]);
    const [a, b] = JSON.parse(r.stdout) as Record<string, number | string>[];
    expect([a!.ImageWidth, a!.ImageHeight, a!.Orientation]).toEqual([48, 64, 1]);
    expect([b!.ImageWidth, b!.ImageHeight, b!.Orientation]).toEqual([64, 48, 6]);
    expect([b!.Make, b!.Model, b!.FocalLengthIn35mmFormat, b!.GPSLatitude]).toEqual([
      "Apple",
      "iPhone 13",
      26,
      -48.5,
    ]);
  });
});
