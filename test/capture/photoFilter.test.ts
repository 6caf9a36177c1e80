// The photo filter (FrameExtraction's photoFilter) through the real engine up to
// ManifestGeneration: photos cut from one textured picture made with ffmpeg, like a pan along a
// wall, plus one photo blurred and one repeat of its neighbour (brighter, compressed harder).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FrameExtractionResult } from "../../src/capture/frameExtraction.stage.js";
import type { JobParams } from "../../src/contracts/params.js";
import { runTool } from "../../src/util/exec.js";
import { removeDir, runUntilManifest, tempDir } from "./helpers.js";

let input: string;
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map(removeDir)));

async function ffmpeg(args: string[]): Promise<void> {
  const r = await runTool("ffmpeg", ["-v", "error", "-y", ...args]);
  if (r.code !== 0) throw new Error(`ffmpeg ${args.join(" ")}: ${r.stderr}`);
}

/** A crop of the texture as a JPEG, with extra filters. */
const photo = (tex: string, x: number, name: string, extra: string[] = [], q = 3) =>
  ffmpeg([
    ...["-i", tex, "-vf", [`crop=400:300:${x}:50`, ...extra].join(",")],
    ...["-frames:v", "1", "-q:v", String(q), join(input, name)],
  ]);

beforeAll(async () => {
  input = await tempDir("splatbook-photofilter-in-");
  dirs.push(input);
  const scratch = await tempDir("splatbook-photofilter-tex-");
  dirs.push(scratch);
  const tex = join(scratch, "texture.png");
  // Large-scale shading (so the views differ) over pixel-scale grain (so blur shows).
  await ffmpeg([
    ...["-f", "lavfi", "-i", "nullsrc=s=1600x400,format=gray", "-vf"],
    "geq=lum='clip(128+50*sin(X/53+Y/97)+40*sin(X/17)*cos(Y/29)+35*sin(X*X/9000+Y/11)+40*(random(0)-0.5),0,255)'",
    ...["-frames:v", "1", tex],
  ]);
  for (let i = 0; i < 8; i++) await photo(tex, 150 * i, `IMG_00${i + 1}0.JPG`);
  await photo(tex, 450, "IMG_0041.JPG", ["eq=brightness=0.04"], 8); // repeats IMG_0040
  await photo(tex, 1150, "IMG_0090.JPG", ["gblur=sigma=2.5"]);
}, 120_000);

async function run(params: JobParams) {
  const output = await tempDir("splatbook-photofilter-out-");
  dirs.push(output);
  const lines: string[] = [];
  const run = await runUntilManifest(input, output, { params, info: lines });
  const frames = run.outcomes.find((o) => o.stage === "FrameExtraction")!
    .result as FrameExtractionResult;
  const manifest = JSON.parse(await readFile(join(output, "manifest.json"), "utf8"));
  return { frames, manifest, lines };
}

describe("photo filter", () => {
  it("drops the blurred photo and one of the repeated pair, with a log line each", async () => {
    const { frames, manifest, lines } = await run({ photoFilter: true });
    const dropped = frames.dropped_photos!;
    console.log(dropped);
    expect(dropped).toHaveLength(2);
    const repeat = dropped.find((d) => d.filename !== "IMG_0090.JPG")!;
    expect(["IMG_0040.JPG", "IMG_0041.JPG"]).toContain(repeat.filename);
    expect(repeat.cause).toMatch(/^near-duplicate of IMG_004[01]\.JPG \(difference /);
    expect(dropped.find((d) => d.filename === "IMG_0090.JPG")!.cause).toMatch(/^blurry \(/);
    for (const d of dropped)
      expect(lines).toContain(`photo filter: dropping ${d.filename}: ${d.cause}`);
    expect(frames.photos).toHaveLength(8);
    expect(manifest.photos.map((p: { source: string }) => p.source)).not.toContain("IMG_0090.JPG");
    expect(manifest.photos).toHaveLength(8);
  });

  it("keeps every photo when off (the default)", async () => {
    const { frames, manifest, lines } = await run({});
    expect(frames.dropped_photos).toBeUndefined();
    expect(frames.photos).toHaveLength(10);
    expect(manifest.photos).toHaveLength(10);
    expect(lines.some((l) => l.startsWith("photo filter"))).toBe(false);
  });
});
