import { SplatbookError } from "../util/errors.js";
import { renderVideos, type RenderOptions, type VideoSpec } from "./render.js";
import { DEFAULT_ORBITS, sceneSource, type Orbit } from "./scene.js";

export { DEFAULT_ORBITS, SCENE_CENTRE, type Orbit } from "./scene.js";

/** Options of the synthetic sample capture. */
export interface SampleOptions extends RenderOptions {
  /** Frame width in pixels (default 320). */
  width?: number;
  /** Frame height in pixels (default 240). */
  height?: number;
  /** Frames rendered per orbit, i.e. per video (default 60: FrameExtraction's default count). */
  framesPerOrbit?: number;
  /** Video frame rate (default 24). */
  fps?: number;
  /** Horizontal field of view of the rendered camera (default 65°, the manifest's default prior). */
  fovDeg?: number;
  /** Camera paths, one video each (default: two orbits of different radius and height). */
  orbits?: readonly Orbit[];
}

/** What `renderSample` produced. */
export interface SampleResult {
  /** Absolute paths of the mp4 files, one per orbit. */
  videos: string[];
  width: number;
  height: number;
  framesPerOrbit: number;
  fovDeg: number;
  /** Wall time of render + encode. */
  seconds: number;
}

/** Metadata written into each sample video (ISO 6709 location, make, model). */
export const SAMPLE_METADATA = {
  make: "Splatbook",
  /** Model name per video, indexed like the orbits. */
  models: ["POV-Ray Orbit Low", "POV-Ray Orbit High"],
  /** San Francisco, 10 m; the second video sits a few metres east. */
  locations: ["+37.7749-122.4194+010.000/", "+37.7749-122.4193+012.000/"],
  creationTime: "2026-01-01T12:00:00.000000Z",
} as const;

const VIDEO_NAMES = ["orbit_a.mp4", "orbit_b.mp4", "orbit_c.mp4", "orbit_d.mp4"];

/**
 * Renders the synthetic sample capture into `dir`: one short H.264 mp4 per orbit carrying GPS,
 * make and model. Deterministic for the same options; existing sample videos are replaced.
 */
export async function renderSample(dir: string, opts: SampleOptions = {}): Promise<SampleResult> {
  const started = performance.now();
  const specs = sampleSpecs(opts);
  const videos = await renderVideos(dir, specs, opts);
  const { width, height, frames } = specs[0]!;
  return {
    videos,
    width,
    height,
    framesPerOrbit: frames,
    fovDeg: opts.fovDeg ?? 65,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The sample's videos as render specifications (see `renderSample`). */
export function sampleSpecs(opts: SampleOptions = {}): VideoSpec[] {
  const width = opts.width ?? 320;
  const height = opts.height ?? 240;
  const frames = opts.framesPerOrbit ?? 60;
  const fps = opts.fps ?? 24;
  const fovDeg = opts.fovDeg ?? 65;
  const orbits = opts.orbits ?? DEFAULT_ORBITS;
  if (orbits.length < 1 || orbits.length > VIDEO_NAMES.length) {
    throw new SplatbookError(`sample: between 1 and ${VIDEO_NAMES.length} orbits are supported`);
  }
  if (frames < 2 || width < 16 || height < 16) {
    throw new SplatbookError("sample: need at least 2 frames per orbit and 16×16 pixels");
  }
  return orbits.map((orbit, i) => ({
    fileName: VIDEO_NAMES[i]!,
    source: sceneSource(orbit, width, height, fovDeg),
    width,
    height,
    frames,
    fps,
    cyclicClock: true, // the last frame one step short of the first
    tags: {
      location: SAMPLE_METADATA.locations[i % 2]!,
      make: SAMPLE_METADATA.make,
      model: SAMPLE_METADATA.models[i % 2]!,
      creation_time: SAMPLE_METADATA.creationTime,
    },
  }));
}
