import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderSample, SAMPLE_METADATA } from "../../src/sample/index.js";
import { runTool } from "../../src/util/exec.js";

const dirs: string[] = [];
async function tempDir(name: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), `splatbook-sample-${name}-`));
  dirs.push(d);
  return d;
}
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function probe(file: string): Promise<{
  streams: {
    codec_name: string;
    pix_fmt: string;
    width: number;
    height: number;
    nb_frames: string;
  }[];
  format: { tags: Record<string, string> };
}> {
  const r = await runTool("ffprobe", [
    ...["-v", "error", "-of", "json"],
    ...["-show_entries", "stream=codec_name,pix_fmt,width,height,nb_frames:format_tags"],
    file,
  ]);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe("renderSample", () => {
  it("renders two H.264 orbit videos carrying GPS, make and model", async () => {
    // A folder name with a space, quote and $: no shell may ever see it.
    const dir = join(await tempDir("full"), `cap 'one' $HOME`);
    const result = await renderSample(dir, { framesPerOrbit: 24 });
    expect(result.videos.map((v) => basename(v))).toEqual(["orbit_a.mp4", "orbit_b.mp4"]);
    const models = new Set<string>();
    for (const video of result.videos) {
      const info = await probe(video);
      expect(info.streams).toHaveLength(1);
      expect(info.streams[0]).toMatchObject({
        codec_name: "h264",
        pix_fmt: "yuv420p",
        width: 320,
        height: 240,
      });
      expect(Number(info.streams[0]!.nb_frames)).toBe(24);
      const tags = info.format.tags;
      // ISO 6709: ±DD.DDDD±DDD.DDDD±AAA/ (ffmpeg normalises the altitude's digits)
      expect(tags.location).toMatch(/^\+37\.7749-122\.419[34]\+0*1[02]\.0+\/$/);
      expect(tags.make).toBe(SAMPLE_METADATA.make);
      expect(tags.model).toMatch(/^POV-Ray Orbit/);
      models.add(tags.model!);
    }
    expect(models.size).toBe(2);
    console.log(`sample render (2 × 24 frames, 320×240): ${result.seconds.toFixed(1)} s`);
  });

  it("is deterministic: the same options give byte-identical videos", async () => {
    const opts = { width: 96, height: 72, framesPerOrbit: 4 };
    const [a, b] = [await tempDir("det-a"), await tempDir("det-b")];
    const ra = await renderSample(a, opts);
    const rb = await renderSample(b, opts);
    for (let i = 0; i < ra.videos.length; i++) {
      const [x, y] = await Promise.all([readFile(ra.videos[i]!), readFile(rb.videos[i]!)]);
      expect(x.length).toBeGreaterThan(1000);
      expect(x.equals(y)).toBe(true);
    }
  });
});
