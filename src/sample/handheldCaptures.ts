/**
 * Hand-held captures of the courtyard fountain: photos from two camera models with mixed EXIF
 * orientations, and a folder mixing phone photos with a phone clip.
 */
import { gaussian } from "../util/geodesy.js";
import { focalPxFrom35mm } from "../capture/index.js";
import { mulberry32 } from "../util/random.js";
import type { Vec3 } from "../contracts/sceneModel.js";
import type { CameraPose } from "./cameraPaths.js";
import type { CorpusCapture } from "./corpusCapture.js";
import { posedCameraBlock } from "./povCamera.js";
import type { VideoSpec } from "./render.js";
import { emptyTruth, truthIntrinsics, truthVideo } from "./truth.js";
import { worldSource } from "./worlds.js";
import { exifTime, fovOf, seriesOf, unitDeg, type Shot } from "./shots.js";

/**
 * Two hand-held cameras: a phone (35 mm equivalent in EXIF) and a DSLR (focal-plane resolution).
 * The photo set renders at a few megapixels, above the default `maxLongSide`, as real photos come
 * (an iPhone 13 writes 4032×3024, the EOS 2000D 6000×4000; here half and a third of that, to keep
 * the render short): at 480×360 SIFT found ~1860 features a photo, too few to pin the poses.
 */
const PHONE = { make: "Apple", model: "iPhone 13", focalMm: 5.1, f35: 25 };
const PHONE_PHOTO = { long: 2016, short: 1512 };
const DSLR = {
  make: "Canon",
  model: "Canon EOS 2000D",
  focalMm: 18,
  sensorMm: 22.3,
  long: 2000,
  short: 1332,
};

/** A hand-held shot around the fountain: position on a wobbly ring, looking at the basin. */
function aroundFountain(i: number, n: number, rand: () => number): CameraPose {
  const ang = 200 + (300 * i) / n + gaussian(rand) * 3;
  const [c, s] = unitDeg(ang);
  const radius = 5.4 + 1.6 * rand();
  const location: Vec3 = [radius * c, 1.45 + 0.3 * rand(), radius * s];
  const lookAt: Vec3 = [gaussian(rand) * 0.4, 0.9 + gaussian(rand) * 0.2, gaussian(rand) * 0.4];
  const roll = gaussian(rand) * 0.03;
  return { location, lookAt, sky: [roll * s, 1, -roll * c] };
}

/** A phone shot: upright orientation 1, 6 (portrait) or 3 (upside down). */
function phoneShot(
  pose: CameraPose,
  i: number,
  name: string,
  t: { date: string; sub: string },
  size: { long: number; short: number },
): Shot {
  const orientation: 1 | 3 | 6 = i % 3 === 1 ? 6 : i % 5 === 4 ? 3 : 1;
  const portrait = orientation === 6;
  const [width, height] = portrait ? [size.short, size.long] : [size.long, size.short];
  const fPx = focalPxFrom35mm(PHONE.f35, size.long, size.short);
  const tags = {
    ...{ Make: PHONE.make, Model: PHONE.model, FocalLength: PHONE.focalMm },
    ...{ FocalLengthIn35mmFormat: PHONE.f35, DateTimeOriginal: t.date, SubSecTimeOriginal: t.sub },
  };
  return {
    pose,
    width,
    height,
    fovDeg: fovOf(width, fPx),
    gps: null,
    photo: { fileName: name, orientation, tags },
  };
}

/** A DSLR shot: landscape, or portrait stored with orientation 8. */
function dslrShot(
  pose: CameraPose,
  i: number,
  name: string,
  t: { date: string; sub: string },
): Shot {
  const orientation: 1 | 8 = i % 2 === 1 ? 8 : 1;
  const [width, height] = orientation === 8 ? [DSLR.short, DSLR.long] : [DSLR.long, DSLR.short];
  const fPx = (DSLR.focalMm / DSLR.sensorMm) * DSLR.long;
  const tags = {
    ...{ Make: "Canon", Model: DSLR.model, FocalLength: DSLR.focalMm },
    // Pixels per inch of the sensor along the stored picture's width (landscape).
    ...{ FocalPlaneXResolution: ((DSLR.long / DSLR.sensorMm) * 25.4).toFixed(4) },
    ...{ FocalPlaneYResolution: ((DSLR.long / DSLR.sensorMm) * 25.4).toFixed(4) },
    ...{ FocalPlaneResolutionUnit: 2, ExifImageWidth: DSLR.long, ExifImageHeight: DSLR.short },
    ...{ DateTimeOriginal: t.date, SubSecTimeOriginal: t.sub },
  };
  return {
    pose,
    width,
    height,
    fovDeg: fovOf(width, fPx),
    gps: null,
    photo: { fileName: name, orientation, tags },
  };
}

/** Hand-held photos around the courtyard fountain: 14 phone + 10 DSLR (in a subfolder). */
export function handheldPhotos(): CorpusCapture {
  const build = () => {
    const rand = mulberry32(17);
    const truth = emptyTruth("handheld-photos");
    const base = Date.UTC(2026, 2, 14, 9, 30, 0);
    const n = 24;
    const shots = Array.from({ length: n }, (_, i) => {
      const pose = aroundFountain(i, n, rand);
      const t = exifTime(base, i * 7);
      return i % 5 === 2 || i % 5 === 4
        ? dslrShot(pose, i, `canon/IMG_${String(4100 + i)}.JPG`, t)
        : phoneShot(pose, i, `IMG_${String(1000 + i)}.JPG`, t, PHONE_PHOTO);
    });
    return { truth, series: seriesOf("courtyard", shots, truth) };
  };
  return {
    name: "handheld-photos",
    description:
      "24 hand-held photos around a fountain from a phone (35 mm equivalent in EXIF) and a DSLR " +
      "(focal-plane resolution, in a subfolder), EXIF orientations 1, 3, 6 and 8",
    videos: () => [],
    specs: () => [],
    photos: () => build().series,
    truth: () => build().truth,
  };
}

/**
 * Phone photos and one phone clip of the courtyard in one folder. The photos render at the
 * hand-held set's size: at 480×360 the true cameras explained the matches no better than models
 * 1° off (0.68 px against 0.56–0.67), so no pairing or mapping could get below ~1°.
 */
export function mixedCourtyard(): CorpusCapture {
  const clipFrames = 30;
  const clip = (): { spec: VideoSpec; poses: CameraPose[] } => {
    const rand = mulberry32(23);
    const poses = Array.from({ length: clipFrames }, (_, i) =>
      aroundFountain(i, clipFrames * 1.4, rand),
    );
    const fov = 62;
    return {
      poses,
      spec: {
        fileName: "VID_0100.mp4",
        source: `#version 3.7;\n${posedCameraBlock(poses, 320, 240, fov)}\n${worldSource("courtyard")}`,
        ...{ width: 320, height: 240, frames: clipFrames, fps: 30 },
        tags: { make: "Apple", model: "iPhone 13" },
      },
    };
  };
  const build = () => {
    const rand = mulberry32(31);
    const truth = emptyTruth("mixed-courtyard");
    const base = Date.UTC(2026, 2, 15, 16, 0, 0);
    const shots = Array.from({ length: 12 }, (_, i) => {
      const pose = aroundFountain(i, 12, rand);
      return phoneShot(pose, i, `IMG_${2000 + i}.JPG`, exifTime(base, i * 5), PHONE_PHOTO);
    });
    const series = seriesOf("courtyard", shots, truth);
    const c = clip();
    truth.videos.push(truthVideo(c.spec.fileName, 30, truthIntrinsics(320, 240, 62), c.poses));
    return { truth, series, video: c.spec };
  };
  return {
    name: "mixed-courtyard",
    description:
      "12 phone photos at 2016×1512 (orientations 1, 3, 6) and one 30-frame 320×240 phone clip of a fountain",
    videos: () => [
      {
        ...{ fileName: "VID_0100.mp4", width: 320, height: 240, frames: clipFrames, fovDeg: 62 },
        ...{ path: "orbit" as const, handHeld: true, rotation: 0, tags: build().video.tags },
      },
    ],
    specs: () => [build().video],
    photos: () => build().series,
    truth: () => build().truth,
  };
}
