// Photos as input: real files made with ffmpeg, exiftool and libheif, through the real engine up
// to ManifestGeneration (no COLMAP): upright extraction, per-photo metadata, camera groups, and a
// one-line named cause for each hostile file while the good photos still run.
import { readFile, writeFile, copyFile, mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ValidationResult } from "../../src/capture/validation.stage.js";
import { MIME_BUNDLE } from "../../src/jupyter/runtime.js";
import { Job } from "../../src/notebook/job.js";
import { runTool } from "../../src/util/exec.js";
import { makeStill, removeDir, runUntilManifest, tempDir } from "./helpers.js";

let input: string;
let output: string;
const warnings: string[] = [];

async function tool(cmd: string, args: string[]): Promise<void> {
  const r = await runTool(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
}

/** A 96×64 test picture (testsrc2: asymmetric, so a wrong turn shows). */
const picture = (path: string, filter?: string) =>
  makeStill(path, "testsrc2=size=96x64:rate=1", filter);

async function exif(path: string, ...tags: string[]): Promise<void> {
  await tool("exiftool", ["-q", "-overwrite_original", ...tags, path]);
}

/** Grey pixels of an image as ffmpeg decodes it without autorotation. */
async function grey(path: string): Promise<{ data: Buffer; size: string }> {
  const probe = await runTool("ffprobe", [
    "-v",
    "error",
    "-show_entries",
    "stream=width,height",
    "-of",
    "csv=p=0",
    path,
  ]);
  const raw = `${path}.gray`;
  await tool("ffmpeg", [
    "-v",
    "error",
    "-y",
    "-noautorotate",
    "-i",
    path,
    "-f",
    "rawvideo",
    "-pix_fmt",
    "gray",
    raw,
  ]);
  return { data: await readFile(raw), size: probe.stdout.trim() };
}

beforeAll(async () => {
  input = await tempDir("splatbook-photos-in-");
  output = await tempDir("splatbook-photos-out-");
  const sub = join(input, "sub folder");
  await mkdir(sub);
  // Good photos: an upright phone photo with GPS, one stored sideways (orientation 6), a HEIC.
  await picture(join(input, "IMG_0001.JPG"));
  await exif(
    join(input, "IMG_0001.JPG"),
    "-Make=Apple",
    "-Model=iPhone 13",
    "-FocalLength=5.1",
    "-FocalLengthIn35mmFormat=26",
    "-GPSLatitude=47.5",
    "-GPSLatitudeRef=N",
    "-GPSLongitude=8.25",
    "-GPSLongitudeRef=E",
    "-GPSAltitude=420",
    "-DateTimeOriginal=2026:05:14 10:21:33",
    "-SubSecTimeOriginal=250",
  );
  await picture(join(sub, "IMG_0002.JPG"), "transpose=2");
  await exif(
    join(sub, "IMG_0002.JPG"),
    "-Make=Apple",
    "-Model=iPhone 13",
    "-FocalLength=5.1",
    "-FocalLengthIn35mmFormat=26",
    "-Orientation#=6",
  );
  await picture(join(input, "drone.jpg"));
  await exif(
    join(input, "drone.jpg"),
    "-Make=DJI",
    "-Model=FC6310",
    "-FocalLength=8.8",
    "-XMP-drone-dji:RelativeAltitude=+40.10",
    "-XMP-drone-dji:GimbalPitchDegree=-90.0",
    "-XMP-drone-dji:GimbalYawDegree=12.5",
  );
  await picture(join(input, "heic-source.png"));
  await tool("heif-enc", [
    "-q",
    "90",
    "-o",
    join(input, "photo.heic"),
    join(input, "heic-source.png"),
  ]);
  await tool("rm", [join(input, "heic-source.png")]);
  // An opaque PNG with an alpha channel is a photo; GPS out of range is ignored, the photo kept.
  await makeStill(join(input, "opaque.png"), "testsrc2=size=96x64", "format=rgba");
  await picture(join(input, "bad_gps.jpg"));
  await exif(
    join(input, "bad_gps.jpg"),
    "-GPSLatitude=95",
    "-GPSLatitudeRef=N",
    "-GPSLongitude=8",
    "-GPSLongitudeRef=E",
  );
  // Hostile files.
  const whole = await readFile(join(input, "IMG_0001.JPG"));
  await writeFile(join(input, "truncated.jpg"), whole.subarray(0, Math.floor(whole.length * 0.6)));
  await writeFile(join(input, "empty.jpg"), "");
  await makeStill(join(input, "raw.tif"), "testsrc2=size=96x64");
  await copyFile(join(input, "raw.tif"), join(input, "RAW_0001.DNG"));
  await tool("rm", [join(input, "raw.tif")]);
  await makeStill(join(input, "cutout.png"), "color=red@0.4:size=96x64,format=rgba");
  await makeStill(join(input, "panorama.png"), "testsrc2=size=20000x8");
  await runUntilManifest(input, output, { warnings });
}, 240_000);

afterAll(async () => {
  await removeDir(input);
  await removeDir(output);
});

const checkpoint = async () => JSON.parse(await readFile(join(output, ".checkpoint.json"), "utf8"));

describe("photos as input", () => {
  it("names each hostile file with a one-line cause and keeps the good photos", async () => {
    const v = (await checkpoint()).stages.Validation.result as ValidationResult;
    expect(v.photos.map((p) => p.filename)).toEqual([
      "IMG_0001.JPG",
      "bad_gps.jpg",
      "drone.jpg",
      "opaque.png",
      "photo.heic",
      "sub folder/IMG_0002.JPG",
    ]);
    const causes = Object.fromEntries(v.broken.map((b) => [b.filename, b.cause]));
    console.log(causes);
    expect(causes["truncated.jpg"]).toMatch(/^truncated JPEG/);
    expect(causes["empty.jpg"]).toBe("zero-byte file");
    expect(causes["RAW_0001.DNG"]).toMatch(/^RAW image \(\.DNG\): not supported/);
    expect(causes["cutout.png"]).toMatch(/^transparent pixels/);
    expect(causes["panorama.png"]).toBe("image too large (20000×8 px; at most 16384 px a side)");
    for (const c of Object.values(causes)) expect(c).not.toMatch(/\n/);
    for (const name of Object.keys(causes))
      expect(warnings.some((w) => w.startsWith(`ignoring ${name}: `))).toBe(true);
    expect(warnings).toContain(
      "bad_gps.jpg: GPS ignored: EXIF GPS out of range (latitude 95, longitude 8)",
    );
  });

  it("writes every photo upright (EXIF orientation applied), HEIC decoded", async () => {
    const m = JSON.parse(await readFile(join(output, "manifest.json"), "utf8"));
    const sideways = m.photos.find(
      (p: { source: string }) => p.source === "sub folder/IMG_0002.JPG",
    );
    expect(sideways.resolution).toEqual({ width: 96, height: 64 });
    const upright = m.photos.find((p: { source: string }) => p.source === "IMG_0001.JPG");
    const [a, b] = [
      await grey(join(output, sideways.path)),
      await grey(join(output, upright.path)),
    ];
    expect(a.size).toBe("96,64");
    let diff = 0;
    for (let i = 0; i < a.data.length; i++) diff += Math.abs(a.data[i]! - b.data[i]!);
    expect(diff / a.data.length).toBeLessThan(6); // same picture (JPEG losses), not turned
    const heic = m.photos.find((p: { source: string }) => p.source === "photo.heic");
    expect(heic.resolution).toEqual({ width: 96, height: 64 });
    const written = await readdir(join(output, "frames", "_photos"));
    expect(written.filter((f) => f.endsWith(".jpg")).length).toBe(6);
  });

  it("records per-photo metadata and camera groups with their EXIF priors", async () => {
    const meta = JSON.parse(await readFile(join(output, "metadata.json"), "utf8"));
    const one = meta.photos.find((p: { filename: string }) => p.filename === "IMG_0001.JPG");
    expect(one.gps).toEqual({ latitude: 47.5, longitude: 8.25, altitude: 420 });
    expect(one.capture_time).toBe("2026-05-14T10:21:33.250");
    const drone = meta.photos.find((p: { filename: string }) => p.filename === "drone.jpg");
    expect([drone.relative_altitude, drone.gimbal_pitch_deg, drone.gimbal_yaw_deg]).toEqual([
      40.1, -90, 12.5,
    ]);
    expect([drone.sensor_width_mm, drone.sensor_width_source]).toEqual([13.2, "sensor_table"]);
    const bad = meta.photos.find((p: { filename: string }) => p.filename === "bad_gps.jpg");
    expect(bad.gps).toBeNull();
    expect(bad.gps_issue).toMatch(/out of range/);
    const m = JSON.parse(await readFile(join(output, "manifest.json"), "utf8"));
    const groups = new Map(m.camera_groups.map((g: { id: string }) => [g.id, g]));
    const phone = groups.get(
      m.photos.find((p: { source: string }) => p.source === "IMG_0001.JPG").camera_group,
    ) as {
      image_count: number;
      intrinsics: { fx: number; fy: number; prior: string };
    };
    // Both phone photos are 96×64 upright: one group; 35 mm equivalent 26 on 3:2, so a 96 px long side spans 36 mm.
    expect(phone.image_count).toBe(2);
    expect(phone.intrinsics.fx).toBeCloseTo((26 / 36) * 96, 6);
    expect(phone.intrinsics.fx).toBe(phone.intrinsics.fy);
    const dji = groups.get(
      m.photos.find((p: { source: string }) => p.source === "drone.jpg").camera_group,
    ) as {
      intrinsics: { fx: number; prior: string };
    };
    expect(dji.intrinsics.fx).toBeCloseTo((8.8 / 13.2) * 96, 6);
    expect(dji.intrinsics.prior).toMatch(/8.8 mm lens on a 13.20 mm-wide sensor \(sensor table\)/);
    const cp = await checkpoint();
    expect(cp.stages.ManifestGeneration.result.camera_groups.length).toBe(m.camera_groups.length);
  });

  it("the job's status card says how many photos and videos Validation took", async () => {
    const job = await Job.open({ input, output, display: false });
    expect(String(job)).toMatch(/^ {2}input: 6 photos, 0 videos$/m);
    expect(String(job[MIME_BUNDLE]()["text/html"])).toContain(
      "<div>input: 6 photos, 0 videos</div>",
    );
  });
});
