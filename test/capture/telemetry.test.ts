// Per-frame GPS from a DJI-style .SRT sidecar: a real clip made with ffmpeg, its sidecar written
// here in DJI's layout, through the real engine up to ManifestGeneration.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readGpmfFixes } from "../../src/capture/gpmf.js";
import { focalPxFrom35mm } from "../../src/capture/intrinsicsPrior.js";
import { fixAt, parseDjiSrt, srtFocal35mm } from "../../src/capture/telemetry.js";
import { loadStageTable, runJob } from "../../src/engine/index.js";
import { addGpmdTrack, gps5Payload, gps9Payload, type Fix } from "./gpmfMp4.js";
import { makeVideo, removeDir, tempDir } from "./helpers.js";

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map(removeDir)));

const ms = (t: number) => {
  const x = Math.round(t * 1000);
  return `00:00:${String(Math.floor(x / 1000)).padStart(2, "0")},${String(x % 1000).padStart(3, "0")}`;
};

/** A DJI .SRT with a fix per frame at `fps`: latitude and longitude drift by known steps. */
function srt(frames: number, fps: number): { text: string; fixes: [number, number][] } {
  const fixes: [number, number][] = [];
  const blocks = Array.from({ length: frames }, (_, i) => {
    const [lat, lon] = [47.3769 + i * 0.0000123, 8.5417 - i * 0.0000071];
    fixes.push([Number(lat.toFixed(7)), Number(lon.toFixed(7))]);
    return [
      String(i + 1),
      `${ms(i / fps)} --> ${ms((i + 1) / fps)}`,
      `<font size="28">FrameCnt: ${i + 1}, DiffTime: ${Math.round(1000 / fps)}ms`,
      "2026-05-14 10:40:00.000",
      `[iso: 100] [shutter: 1/500.0] [fnum: 2.8] [ev: 0] [focal_len: 24.00] [latitude: ${lat.toFixed(7)}] ` +
        `[longitude: ${lon.toFixed(7)}] [rel_alt: 30.000 abs_alt: 440.500] </font>`,
      "",
    ].join("\n");
  });
  return { text: blocks.join("\n"), fixes };
}

/** The stages up to ManifestGeneration on `input`; the manifest and metadata. */
async function manifestOf(input: string) {
  const output = await tempDir("splatbook-telemetry-out-");
  dirs.push(output);
  await runJob({
    input,
    output,
    stages: await loadStageTable(),
    until: "ManifestGeneration",
    logger: { info: () => undefined, warn: () => undefined, debug: () => undefined },
  });
  const read = async (name: string) => JSON.parse(await readFile(join(output, name), "utf8"));
  return { manifest: await read("manifest.json"), metadata: await read("metadata.json") };
}

/** A GoPro-style track: 10 samples a second for 2 s, drifting by known steps. */
const track: Fix[] = Array.from({ length: 20 }, (_, i) => [
  -33.8688 + i * 0.0000137,
  151.2093 - i * 0.0000093,
  12.5 + i * 0.25,
]);

describe("telemetry", () => {
  it("puts each frame's GPS from a DJI .SRT sidecar into manifest.json (within 1e-6°)", async () => {
    const input = await tempDir("splatbook-srt-in-");
    const output = await tempDir("splatbook-srt-out-");
    dirs.push(input, output);
    await makeVideo(join(input, "DJI_0012.MP4"), { size: "96x64", duration: 2, rate: 10 });
    const { text, fixes } = srt(20, 10);
    await writeFile(join(input, "DJI_0012.SRT"), text);
    const warnings: string[] = [];
    await runJob({
      input,
      output,
      stages: await loadStageTable(),
      until: "ManifestGeneration",
      logger: {
        info: () => undefined,
        warn: (m: string) => void warnings.push(m),
        debug: () => undefined,
      },
    });
    expect(warnings.filter((w) => /SRT/i.test(w))).toEqual([]); // the sidecar is not "skipped"
    const m = JSON.parse(await readFile(join(output, "manifest.json"), "utf8"));
    const frames = m.videos[0].frames as {
      timestamp_secs: number;
      gps: { latitude: number; longitude: number; altitude: number };
    }[];
    expect(frames.length).toBe(20);
    for (const f of frames) {
      const i = Math.round(f.timestamp_secs * 10);
      expect(Math.abs(f.gps.latitude - fixes[i]![0])).toBeLessThan(1e-6);
      expect(Math.abs(f.gps.longitude - fixes[i]![1])).toBeLessThan(1e-6);
      expect(f.gps.altitude).toBe(440.5);
    }
    const meta = JSON.parse(await readFile(join(output, "metadata.json"), "utf8"));
    expect(meta.videos[0].telemetry).toEqual({
      ...{ source: "dji_srt", file: "DJI_0012.SRT", fixes: 20 },
      focal_length_35mm: 24,
    });
    // The .SRT's focal_len (35 mm equivalent) is the video's focal prior on the film diagonal.
    expect(meta.videos[0].focal_length_35mm_source).toBe("dji_srt");
    const k = m.videos[0].intrinsics;
    expect(k.source).toBe("metadata");
    expect(k.fx).toBeCloseTo(focalPxFrom35mm(24, 96, 64), 9);
    expect(k.prior).toMatch(/35 mm equivalent 24 mm \(DJI \.SRT focal_len\)/);
  }, 120_000);

  it("reads the .SRT focal_len: the median over blocks, the older ×10 layout divided by ten", () => {
    const block = (i: number, fields: string) =>
      `${i}\n00:00:0${i},000 --> 00:00:0${i + 1},000\n${fields} [latitude: 47.1] [longitude: 8.5]\n`;
    const newer = [block(0, "[fnum: 2.8] [focal_len: 24.00]"), block(1, "[focal_len: 48.0]")];
    expect(srtFocal35mm(newer.concat(block(2, "[focal_len: 24.00]")).join("\n"))).toBe(24);
    expect(srtFocal35mm(newer.join("\n"))).toBe(36); // two blocks: the mean of the middle two
    // Mavic Air 2 style: `[fnum : 280] … [focal_len : 240]` is f/2.8 and 24 mm.
    expect(srtFocal35mm(block(0, "[fnum : 280] [ev : 0] [focal_len : 240]"))).toBe(24);
    expect(srtFocal35mm(block(0, "[iso: 100] [fnum: 2.8]"))).toBeNull();
  });

  it("reads the older GPS(lon,lat,alt) layout and interpolates between sparse fixes", () => {
    const text = [
      "1\n00:00:00,000 --> 00:00:01,000\nHOME(8.5400,47.3700) 2016.05.14 10:40:00\nGPS(8.5410,47.3760,25) BAROMETER:30.1\n",
      "2\n00:00:01,000 --> 00:00:02,000\nHOME(8.5400,47.3700) 2016.05.14 10:40:01\nGPS(8.5420,47.3780,27) BAROMETER:31.0\n",
    ].join("\n");
    const fixes = parseDjiSrt(text);
    expect(fixes.map((f) => [f.time_secs, f.latitude, f.longitude, f.altitude])).toEqual([
      [0, 47.376, 8.541, 25],
      [1, 47.378, 8.542, 27],
    ]);
    const mid = fixAt(fixes, 0.25)!;
    expect(mid.latitude).toBeCloseTo(47.3765, 10);
    expect(mid.longitude).toBeCloseTo(8.54125, 10);
    expect(mid.altitude).toBeCloseTo(25.5, 10);
    expect(fixAt(fixes, 5)).toBeNull(); // beyond the track
  });

  it("puts each frame's GPS from a GoPro GPMF stream (GPS5, GPS9) into manifest.json", async () => {
    const input = await tempDir("splatbook-gpmf-in-");
    dirs.push(input);
    const plain = join(input, "plain.mp4");
    await makeVideo(plain, { size: "96x64", duration: 2, rate: 10 });
    // GPS5: two one-second payloads of 10 samples; GPS9: the same, one sample without a fix.
    const five = [gps5Payload(track.slice(0, 10)), gps5Payload(track.slice(10))];
    await addGpmdTrack(plain, join(input, "GX010001.MP4"), five, 1000);
    const nine = [0, 10].map((from) =>
      gps9Payload(track.slice(from, from + 10).map((fix, i) => ({ fix, ok: from + i !== 7 }))),
    );
    await addGpmdTrack(plain, join(input, "GX010002.MP4"), nine, 1000);
    await removeDir(plain);
    // ffprobe, an outside reader, sees the written gpmd track and its payloads.
    const gps5 = (await readGpmfFixes(join(input, "GX010001.MP4")))!;
    expect(gps5.map((f) => f.time_secs)).toEqual(track.map((_, i) => i / 10));
    const gps9 = (await readGpmfFixes(join(input, "GX010002.MP4")))!;
    expect(gps9.length).toBe(19);
    expect(gps9.map((f) => f.time_secs)).not.toContain(0.7);

    const { manifest, metadata } = await manifestOf(input);
    for (const [name, v] of [
      [
        "GX010001.MP4",
        manifest.videos.find((x: { filename: string }) => x.filename === "GX010001.MP4"),
      ],
      [
        "GX010002.MP4",
        manifest.videos.find((x: { filename: string }) => x.filename === "GX010002.MP4"),
      ],
    ]) {
      const frames = v.frames as {
        timestamp_secs: number;
        gps: { latitude: number; longitude: number; altitude: number };
      }[];
      expect(frames.length, name).toBe(20);
      for (const f of frames) {
        const i = Math.round(f.timestamp_secs * 10);
        // Frame 7 of GPS9 has no fix of its own: halfway between its neighbours.
        const want: Fix =
          name === "GX010002.MP4" && i === 7
            ? (track[6]!.map((x, k) => (x + track[8]![k]!) / 2) as Fix)
            : track[i]!;
        expect(Math.abs(f.gps.latitude - want[0]), `${name} frame ${i}`).toBeLessThan(1e-6);
        expect(Math.abs(f.gps.longitude - want[1]), `${name} frame ${i}`).toBeLessThan(1e-6);
        expect(f.gps.altitude).toBeCloseTo(want[2], 3);
      }
    }
    const sources = metadata.videos.map((v: { telemetry: unknown }) => v.telemetry);
    expect(sources).toEqual([
      { source: "gopro_gpmf", file: "GX010001.MP4", fixes: 20, focal_length_35mm: null },
      { source: "gopro_gpmf", file: "GX010002.MP4", fixes: 19, focal_length_35mm: null },
    ]);
  }, 120_000);
});
