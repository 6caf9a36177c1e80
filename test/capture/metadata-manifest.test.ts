import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildManifest,
  extractFrames,
  extractMetadata,
  defaultExtractionOptions,
  gpsFromExif,
  intrinsicsPrior,
  parseIso6709,
  probe,
  writeManifest,
  type VideoProbe,
} from "../../src/capture/index.js";
import { ManifestSchema } from "../../src/contracts/manifest.js";
import { readJsonFile } from "../../src/util/atomicFile.js";
import { runTool } from "../../src/util/exec.js";
import { makeVideo, removeDir, tempDir } from "./helpers.js";

let root: string;
let tagged: VideoProbe;
let untagged: VideoProbe;

async function probed(path: string): Promise<VideoProbe> {
  const out = await probe(path);
  if (out.kind !== "video") throw new Error(`${path}: ${JSON.stringify(out)}`);
  return out.video;
}

beforeAll(async () => {
  root = await tempDir();
  tagged = await probed(
    await makeVideo(join(root, "iphone.mp4"), {
      extra: [
        "-metadata",
        "location=+48.8584+002.2945+035.000/",
        "-metadata",
        "make=Apple",
        "-metadata",
        "model=iPhone 15",
        "-metadata",
        "creation_time=2026-02-24T12:00:00Z",
        "-metadata",
        "com.apple.quicktime.camera.focal_length.35mm_equivalent=26",
        "-movflags",
        "+use_metadata_tags",
      ],
    }),
  );
  untagged = await probed(await makeVideo(join(root, "plain.mp4"), { duration: 1 }));
});
afterAll(() => removeDir(root));

describe("ISO 6709 and exiftool GPS parsing", () => {
  it("parses decimal, DDMM and DDMMSS forms", () => {
    expect(parseIso6709("+48.8584+002.2945+035.000/")).toEqual({
      latitude: 48.8584,
      longitude: 2.2945,
      altitude: 35,
    });
    expect(parseIso6709("-33.8568+151.2153/")).toEqual({
      latitude: -33.8568,
      longitude: 151.2153,
      altitude: null,
    });
    const dm = parseIso6709("+4851.504+00217.670/")!;
    expect(dm.latitude).toBeCloseTo(48.8584, 4);
    expect(dm.longitude).toBeCloseTo(2.2945, 4);
    const dms = parseIso6709("+485130.2-0021742.0/")!;
    expect(dms.latitude).toBeCloseTo(48 + 51 / 60 + 30.2 / 3600, 6);
    expect(dms.longitude).toBeCloseTo(-(2 + 17 / 60 + 42 / 3600), 6);
    expect(parseIso6709("somewhere")).toBeNull();
  });

  it("reads exiftool's QuickTime keys (-n), including GPSCoordinates and a below-sea-level ref", () => {
    expect(gpsFromExif({ GPSCoordinates: "48.8584 2.2945 35" })).toEqual({
      latitude: 48.8584,
      longitude: 2.2945,
      altitude: 35,
    });
    expect(
      gpsFromExif({ GPSLatitude: 31.5, GPSLongitude: 35.5, GPSAltitude: 430, GPSAltitudeRef: 1 }),
    ).toEqual({
      latitude: 31.5,
      longitude: 35.5,
      altitude: -430,
    });
    expect(gpsFromExif({ Make: "x" })).toBeNull();
  });
});

describe("metadata extraction (ffprobe + exiftool)", () => {
  it("reads GPS, make, model, creation time, focal length, and writes metadata.json", async () => {
    const out = join(root, "out-meta");
    const res = await extractMetadata(out, [tagged, untagged], { jobId: "job-1" });
    const [m, p] = res.videos;
    expect(m!.gps!.latitude).toBeCloseTo(48.8584, 4);
    expect(m!.gps!.longitude).toBeCloseTo(2.2945, 4);
    expect(m!.gps!.altitude).toBeCloseTo(35, 3);
    expect(m!.gps_source).toBe("iso6709");
    expect([m!.make, m!.model]).toEqual(["Apple", "iPhone 15"]);
    expect(m!.creation_time).toBe("2026-02-24T12:00:00.000Z");
    expect(m!.focal_length_35mm).toBe(26);
    expect([m!.width, m!.height, m!.codec, m!.rotation]).toEqual([160, 120, "h264", 0]);
    expect(m!.fps).toBeCloseTo(30, 3);
    expect(p!.gps).toBeNull();
    expect(p!.make).toBeNull();
    const written = JSON.parse(await readFile(join(out, "metadata.json"), "utf8"));
    expect(written.job_id).toBe("job-1");
    expect(written.videos).toEqual(JSON.parse(JSON.stringify(res.videos)));
  });

  it("reads GPS through exiftool (keys written by exiftool) when ffprobe tags carry none", async () => {
    const path = join(root, "exif-gps.mp4");
    await makeVideo(path, { duration: 1 });
    const w = await runTool("exiftool", [
      "-q",
      "-overwrite_original",
      "-Keys:GPSCoordinates=-33.8568, 151.2153, 12",
      path,
    ]);
    expect(w.code).toBe(0);
    const video = await probed(path);
    expect(video.format_tags["com.apple.quicktime.location.ISO6709"]).toMatch(
      /^-33\.8568\+151\.2153/,
    );
    // Without ffprobe's tags only exiftool can supply the position.
    const res = await extractMetadata(join(root, "out-exif"), [{ ...video, format_tags: {} }]);
    expect(res.videos[0]!.gps_source).toBe("exiftool");
    const gps = res.videos[0]!.gps!;
    expect(gps.latitude).toBeCloseTo(-33.8568, 4);
    expect(gps.longitude).toBeCloseTo(151.2153, 4);
    expect(gps.altitude).toBeCloseTo(12, 3);
  });
});

describe("intrinsics prior", () => {
  it("uses the default horizontal FOV across the long side", () => {
    const k = intrinsicsPrior(1600, 900, null, 65);
    expect(k.fx).toBeCloseTo(800 / Math.tan((32.5 * Math.PI) / 180), 6);
    expect(k.fy).toBe(k.fx);
    expect([k.cx, k.cy, k.width, k.height, k.source]).toEqual([800, 450, 1600, 900, "default_fov"]);
    expect(k.horizontal_fov_deg).toBeCloseTo(65, 6);
    const portrait = intrinsicsPrior(900, 1600, null, 65);
    expect(portrait.fx).toBeCloseTo(k.fx, 6);
    expect(portrait.horizontal_fov_deg).toBeLessThan(65);
  });

  it("uses a 35 mm-equivalent focal length when the video records one (diagonal convention)", () => {
    // 4:3: the picture's 2000 px diagonal stands for the film's 43.27 mm one.
    const k = intrinsicsPrior(1600, 1200, 26);
    expect(k.source).toBe("metadata");
    expect(k.fx).toBeCloseTo((26 / Math.hypot(36, 24)) * 2000, 6);
    expect(k.fx / ((26 / 36) * 1600)).toBeCloseTo(1.04, 2);
    // 3:2 (the film's own shape): the long side spans 36 mm; portrait or landscape alike.
    expect(intrinsicsPrior(1500, 1000, 24).fx).toBeCloseTo((24 / 36) * 1500, 6);
    expect(intrinsicsPrior(1000, 1500, 24).fx).toBeCloseTo((24 / 36) * 1500, 6);
    // exiftool's FocalLength35efl for a 5.1 mm phone lens on a 4:3 sensor 6.8 mm wide: 26 mm.
    const sensor = { w: 6.8, h: 5.1 };
    const f35 = (5.1 * Math.hypot(36, 24)) / Math.hypot(sensor.w, sensor.h);
    expect(f35).toBeCloseTo(26, 0);
    expect(intrinsicsPrior(4032, 3024, f35).fx).toBeCloseTo((5.1 / sensor.w) * 4032, 6);
  });
});

describe("manifest", () => {
  it("is built from frames and metadata, validates against the contract, and is written atomically", async () => {
    const out = join(root, "out-manifest");
    const frames = await extractFrames(out, [tagged, untagged], {
      ...defaultExtractionOptions(),
      framesPerVideo: 4,
    });
    const meta = await extractMetadata(out, [tagged, untagged]);
    const manifest = buildManifest("job-42", frames.videos, meta.videos, 70);
    const res = await writeManifest(out, manifest);
    expect(res).toMatchObject({
      manifest_path: join(out, "manifest.json"),
      video_count: 2,
      total_frames: 8,
      photo_count: 0,
    });
    // One camera group per video, with the video's prior.
    expect(res.camera_groups?.map((g) => [g.id, g.images])).toEqual(
      manifest.videos.map((v) => [`video:${v.filename}`, 4]),
    );
    const read = await readJsonFile(res.manifest_path, ManifestSchema);
    expect(read.job_id).toBe("job-42");
    expect(read.processing_timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const [a, b] = read.videos;
    expect(a!.filename).toBe("iphone.mp4");
    expect(a!.frame_count).toBe(4);
    expect(a!.frames).toHaveLength(4);
    expect(a!.frames[0]!.path).toBe("frames/iphone/frame_000001.jpg");
    expect(a!.resolution).toEqual({ width: 160, height: 120 });
    expect(a!.camera_model).toBe("Apple iPhone 15");
    expect(a!.gps!.latitude).toBeCloseTo(48.8584, 4);
    expect(a!.duration_secs).toBeCloseTo(2, 1);
    expect(a!.fps).toBeCloseTo(30, 3);
    expect(a!.intrinsics.source).toBe("metadata");
    expect(a!.intrinsics.fx).toBeCloseTo((26 / Math.hypot(36, 24)) * Math.hypot(160, 120), 6);
    expect(b!.camera_model).toBeNull();
    expect(b!.gps).toBeNull();
    expect(b!.intrinsics.source).toBe("default_fov");
    expect(b!.intrinsics.horizontal_fov_deg).toBeCloseTo(70, 6);
  });
});
