import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probe, validateInput } from "../../src/capture/index.js";
import { SplatbookError } from "../../src/util/errors.js";
import { makeAudio, makeVideo, recordingLogger, removeDir, tempDir } from "./helpers.js";

let root: string;
let good: string;
let goodFaststart: string;

/** Copies the first half of a file's bytes. */
async function halve(src: string, dest: string): Promise<void> {
  const bytes = await readFile(src);
  await writeFile(dest, bytes.subarray(0, Math.floor(bytes.length / 2)));
}

/** A folder holding exactly these files; returns its path. */
async function folderWith(name: string, files: Record<string, string | Buffer>): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  for (const [f, content] of Object.entries(files)) {
    if (typeof content === "string" && content.startsWith("@copy:")) {
      await writeFile(join(dir, f), await readFile(content.slice(6)));
    } else await writeFile(join(dir, f), content);
  }
  return dir;
}

async function expectFailure(dir: string): Promise<SplatbookError> {
  const err = await validateInput(dir).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SplatbookError);
  return err as SplatbookError;
}

beforeAll(async () => {
  root = await tempDir();
  good = await makeVideo(join(root, "good.mp4"));
  goodFaststart = await makeVideo(join(root, "good-fs.mp4"), { faststart: true });
});
afterAll(() => removeDir(root));

describe("probe", () => {
  it("reports duration, fps, size, codec, frame count, size and mtime of a real video", async () => {
    const out = await probe(good);
    expect(out.kind).toBe("video");
    if (out.kind !== "video") return;
    const v = out.video;
    expect(v.duration_secs).toBeCloseTo(2, 1);
    expect(v.fps).toBeCloseTo(30, 3);
    expect([v.width, v.height, v.display_width, v.display_height]).toEqual([160, 120, 160, 120]);
    expect(v.codec).toBe("h264");
    expect(v.nb_frames).toBe(60);
    expect(v.rotation).toBe(0);
    const s = await stat(good);
    expect(v.size).toBe(s.size);
    expect(v.mtimeMs).toBe(s.mtimeMs);
  });

  it("reads display rotation from the display matrix and swaps the display size", async () => {
    const rotated = join(root, "rotated.mp4");
    const { runTool } = await import("../../src/util/exec.js");
    const r = await runTool("ffmpeg", [
      "-v",
      "error",
      "-y",
      "-i",
      good,
      "-c",
      "copy",
      "-metadata:s:v:0",
      "rotate=90",
      rotated,
    ]);
    expect(r.code).toBe(0);
    const out = await probe(rotated);
    if (out.kind !== "video") throw new Error(JSON.stringify(out));
    expect(out.video.rotation).toBe(270); // ffmpeg's rotate=90 tag = display matrix of -90 cw
    expect([out.video.display_width, out.video.display_height]).toEqual([120, 160]);
  });
});

describe("validation: hostile inputs fail naming the file and the cause", () => {
  it("empty folder", async () => {
    const dir = await folderWith("empty", {});
    const err = await expectFailure(dir);
    expect(err.message).toContain(dir);
    expect(err.message).toContain("folder is empty");
  });

  it("missing folder", async () => {
    const err = await expectFailure(join(root, "nope"));
    expect(err.message).toMatch(/nope: folder does not exist/);
  });

  it("a text file named .mp4", async () => {
    const dir = await folderWith("text", { "notes.mp4": "hello, this is not a video\n" });
    const err = await expectFailure(dir);
    expect(err.message).toContain("notes.mp4: not a video file (text content)");
  });

  it("a zero-byte .mp4", async () => {
    const dir = await folderWith("zero", { "empty.mp4": "" });
    const err = await expectFailure(dir);
    expect(err.message).toContain("empty.mp4: zero-byte file");
  });

  it("an mp4 cut in half (moov at the end)", async () => {
    const dir = await folderWith("trunc-ns", {});
    await halve(good, join(dir, "clip.mp4"));
    const err = await expectFailure(dir);
    expect(err.message).toContain("clip.mp4: truncated (moov atom not found)");
  });

  it("an mp4 cut in half (faststart: the index survives, the data does not)", async () => {
    const dir = await folderWith("trunc-fs", {});
    await halve(goodFaststart, join(dir, "clip.mp4"));
    const err = await expectFailure(dir);
    expect(err.message).toMatch(/clip\.mp4: truncated \(/);
  });

  it("a faststart mp4 missing only its last 5 % (caught by the tail demux check)", async () => {
    const dir = await folderWith("trunc-tail", {});
    const bytes = await readFile(goodFaststart);
    await writeFile(join(dir, "clip.mp4"), bytes.subarray(0, Math.floor(bytes.length * 0.95)));
    const err = await expectFailure(dir);
    expect(err.message).toMatch(/clip\.mp4: truncated \(partial file/);
  });

  it("an audio-only file", async () => {
    const dir = await folderWith("audio", {});
    await makeAudio(join(dir, "song.m4a"));
    const err = await expectFailure(dir);
    expect(err.message).toContain("song.m4a: no video stream");
  });

  it("lists every broken file when none is usable", async () => {
    const dir = await folderWith("all-bad", { "empty.mp4": "", "README.txt": "read me\n" });
    await halve(good, join(dir, "clip.mp4"));
    const err = await expectFailure(dir);
    expect(err.message).toContain("empty.mp4: zero-byte file");
    expect(err.message).toContain("clip.mp4: truncated (moov atom not found)");
    expect(err.message).toContain("README.txt");
    expect(err.message.includes("\n")).toBe(false);
  });
});

describe("validation: mixed and special folders", () => {
  it("a good video + a broken one + a readme completes, warning with the names", async () => {
    const dir = await folderWith("mixed", {
      "good.mp4": `@copy:${good}`,
      "README.txt": "how this was shot\n",
      "hi.txt": "hi\n", // shorter than any container signature
      ".hidden.mp4": "",
    });
    await halve(goodFaststart, join(dir, "broken.mp4"));
    const { log, lines } = recordingLogger();
    const result = await validateInput(dir, { log });
    expect(result.video_count).toBe(1);
    expect(result.videos.map((v) => v.filename)).toEqual(["good.mp4"]);
    expect(result.broken.map((b) => b.filename)).toEqual(["broken.mp4"]);
    expect(result.skipped).toEqual([
      { filename: "README.txt", cause: "not a video file (text content)" },
      { filename: "hi.txt", cause: "not a video file (text content)" },
    ]);
    expect(lines.warn.join("\n")).toMatch(/broken\.mp4: truncated/);
    expect(lines.warn.join("\n")).toMatch(/README\.txt/);
    expect(lines.warn.join("\n")).not.toMatch(/hidden/);
  });

  it("an image beside a video is a photo of a mixed capture; a text file is skipped", async () => {
    const dir = await folderWith("with-image", { "good.mp4": `@copy:${good}`, "notes.txt": "hi" });
    const { runTool } = await import("../../src/util/exec.js");
    await runTool("ffmpeg", ["-v", "error", "-i", good, "-frames:v", "1", join(dir, "still.png")]);
    const { log, lines } = recordingLogger();
    const result = await validateInput(dir, { log });
    expect(result.video_count).toBe(1);
    expect(result.photos.map((p) => p.filename)).toEqual(["still.png"]);
    expect(result.skipped.map((s) => s.filename)).toEqual(["notes.txt"]);
    expect(lines.info.join("\n")).toContain("found 1 photo(s), 1 video(s)");
  });

  it.each([
    ["colmap", "sparse/0", ".bin"],
    ["colmap", ".", ".txt"],
    ["colmap", "colmap/sparse/0", ".bin"],
  ])(
    "detects a precalibrated %s model in %s (%s) without requiring videos",
    async (kind, rel, ext) => {
      const dir = await folderWith(`pre-${rel.replace(/\W/g, "_")}${ext}`, {});
      await mkdir(join(dir, rel), { recursive: true });
      for (const n of ["cameras", "images", "points3D"])
        await writeFile(join(dir, rel, n + ext), "");
      const result = await validateInput(dir);
      expect(result.precalibrated).toEqual({ kind, path: join(dir, rel) });
      expect(result.video_count).toBe(0);
      expect(result.skipped).toEqual([]); // model files are not "non-video files"
    },
  );

  it("detects a nerfstudio transforms.json", async () => {
    const dir = await folderWith("pre-transforms", { "transforms.json": "{}" });
    const result = await validateInput(dir);
    expect(result.precalibrated).toEqual({
      kind: "transforms",
      path: join(dir, "transforms.json"),
    });
  });
});
