import { existsSync } from "node:fs";
import type { Vec3 } from "../contracts/sceneModel.js";
import { SplatbookError } from "../util/errors.js";
import { focalPxFrom35mm } from "../capture/index.js";
import { writeJsonAtomically } from "../util/atomicFile.js";
import { cameraPoses, type CameraPath, type OrbitPath } from "./cameraPaths.js";
import type { ExposureDrift } from "./exposure.js";
import type { CorpusCapture, VideoInfo } from "./corpusCapture.js";
import { DEFAULT_ORBITS, SCENE_CENTRE, sampleSpecs } from "./index.js";
import { PHOTO_CAPTURES } from "./photoCaptures.js";
import { horizontalFovDeg, posedCameraBlock } from "./povCamera.js";
import {
  cachedRender,
  renderContent,
  truthPath,
  type CachedCapture,
  type CaptureContent,
} from "./corpusCache.js";
import type { RenderOptions, VideoSpec } from "./render.js";
import { emptyTruth, truthIntrinsics, truthVideo, type CaptureTruth } from "./truth.js";
import { worldSource, type WorldName } from "./worlds.js";

export {
  cachedRender,
  corpusCacheRoot,
  specsHash,
  truthPath,
  type CachedCapture,
  type CaptureContent,
  type SidecarSpec,
} from "./corpusCache.js";

/** One video of a corpus capture: a scene, a camera path and how the file is written. */
export interface CorpusVideo {
  fileName: string;
  world: WorldName;
  path: CameraPath;
  /** Displayed (upright) size. */
  width: number;
  height: number;
  frames: number;
  fps: number;
  /** Horizontal field of view of the displayed picture. */
  fovDeg: number;
  rotation?: 90;
  tags?: Record<string, string>;
  /** Simulated auto-exposure: per-frame gain and white balance, some flare and motion blur. */
  drift?: ExposureDrift;
}

function info(v: CorpusVideo): VideoInfo {
  return {
    ...{ fileName: v.fileName, width: v.width, height: v.height, frames: v.frames },
    ...{ fovDeg: v.fovDeg, path: v.path.kind, handHeld: Boolean(v.path.jitter) },
    ...{ rotation: v.rotation ?? 0, tags: v.tags ?? {}, autoExposure: Boolean(v.drift) },
  };
}

/** A capture made of corpus videos. */
function capture(name: string, description: string, videos: CorpusVideo[]): CorpusCapture {
  const truth = () => {
    const t = emptyTruth(name);
    for (const v of videos) {
      const k = truthIntrinsics(v.width, v.height, v.fovDeg);
      t.videos.push(truthVideo(v.fileName, v.fps, k, cameraPoses(v.path, v.frames)));
    }
    return t;
  };
  return {
    ...{ name, description, videos: () => videos.map(info) },
    ...{ specs: () => videos.map(corpusSpec), truth },
  };
}

/** The sample's truth: its orbits, frame i at clock i / frames (POV-Ray's cyclic clock). */
function sampleTruth(): CaptureTruth {
  const t = emptyTruth("sample");
  for (const [i, spec] of sampleSpecs().entries()) {
    const o = DEFAULT_ORBITS[i]!;
    const path: OrbitPath = { kind: "orbit", centre: [0, 0, 0], lookAt: SCENE_CENTRE, ...o };
    const k = truthIntrinsics(spec.width, spec.height, 65);
    t.videos.push(truthVideo(spec.fileName, spec.fps, k, cameraPoses(path, spec.frames)));
  }
  return t;
}

function corpusSpec(v: CorpusVideo): VideoSpec {
  const camera = posedCameraBlock(cameraPoses(v.path, v.frames), v.width, v.height, v.fovDeg);
  return {
    fileName: v.fileName,
    source: `#version 3.7;\n${camera}\n${worldSource(v.world)}`,
    width: v.width,
    height: v.height,
    frames: v.frames,
    fps: v.fps,
    rotation: v.rotation,
    tags: v.tags ?? {},
    ...(v.drift ? { drift: v.drift } : {}),
  };
}

/**
 * The same videos at fixed exposure: what a capture with simulated auto-exposure would have
 * recorded without it (benchmarks measure models against these frames).
 */
export function withoutDrift(specs: readonly VideoSpec[]): VideoSpec[] {
  return specs.map(({ drift: _drift, ...rest }) => rest);
}

const STUDIO_TABLE: Vec3 = [0, 0.95, 0];
const FOUNTAIN: Vec3 = [0, 1.1, 0];

/** The garden's path, walked by garden-walk and garden-autoexposure. */
const GARDEN_PATH = [
  [0.2, -11],
  [-0.4, -4],
  [0.5, 3],
  [0, 9],
] as const;

/** Phone main camera, 4:3: 25 mm equivalent (the diagonal convention; 26 mm on the long side). */
const PHONE_F35 = 25;
/**
 * Portrait, as displayed. 480×640 rather than smaller: at 240×320 (f 231 px) 0.1° is 0.4 px, under
 * what the matches of such small frames locate, so the clip measured its pixels, not the
 * pipeline; the pipeline itself extracts real phone video at up to 1600 px.
 */
const PHONE = { width: 480, height: 640 };
const phoneFov = horizontalFovDeg(
  PHONE.width,
  focalPxFrom35mm(PHONE_F35, PHONE.width, PHONE.height),
);

const captures: CorpusCapture[] = [
  capture(
    "courtyard-duo",
    "overcast plaza, repetitive façades: a high wide orbit and a hand-held walk, 2 × 30 frames at 320×240",
    [
      {
        fileName: "plaza orbit.mp4",
        world: "courtyard",
        path: {
          kind: "orbit",
          centre: [0, 0, 0],
          radius: 6.5,
          height: 3.2,
          startDeg: 200,
          sweepDeg: 150,
          lookAt: FOUNTAIN,
        },
        ...{ width: 320, height: 240, frames: 30, fps: 24, fovDeg: 72 },
        tags: {
          "com.android.manufacturer": "Google",
          "com.android.model": "Pixel 7",
          location: "+51.5007-000.1246+012.000/",
        },
      },
      {
        fileName: "plaza_walk.mp4",
        world: "courtyard",
        path: {
          kind: "walk",
          waypoints: [
            [-5.5, -5],
            [-3.8, -2.2],
            [-3.9, 0.8],
          ],
          height: 1.6,
          lookAhead: 5,
          lookHeight: 1.0,
          gazeDeg: -55,
          jitter: { position: 0.05, gaze: 0.12, rollDeg: 2, seed: 7 },
        },
        ...{ width: 320, height: 240, frames: 30, fps: 30, fovDeg: 55 },
      },
    ],
  ),
  capture(
    "courtyard-autoexposure",
    "hand-held phone orbit of the plaza with auto-exposure: per-frame gain ±40 %, white-balance drift ±15 % (the capture's mean exposure the unaltered one), 3 frames with lens flare, 3 with motion blur; 72 frames at 640×480",
    [
      {
        fileName: "VID_20260314_0926.mp4",
        world: "courtyard",
        path: {
          ...orbit([0, 1.1, 0], 5.8, 1.7, 120, 220),
          jitter: { position: 0.05, gaze: 0.12, rollDeg: 2.5, seed: 19 },
        },
        ...{ width: 640, height: 480, frames: 72, fps: 30, fovDeg: 68 },
        tags: { "com.android.manufacturer": "Samsung", "com.android.model": "Galaxy S21" },
        drift: {
          kind: "auto-exposure",
          centred: true,
          seed: 5,
          gain: 0.4,
          whiteBalance: 0.15,
          flareFrames: 3,
          blurFrames: 3,
        },
      },
    ],
  ),
  capture(
    "studio-trio",
    "indoor table under a warm spotlight: 3 partial orbits at 80°, 42° and 62°, 40/30/36 frames at 320×240",
    [
      {
        fileName: "studio wide.mp4",
        world: "studio",
        path: orbit(STUDIO_TABLE, 3.4, 2.4, 200, 140),
        ...{ width: 320, height: 240, frames: 40, fps: 24, fovDeg: 80 },
        tags: { make: "Splatbook", model: "Studio Rig" },
      },
      {
        fileName: "studio_tele.mp4",
        world: "studio",
        path: orbit([0.1, 1.0, 0], 4.4, 1.7, 235, 110),
        ...{ width: 320, height: 240, frames: 30, fps: 24, fovDeg: 42 },
      },
      {
        fileName: "studio_top.mp4",
        world: "studio",
        path: {
          ...orbit(STUDIO_TABLE, 2.6, 3.2, 170, 150),
          jitter: { position: 0.03, gaze: 0.05, rollDeg: 1.5, seed: 3 },
        },
        ...{ width: 320, height: 240, frames: 36, fps: 30, fovDeg: 62 },
      },
    ],
  ),
  {
    name: "sample",
    description:
      "the sample: 2 full orbits of an object cluster at 320×240, 60 frames each, 65°, GPS/make/model",
    specs: () => sampleSpecs(),
    videos: () =>
      sampleSpecs().map((s) => ({
        ...{ fileName: s.fileName, width: s.width, height: s.height, frames: s.frames },
        ...{ fovDeg: 65, path: "orbit" as const, handHeld: false, rotation: 0, tags: s.tags },
      })),
    truth: sampleTruth,
  },
  capture(
    "courtyard-phone",
    "portrait phone video (display-matrix rotation), hand-held arc around a fountain, 150 frames at 480×640, Apple tags",
    [
      {
        fileName: "IMG_0042.MOV",
        world: "courtyard",
        path: {
          ...orbit([0, 1.2, 0], 5.2, 1.55, 250, 200),
          jitter: { position: 0.06, gaze: 0.15, rollDeg: 3, seed: 42 },
        },
        ...{ ...PHONE, frames: 150, fps: 30, fovDeg: phoneFov, rotation: 90 },
        tags: {
          "com.apple.quicktime.make": "Apple",
          "com.apple.quicktime.model": "iPhone 12",
          "com.apple.quicktime.location.ISO6709": "+48.8584+002.2945+035.000/",
          "com.apple.quicktime.creationdate": "2026-03-14T09:26:53+0100",
          "com.apple.quicktime.camera.focal_length.35mm_equivalent": String(PHONE_F35),
        },
      },
    ],
  ),
  capture(
    "garden-walk",
    "720p walk-through along a garden path under a low sun, mostly forward motion, 60 frames at 75°",
    [
      {
        fileName: "garden walk.mp4",
        world: "garden",
        path: {
          kind: "walk",
          waypoints: GARDEN_PATH,
          height: 1.6,
          lookAhead: 6,
          lookHeight: 1.1,
          gazeDeg: 18,
          jitter: { position: 0.04, gaze: 0.1, rollDeg: 1, seed: 11 },
        },
        ...{ width: 1280, height: 720, frames: 60, fps: 24, fovDeg: 75 },
      },
    ],
  ),
  capture(
    "garden-autoexposure",
    "the garden walk filmed by a phone whose auto-exposure hunts (a second drift, seed 23: gain ±40 %, white balance ±15 %, centred; 2 flares, 2 blurs), 60 frames at 960×540",
    [
      {
        fileName: "PXL_20260402_1710.mp4",
        world: "garden",
        path: {
          kind: "walk",
          waypoints: GARDEN_PATH,
          height: 1.5,
          lookAhead: 6,
          lookHeight: 1.1,
          gazeDeg: -12,
          jitter: { position: 0.05, gaze: 0.12, rollDeg: 2, seed: 29 },
        },
        ...{ width: 960, height: 540, frames: 60, fps: 30, fovDeg: 70 },
        tags: { "com.android.manufacturer": "Google", "com.android.model": "Pixel 7" },
        drift: {
          kind: "auto-exposure",
          centred: true,
          seed: 23,
          gain: 0.4,
          whiteBalance: 0.15,
          flareFrames: 2,
          blurFrames: 2,
        },
      },
    ],
  ),
];

function orbit(
  lookAt: Vec3,
  radius: number,
  height: number,
  startDeg: number,
  sweepDeg: number,
): OrbitPath {
  return { kind: "orbit", centre: [0, 0, 0], radius, height, startDeg, sweepDeg, lookAt };
}

captures.push(...PHOTO_CAPTURES);

/** The capture corpus: the video captures smallest first, then photos and telemetry. */
export const CORPUS: readonly CorpusCapture[] = captures;

/** Names of the corpus captures. */
export const CORPUS_NAMES: readonly string[] = captures.map((c) => c.name);

/** A corpus capture by name; a clear error lists the known names. */
export function corpusCapture(name: string): CorpusCapture {
  const found = captures.find((c) => c.name === name);
  if (!found) {
    throw new SplatbookError(`unknown corpus capture "${name}"; known: ${CORPUS_NAMES.join(", ")}`);
  }
  return found;
}

/**
 * Renders a corpus capture into `dir` (created if missing) and writes its truth beside it
 * (`<dir>.truth.json`); returns the files written in `dir`. Deterministic: the same capture gives
 * byte-identical files.
 */
export async function renderCorpusCapture(
  name: string,
  dir: string,
  opts: RenderOptions = {},
): Promise<string[]> {
  const c = corpusCapture(name);
  const files = await renderContent(dir, contentOf(c), opts);
  await writeJsonAtomically(truthPath(dir), c.truth());
  return files;
}

/** What a capture renders and writes. */
export function contentOf(c: CorpusCapture): CaptureContent {
  return { videos: c.specs(), photos: c.photos?.() ?? [], sidecars: c.sidecars?.() ?? [] };
}

/**
 * A corpus capture's folder in the cache (`<root>/<name>-<hash>`), rendered first when missing,
 * with its truth file beside it (written when missing: it follows from the specification).
 */
export async function cachedCorpusCapture(
  name: string,
  opts: RenderOptions & { cacheRoot?: string } = {},
): Promise<CachedCapture> {
  const c = corpusCapture(name);
  const cached = await cachedRender(name, contentOf(c), opts);
  const truth = truthPath(cached.dir);
  if (!existsSync(truth)) await writeJsonAtomically(truth, c.truth());
  return { ...cached, truth };
}
