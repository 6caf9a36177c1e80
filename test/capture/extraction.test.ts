import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  extractFrames,
  defaultExtractionOptions,
  probe,
  validateInput,
  type ExtractionOptions,
  type VideoProbe,
} from "../../src/capture/index.js";
import { InterruptedError } from "../../src/util/errors.js";
import { runTool } from "../../src/util/exec.js";
import { makeVideo, recordingLogger, removeDir, tempDir } from "./helpers.js";

let root: string;
let plain: VideoProbe;

async function probed(path: string): Promise<VideoProbe> {
  const out = await probe(path);
  if (out.kind !== "video") throw new Error(`${path}: ${JSON.stringify(out)}`);
  return out.video;
}

/** Width and height of a JPEG, read by ffprobe. */
async function jpegSize(path: string): Promise<[number, number]> {
  const r = await runTool("ffprobe", [
    "-v",
    "error",
    "-show_entries",
    "stream=width,height",
    "-of",
    "csv=p=0",
    path,
  ]);
  const [w, h] = r.stdout.trim().split(",").map(Number);
  return [w!, h!];
}

/** Mean of the RGB channels in the top-left quarter of a frame (via ffmpeg to raw RGB). */
function opts(over: Partial<ExtractionOptions> = {}): ExtractionOptions {
  return { ...defaultExtractionOptions(), ...over };
}

beforeAll(async () => {
  root = await tempDir();
  plain = await probed(await makeVideo(join(root, "plain.mp4")));
});
afterAll(() => removeDir(root));

describe("frame extraction", () => {
  it("samples the requested number of frames uniformly, named frame_000001.jpg …", async () => {
    const out = join(root, "out-count");
    const res = await extractFrames(out, [plain], opts({ framesPerVideo: 10 }));
    expect(res.total_frames).toBe(10);
    const v = res.videos[0]!;
    expect(v.frames_dir).toBe("frames/plain");
    expect(v.frames.map((f) => f.path)).toEqual(
      Array.from(
        { length: 10 },
        (_, i) => `frames/plain/frame_${String(i + 1).padStart(6, "0")}.jpg`,
      ),
    );
    const files = (await readdir(join(out, "frames", "plain"))).sort();
    expect(files).toHaveLength(10);
    // Window centres of 0.2 s windows over 2 s: 0.1, 0.3, … → the frame nearest each.
    const ts = v.frames.map((f) => f.timestamp_secs!);
    ts.forEach((t, i) => expect(Math.abs(t - (0.2 * i + 0.1))).toBeLessThanOrEqual(1 / 60 + 1e-3));
    expect(await jpegSize(join(out, v.frames[0]!.path))).toEqual([160, 120]);
    expect([v.width, v.height]).toEqual([160, 120]);
  });

  it("all 60 frames when 60 are asked of a 60-frame video", async () => {
    const res = await extractFrames(join(root, "out-60"), [plain], opts({ framesPerVideo: 60 }));
    expect(res.total_frames).toBe(60);
    const ts = res.videos[0]!.frames.map((f) => Math.round(f.timestamp_secs! * 30));
    expect(ts).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });

  it("samples at a given fps instead of a count", async () => {
    const res = await extractFrames(join(root, "out-fps"), [plain], opts({ fps: 4 }));
    expect(res.total_frames).toBe(8);
  });

  it("limits the long side and never upscales", async () => {
    const big = await probed(
      await makeVideo(join(root, "big.mp4"), { size: "640x360", duration: 1 }),
    );
    const res = await extractFrames(
      join(root, "out-size"),
      [big, plain],
      opts({ framesPerVideo: 3, maxLongSide: 320 }),
    );
    const [b, p] = res.videos;
    expect([b!.width, b!.height]).toEqual([320, 180]);
    expect(await jpegSize(join(root, "out-size", b!.frames[0]!.path))).toEqual([320, 180]);
    expect([p!.width, p!.height]).toEqual([160, 120]);
    expect(await jpegSize(join(root, "out-size", p!.frames[2]!.path))).toEqual([160, 120]);
  });

  it("honours display rotation (portrait frames from a rotated landscape stream)", async () => {
    const rotatedPath = join(root, "rotated.mp4");
    const r = await runTool("ffmpeg", [
      "-v",
      "error",
      "-y",
      "-i",
      plain.path,
      "-c",
      "copy",
      "-metadata:s:v:0",
      "rotate=90",
      rotatedPath,
    ]);
    expect(r.code).toBe(0);
    const rotated = await probed(rotatedPath);
    const res = await extractFrames(
      join(root, "out-rot"),
      [rotated],
      opts({ framesPerVideo: 2, maxLongSide: 80 }),
    );
    const v = res.videos[0]!;
    expect([v.width, v.height]).toEqual([60, 80]);
    expect(await jpegSize(join(root, "out-rot", v.frames[0]!.path))).toEqual([60, 80]);
  });

  it("file names with spaces, quotes, $ and accents work (no shell), with unique safe folders", async () => {
    const dir = join(root, "names");
    await runTool("mkdir", ["-p", dir]);
    const names = [`my "clip" $HOME.mp4`, "l'été à Zürich.mov", "a b.mp4", "a_b.mp4"];
    for (const n of names) await makeVideo(join(dir, n), { duration: 1 });
    const validation = await validateInput(dir);
    expect(validation.videos.map((v) => v.filename).sort()).toEqual([...names].sort());
    const out = join(root, "out-names %d $x");
    const res = await extractFrames(out, validation.videos, opts({ framesPerVideo: 2 }));
    expect(res.total_frames).toBe(8);
    const stems = res.videos.map((v) => v.stem);
    expect(new Set(stems).size).toBe(4);
    for (const s of stems) expect(s).toMatch(/^[A-Za-z0-9._-]+$/);
    // "a b" and "a_b" clean to the same name: both get a hash of the full name.
    expect(stems.filter((s) => s.startsWith("a_b-"))).toHaveLength(2);
    for (const v of res.videos) {
      for (const f of v.frames) expect((await stat(join(out, f.path))).size).toBeGreaterThan(0);
    }
  });

  it("sharpest mode keeps the sharpest frame of each window", async () => {
    // Every frame but each third is blurred: n % 3 == 2 are the sharp ones.
    const path = await makeVideo(join(root, "blurry.mp4"), {
      extra: ["-vf", "boxblur=luma_radius=6:chroma_radius=2:enable='lt(mod(n\\,3)\\,2)'"],
    });
    const v = await probed(path);
    const res = await extractFrames(
      join(root, "out-sharp"),
      [v],
      opts({ framesPerVideo: 10, sharpest: true }),
    );
    const picked = res.videos[0]!.frames.map((f) => Math.round(f.timestamp_secs! * 30));
    expect(picked).toHaveLength(10);
    for (const n of picked) expect(n % 3).toBe(2);
    // Uniform sampling of the same video hits blurred frames too (so the test can fail).
    const uniform = await extractFrames(join(root, "out-unif"), [v], opts({ framesPerVideo: 10 }));
    const u = uniform.videos[0]!.frames.map((f) => Math.round(f.timestamp_secs! * 30));
    expect(u.some((n) => n % 3 !== 2)).toBe(true);
  });

  it("seek strategy writes byte-identical frames to the one-pass select strategy", async () => {
    const v = await probed(await makeVideo(join(root, "seekable.mp4"), { duration: 6 }));
    const sel = await extractFrames(join(root, "out-sel"), [v], opts({ framesPerVideo: 4 }), {
      strategy: "select",
    });
    const seek = await extractFrames(join(root, "out-seek"), [v], opts({ framesPerVideo: 4 }), {
      strategy: "seek",
    });
    expect(sel.videos[0]!.strategy).toBe("select");
    expect(seek.videos[0]!.strategy).toBe("seek");
    expect(seek.videos[0]!.frames.map((f) => f.timestamp_secs)).toEqual(
      sel.videos[0]!.frames.map((f) => f.timestamp_secs),
    );
    for (const [i, f] of sel.videos[0]!.frames.entries()) {
      const a = await readFile(join(root, "out-sel", f.path));
      const b = await readFile(join(root, "out-seek", seek.videos[0]!.frames[i]!.path));
      expect(a.equals(b)).toBe(true);
    }
    // A 180-frame video is always done in one pass.
    const auto = await extractFrames(join(root, "out-auto"), [v], opts({ framesPerVideo: 4 }));
    expect(auto.videos[0]!.strategy).toBe("select");
  });

  it("resume: a video already extracted with the same options is skipped", async () => {
    const second = await probed(await makeVideo(join(root, "second.mp4"), { duration: 1 }));
    const out = join(root, "out-resume");
    const first = await extractFrames(out, [plain], opts({ framesPerVideo: 5 }));
    const firstFrame = join(out, first.videos[0]!.frames[0]!.path);
    const mtimeBefore = (await stat(firstFrame)).mtimeMs;
    const done: string[] = [];
    const { log, lines } = recordingLogger();
    const again = await extractFrames(out, [plain, second], opts({ framesPerVideo: 5 }), {
      log,
      onVideoDone: async (name) => void done.push(name),
    });
    expect(again.total_frames).toBe(10);
    expect(done).toEqual(["second.mp4"]);
    expect(lines.info.join("\n")).toContain("plain.mp4: 5 frames already extracted, skipped");
    expect((await stat(firstFrame)).mtimeMs).toBe(mtimeBefore);
    expect(again.videos[0]).toEqual(first.videos[0]);
    // A deleted frame or different options mean re-extraction.
    const { rm } = await import("node:fs/promises");
    await rm(firstFrame);
    const redo: string[] = [];
    await extractFrames(out, [plain], opts({ framesPerVideo: 5 }), {
      onVideoDone: async (n) => void redo.push(n),
    });
    expect(redo).toEqual(["plain.mp4"]);
    const changed: string[] = [];
    const res = await extractFrames(out, [plain], opts({ framesPerVideo: 4 }), {
      onVideoDone: async (n) => void changed.push(n),
    });
    expect(changed).toEqual(["plain.mp4"]);
    expect(await readdir(join(out, "frames", "plain"))).toHaveLength(4);
    expect(res.total_frames).toBe(4);
    // A video gone from the input leaves no folder behind for COLMAP to pick up.
    expect((await readdir(join(out, "frames"))).sort()).toEqual(["plain"]);
  });

  it("an abort kills ffmpeg and leaves no half-extracted folder looking complete", async () => {
    const long = await probed(
      await makeVideo(join(root, "long.mp4"), { size: "640x480", duration: 20 }),
    );
    const out = join(root, "out-abort");
    const ac = new AbortController();
    const run = extractFrames(out, [long], opts({ framesPerVideo: 200 }), {
      signal: ac.signal,
      progress: (f) => {
        if (f > 0.05) ac.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(InterruptedError);
    expect(await readdir(join(out, "frames"))).toEqual([]);
    const sidecars = (await readdir(join(out, ".capture"))).filter((f) => f.endsWith(".json"));
    expect(sidecars).toEqual([]);
    // The rerun starts clean and completes.
    const res = await extractFrames(out, [long], opts({ framesPerVideo: 3 }));
    expect(res.total_frames).toBe(3);
    expect(
      JSON.parse(await readFile(join(out, ".capture", "long.json"), "utf8")).video.frames,
    ).toHaveLength(3);
    expect((await readdir(join(out, ".capture"))).some((f) => f.startsWith("partial-"))).toBe(
      false,
    );
  });
});
