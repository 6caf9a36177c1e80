import { describe, expect, it } from "vitest";
import { ManifestSchema } from "../../../src/contracts/manifest.js";
import { imageInfos } from "../../../src/sfm/georef/imageInfo.js";

const intrinsics = {
  ...{ model: "PINHOLE", fx: 100, fy: 100, cx: 50, cy: 40, width: 100, height: 80 },
  ...{ source: "metadata", horizontal_fov_deg: 53 },
};
const video = (filename: string, stem: string, gps: unknown, frames: object[]) => ({
  ...{ filename, frame_count: frames.length, resolution: { width: 100, height: 80 } },
  ...{ fps: 24, duration_secs: 2, camera_model: null, gps, intrinsics },
  frames: frames.map((f, i) => ({
    path: `frames/${stem}/frame_${i + 1}.jpg`,
    timestamp_secs: i / 24,
    ...f,
  })),
});

describe("imageInfos", () => {
  it("reads per-frame telemetry, a video's tag (first frame only), photos and the gimbal pitch", () => {
    const manifest = ManifestSchema.parse({
      job_id: "j",
      processing_timestamp: "2026-01-01T00:00:00Z",
      videos: [
        // The manifest repeats a video's one tag on each frame.
        video("clip.MOV", "clip", { latitude: 1, longitude: 2, altitude: 30 }, [
          { gps: { latitude: 1, longitude: 2, altitude: 30 } },
          { gps: { latitude: 1, longitude: 2, altitude: 30 } },
        ]),
        video("DJI_0012.MP4", "DJI_0012", null, [
          { gps: { latitude: 3, longitude: 4, altitude: 50 } },
          { gps: { latitude: 3.1, longitude: 4, altitude: null } },
        ]),
      ],
      photos: [
        {
          ...{ path: "frames/_photos/a/IMG 1.jpg", source: "a/IMG 1.JPG", timestamp: null },
          ...{ gps: { latitude: 5, longitude: 6, altitude: 7 }, camera_group: "g" },
          resolution: { width: 10, height: 10 },
        },
      ],
    });
    const metadata = {
      videos: [
        { filename: "clip.MOV", gps_source: "iso6709", telemetry: null },
        { filename: "DJI_0012.MP4", telemetry: { source: "dji_srt", file: "DJI_0012.SRT" } },
      ],
      photos: [{ filename: "a/IMG 1.JPG", gps_source: "exif", gimbal_pitch_deg: -90 }],
    };
    const infos = imageInfos(manifest, metadata);
    expect(infos.get("clip/frame_1.jpg")).toMatchObject({
      ...{ file: "clip.MOV", frame: 0, source: "video_tag", heightRef: "msl" },
      gps: { latitude: 1, longitude: 2, altitude: 30 },
    });
    expect(infos.get("clip/frame_2.jpg")).toMatchObject({ frame: 1, gps: null, source: null });
    expect(infos.get("DJI_0012/frame_1.jpg")).toMatchObject({ source: "dji_srt", timeSecs: 0 });
    expect(infos.get("DJI_0012/frame_2.jpg")!.gps!.altitude).toBeNaN(); // no altitude: not fitted
    expect(infos.get("_photos/a/IMG 1.jpg")).toMatchObject({
      ...{ file: "a/IMG 1.JPG", source: "exif", pitchDeg: -90 },
      gps: { latitude: 5, longitude: 6, altitude: 7 },
    });
    expect(infos.get("_photos/a/IMG 1.jpg")!.frame).toBeUndefined();
  });

  it("without metadata.json, frames whose fixes only repeat the video's tag are not telemetry", () => {
    const tag = { latitude: 1, longitude: 2, altitude: 30 };
    const manifest = ManifestSchema.parse({
      job_id: "j",
      processing_timestamp: "2026-01-01T00:00:00Z",
      videos: [video("a.mp4", "a", tag, [{ gps: tag }, { gps: tag }, { gps: tag }])],
    });
    const infos = imageInfos(manifest, null);
    expect([...infos.values()].map((i) => i.source)).toEqual(["video_tag", null, null]);
  });

  it("GoPro GPMF heights are above the ellipsoid", () => {
    const manifest = ManifestSchema.parse({
      job_id: "j",
      processing_timestamp: "2026-01-01T00:00:00Z",
      videos: [
        video("GX010001.MP4", "GX", null, [{ gps: { latitude: 3, longitude: 4, altitude: 50 } }]),
      ],
    });
    const infos = imageInfos(manifest, {
      videos: [{ filename: "GX010001.MP4", telemetry: { source: "gopro_gpmf" } }],
    });
    expect(infos.get("GX/frame_1.jpg")).toMatchObject({
      source: "gopro_gpmf",
      heightRef: "ellipsoid",
    });
  });
});
