/**
 * Drone captures over the survey site: a lawnmower survey of geotagged photos with DJI XMP, and
 * a clip with a DJI-style `.SRT` telemetry sidecar.
 */
import { FILM_DIAGONAL_MM } from "../capture/index.js";
import { gaussian } from "../util/geodesy.js";
import { mulberry32 } from "../util/random.js";
import type { Vec3 } from "../contracts/sceneModel.js";
import type { CameraPose } from "./cameraPaths.js";
import type { CorpusCapture } from "./corpusCapture.js";
import type { SidecarSpec } from "./corpusCache.js";
import { posedCameraBlock } from "./povCamera.js";
import type { VideoSpec } from "./render.js";
import { formatDjiSrt } from "./srt.js";
import { emptyTruth, povToWorld, truthIntrinsics, truthVideo } from "./truth.js";
import { worldSource } from "./worlds.js";
import {
  exifTime,
  fovOf,
  GEO,
  GPS_NOISE,
  gpsTags,
  noisyGps,
  seriesOf,
  unitDeg,
  type Shot,
} from "./shots.js";

/** Options of a drone survey: rows × photos per row of nadir shots, plus oblique ones. */
export interface SurveyOptions {
  name: string;
  rows: number;
  perRow: number;
  obliques: number;
  /** Upright photo size (3:2). */
  width: number;
  height: number;
}

/** The survey the benchmark runs: 5 × 15 nadir + 12 oblique photos at 480×320. */
export const SURVEY: SurveyOptions = {
  name: "drone-survey",
  ...{ rows: 5, perRow: 15, obliques: 12, width: 480, height: 320 },
};

/** A DJI FC6310-like camera: 13.2 mm wide sensor, 8.8 mm lens (24 mm equivalent). */
const DRONE_CAMERA = { make: "DJI", model: "FC6310", focalMm: 8.8, sensorMm: 13.2, f35: 24 };

/** A survey shot: its pose, gimbal pitch and horizontal heading (scene frame). */
interface SurveyPose {
  pose: CameraPose;
  pitch: number;
  heading: Vec3;
}

/** Lawnmower rows over the site at 40 m, then an inward-looking ring of oblique shots at 35 m. */
function surveyPoses(o: SurveyOptions, rand: () => number): SurveyPose[] {
  const out: SurveyPose[] = [];
  const tilt = () => gaussian(rand) * 0.35; // ~0.5° of gimbal wobble at 40 m
  for (let r = 0; r < o.rows; r++) {
    const z = o.rows === 1 ? 0 : -36 + (72 * r) / (o.rows - 1);
    for (let k = 0; k < o.perRow; k++) {
      const along = o.perRow === 1 ? 0 : -56 + (112 * k) / (o.perRow - 1);
      const x = r % 2 === 0 ? along : -along; // back and forth
      const heading: Vec3 = [r % 2 === 0 ? 1 : -1, 0, gaussian(rand) * 0.02];
      const location: Vec3 = [x, 40, z];
      out.push({
        pose: { location, lookAt: [x + tilt(), 0, z + tilt()], sky: heading },
        ...{ pitch: -90, heading },
      });
    }
  }
  for (let k = 0; k < o.obliques; k++) {
    const [c, s] = unitDeg((360 * k) / o.obliques);
    const location: Vec3 = [50 * c, 35, 38 * s];
    const heading: Vec3 = [-location[0], 0, -location[2]];
    out.push({
      pose: { location, lookAt: [tilt(), 0, tilt()], sky: [0, 1, 0] },
      pitch: -40,
      heading,
    });
  }
  return out;
}

/** The drone survey capture (SURVEY, or a smaller one for tests). */
export function droneSurvey(o: SurveyOptions = SURVEY): CorpusCapture {
  const build = () => {
    const rand = mulberry32(GPS_NOISE.seed);
    const truth = emptyTruth(o.name, GEO);
    const fPx = (DRONE_CAMERA.focalMm / DRONE_CAMERA.sensorMm) * o.width;
    const base = Date.UTC(2026, 4, 14, 10, 21, 33);
    const shots = surveyPoses(o, rand).map(({ pose, pitch, heading }, i): Shot => {
      const gps = noisyGps(pose.location, rand);
      const [e, n] = povToWorld(heading);
      const yaw = (Math.atan2(e, n) * 180) / Math.PI;
      const relAlt = pose.location[1] + gaussian(rand) * 0.3;
      const t = exifTime(base, i * 2);
      const fileName = `DJI_${String(i + 1).padStart(4, "0")}.JPG`;
      const tags = {
        ...{ Make: DRONE_CAMERA.make, Model: DRONE_CAMERA.model },
        ...{ FocalLength: DRONE_CAMERA.focalMm, FocalLengthIn35mmFormat: DRONE_CAMERA.f35 },
        ...{ DateTimeOriginal: t.date, SubSecTimeOriginal: t.sub },
        ...gpsTags(gps),
        "XMP-drone-dji:AbsoluteAltitude": `${gps.altitude >= 0 ? "+" : ""}${gps.altitude.toFixed(2)}`,
        "XMP-drone-dji:RelativeAltitude": `+${relAlt.toFixed(2)}`,
        "XMP-drone-dji:GimbalPitchDegree": pitch.toFixed(1),
        "XMP-drone-dji:GimbalYawDegree": yaw.toFixed(1),
        "XMP-drone-dji:FlightYawDegree": yaw.toFixed(1),
      };
      const fov = fovOf(o.width, fPx);
      return {
        pose,
        width: o.width,
        height: o.height,
        fovDeg: fov,
        gps,
        photo: { fileName, tags },
      };
    });
    return { truth, series: seriesOf("site", shots, truth) };
  };
  return {
    name: o.name,
    description:
      `drone survey: ${o.rows * o.perRow} nadir photos on a lawnmower path at 40 m and ` +
      `${o.obliques} oblique ones, ${o.width}×${o.height}, EXIF GPS with noise, DJI XMP`,
    videos: () => [],
    specs: () => [],
    photos: () => build().series,
    truth: () => build().truth,
  };
}

/** A drone clip flying along the site with its camera pitched down, and its `.SRT` sidecar. */
export function droneVideoSrt(): CorpusCapture {
  const [frames, fps, width, height, fov] = [48, 24, 384, 216, 70];
  const build = () => {
    const rand = mulberry32(4242);
    const poses: CameraPose[] = Array.from({ length: frames }, (_, i) => {
      const x = -40 + (40 * i) / (frames - 1);
      const location: Vec3 = [x, 30, -12];
      return { location, lookAt: [x + 25, 0, 8], sky: [0, 1, 0] };
    });
    const fixes = poses.map((p) => noisyGps(p.location, rand));
    const spec: VideoSpec = {
      fileName: "DJI_0012.MP4",
      source: `#version 3.7;\n${posedCameraBlock(poses, width, height, fov)}\n${worldSource("site")}`,
      ...{ width, height, frames, fps },
      tags: { make: "DJI", model: "FC6310" },
    };
    const k = truthIntrinsics(width, height, fov);
    const truth = emptyTruth("drone-video-srt", GEO);
    truth.videos.push(truthVideo(spec.fileName, fps, k, poses, fixes));
    const relAlt = poses.map((p) => p.location[1]);
    // The rendered field of view as a 35 mm equivalent on the film diagonal (about 26.9 mm).
    const f35 = (k.fx / Math.hypot(width, height)) * FILM_DIAGONAL_MM;
    const srt = formatDjiSrt(fixes, fps, Date.UTC(2026, 4, 14, 10, 40, 0), relAlt, f35);
    return { truth, spec, sidecar: { fileName: "DJI_0012.SRT", text: srt } satisfies SidecarSpec };
  };
  return {
    name: "drone-video-srt",
    description: `drone clip, ${frames} frames at ${width}×${height}, with a DJI-style .SRT (a GPS fix per frame)`,
    videos: () => [
      {
        ...{ fileName: "DJI_0012.MP4", width, height, frames, fovDeg: fov, path: "walk" as const },
        ...{ handHeld: false, rotation: 0, tags: { make: "DJI", model: "FC6310" } },
      },
    ],
    specs: () => [build().spec],
    sidecars: () => [build().sidecar],
    truth: () => build().truth,
  };
}
