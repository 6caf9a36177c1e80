// The four capture stages driven through a fake engine context (tests/helpers.ts: results kept in
// a map, saveStageProgress recorded); ffprobe/ffmpeg/exiftool underneath are real.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  captureStages,
  frameExtractionStage,
  manifestGenerationStage,
  metadataExtractionStage,
  validationStage,
} from "../../src/capture/index.js";
import { ManifestSchema } from "../../src/contracts/manifest.js";
import { SplatbookError } from "../../src/util/errors.js";
import { fakeContext, makeVideo, removeDir, tempDir } from "./helpers.js";

let root: string;
let input: string;

beforeAll(async () => {
  root = await tempDir();
  input = join(root, "in");
  await mkdir(input);
  await makeVideo(join(input, "a.mp4"), {
    extra: [
      "-metadata",
      "make=DJI",
      "-metadata",
      "model=Mini 4 Pro",
      "-movflags",
      "+use_metadata_tags",
    ],
  });
  await makeVideo(join(input, "b clip.mp4"), { duration: 1 });
  await writeFile(join(input, "README.txt"), "notes\n");
});
afterAll(() => removeDir(root));

describe("capture stages with a fake engine context", () => {
  it("are exported in pipeline order with the engine's stage names", () => {
    expect(captureStages.map((s) => s.name)).toEqual([
      "Validation",
      "FrameExtraction",
      "MetadataExtraction",
      "ManifestGeneration",
    ]);
  });

  it("run 0–3 end to end: summaries, per-video progress saves, manifest", async () => {
    const out = join(root, "out");
    const ctx = fakeContext(input, out, { framesPerVideo: 5, maxLongSide: 100 });
    expect(validationStage.skipReason).toBeUndefined();
    const v = await validationStage.run(ctx);
    expect(validationStage.summarize!(v)).toEqual({ video_count: 2, photo_count: 0 });
    expect(ctx.lines.warn.join("\n")).toContain("README.txt");
    ctx.results.set("Validation", v);
    expect(frameExtractionStage.skipReason!(ctx)).toBeNull();
    const f = await frameExtractionStage.run(ctx);
    expect(frameExtractionStage.summarize!(f)).toEqual({ total_frames: 10 });
    expect(f.videos.map((x) => [x.width, x.height])).toEqual([
      [100, 75],
      [100, 75],
    ]);
    // Each video's completion was persisted, accumulating.
    expect(ctx.saved).toHaveLength(2);
    expect(Object.keys(ctx.saved[1]!.videos!).sort()).toEqual(["a.mp4", "b clip.mp4"]);
    expect(ctx.saved[1]!.videos!["a.mp4"]).toMatchObject({ frames_extracted: 5, done: true });
    expect(ctx.progressCalls.at(-1)).toBeCloseTo(1, 6);
    ctx.results.set("FrameExtraction", f);
    const m = await metadataExtractionStage.run(ctx);
    expect(m.videos[0]!.make).toBe("DJI");
    ctx.results.set("MetadataExtraction", m);
    const r = await manifestGenerationStage.run(ctx);
    expect(manifestGenerationStage.summarize!(r)).toEqual({
      manifest_path: join(out, "manifest.json"),
    });
    const manifest = ManifestSchema.parse(JSON.parse(await readFile(r.manifest_path, "utf8")));
    expect(manifest.job_id).toBe("job-test");
    expect(manifest.videos.map((x) => x.camera_model)).toEqual(["DJI Mini 4 Pro", null]);
    expect(manifest.videos[1]!.frames[0]!.path).toMatch(
      /^frames\/b_clip-[0-9a-f]{8}\/frame_000001\.jpg$/,
    );
    // Results are plain JSON (they live in the checkpoint).
    for (const res of [v, f, m, r]) expect(JSON.parse(JSON.stringify(res))).toEqual(res);
  });

  it("on rerun, reuses exactly the videos the checkpoint records as done", async () => {
    const out = join(root, "out-resume");
    const first = fakeContext(input, out, { framesPerVideo: 3 });
    first.results.set("Validation", await validationStage.run(first));
    await frameExtractionStage.run(first);
    const videos = first.saved.at(-1)!.videos!;
    // As if killed after a.mp4 was recorded: only it is reused.
    const resumed = fakeContext(input, out, { framesPerVideo: 3 }, { "a.mp4": videos["a.mp4"]! });
    resumed.results.set("Validation", first.results.get("Validation"));
    const r = await frameExtractionStage.run(resumed);
    expect(resumed.lines.info.join("\n")).toContain("a.mp4: 3 frames already extracted, skipped");
    expect(Object.keys(resumed.saved.at(-1)!.videos!).sort()).toEqual(["a.mp4", "b clip.mp4"]);
    expect(resumed.saved).toHaveLength(1); // only b clip.mp4 was extracted again
    expect(r.total_frames).toBe(6);
    // A fresh checkpoint (no per-video record) re-extracts everything.
    const fresh = fakeContext(input, out, { framesPerVideo: 3 });
    fresh.results.set("Validation", first.results.get("Validation"));
    await frameExtractionStage.run(fresh);
    expect(fresh.saved).toHaveLength(2);
    expect(fresh.lines.info.join("\n")).not.toContain("already extracted");
  });

  it("fingerprints hold only what changes the output", async () => {
    const a = fakeContext(input, join(root, "fp"), { framesPerVideo: 5, steps: 100 });
    const b = fakeContext(input, join(root, "fp"), { framesPerVideo: 5, steps: 999 });
    const c = fakeContext(input, join(root, "fp"), { framesPerVideo: 6 });
    expect(frameExtractionStage.fingerprintInputs(a)).toEqual(
      frameExtractionStage.fingerprintInputs(b),
    );
    expect(frameExtractionStage.fingerprintInputs(a)).not.toEqual(
      frameExtractionStage.fingerprintInputs(c),
    );
    expect(manifestGenerationStage.fingerprintInputs(a)).toEqual(
      manifestGenerationStage.fingerprintInputs(c),
    );
    const d = fakeContext(input, join(root, "fp"), { defaultFovDeg: 50 });
    expect(manifestGenerationStage.fingerprintInputs(a)).not.toEqual(
      manifestGenerationStage.fingerprintInputs(d),
    );
    const ids = (await validationStage.fingerprintInputs(a)) as { files: { name: string }[] };
    expect(ids.files.map((x) => x.name)).toEqual(["README.txt", "a.mp4", "b clip.mp4"]);
    await writeFile(join(input, "README.txt"), "notes, edited\n");
    expect(await validationStage.fingerprintInputs(a)).not.toEqual(ids);
  });

  it("stages 1–3 are skipped with the reason when the input is precalibrated", async () => {
    const pre = join(root, "pre");
    await mkdir(join(pre, "sparse", "0"), { recursive: true });
    for (const n of ["cameras", "images", "points3D"])
      await writeFile(join(pre, "sparse", "0", `${n}.bin`), "");
    const ctx = fakeContext(pre, join(root, "pre-out"));
    const v = await validationStage.run(ctx);
    expect(v.video_count).toBe(0);
    ctx.results.set("Validation", v);
    const reason = `precalibrated input: COLMAP model at ${join(pre, "sparse", "0")}`;
    for (const stage of [frameExtractionStage, metadataExtractionStage, manifestGenerationStage]) {
      expect(stage.skipReason!(ctx)).toBe(reason);
    }
  });

  it("validation failure is a SplatbookError naming the file", async () => {
    const bad = join(root, "bad");
    await mkdir(bad);
    await writeFile(join(bad, "empty.mp4"), "");
    const ctx = fakeContext(bad, join(root, "bad-out"));
    await expect(validationStage.run(ctx)).rejects.toThrow(SplatbookError);
    await expect(validationStage.run(ctx)).rejects.toThrow(/empty\.mp4: zero-byte file/);
  });
});
