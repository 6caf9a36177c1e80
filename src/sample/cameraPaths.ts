/**
 * Camera paths for synthetic captures, computed per frame so that any path (orbit, walk-through,
 * hand-held wobble) renders through the same POV-Ray camera block.
 */
import type { Vec3 } from "../contracts/sceneModel.js";
import { mulberry32 } from "../util/random.js";

/**
 * Where the camera is, what it looks at, and its up direction for one frame, in POV-Ray's scene
 * coordinates (y up).
 */
export interface CameraPose {
  location: Vec3;
  lookAt: Vec3;
  /** Up direction (POV-Ray's `sky`); rolling it about the view axis tilts the horizon. */
  sky: Vec3;
}

/** An arc around a vertical axis, looking at a fixed point. */
export interface OrbitPath {
  kind: "orbit";
  centre: Vec3;
  radius: number;
  /** Camera height above the ground. */
  height: number;
  /** Azimuth of the first frame, in degrees. */
  startDeg: number;
  /** Degrees travelled from the first frame to one step past the last (360 = full loop). */
  sweepDeg: number;
  lookAt: Vec3;
}

/** A walk along straight segments between waypoints, looking ahead along the walk. */
export interface WalkPath {
  kind: "walk";
  /** Waypoints on the ground plane, (x, z). */
  waypoints: readonly (readonly [number, number])[];
  /** Eye height. */
  height: number;
  /** How far ahead the camera looks, along the path. */
  lookAhead: number;
  /** Height of the looked-at point. */
  lookHeight: number;
  /** Sideways turn of the gaze, degrees (positive: to the left of the walking direction). */
  gazeDeg?: number;
}

/** Hand-held wobble added to another path: smooth, seeded, deterministic. */
export interface Jitter {
  /** Position wobble amplitude, scene units. */
  position: number;
  /** Gaze wobble amplitude (moves the looked-at point), scene units. */
  gaze: number;
  /** Roll wobble amplitude, degrees. */
  rollDeg: number;
  seed: number;
}

/** A camera path with optional hand-held jitter. */
export type CameraPath = (OrbitPath | WalkPath) & { jitter?: Jitter };

const UP: Vec3 = [0, 1, 0];

const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
const normalize = (a: Vec3): Vec3 => scale(a, 1 / Math.hypot(a[0], a[1], a[2]));

/** Rotates `v` about the unit axis `k` by `rad` (Rodrigues' formula). */
function rotateAbout(v: Vec3, k: Vec3, rad: number): Vec3 {
  const c = Math.cos(rad);
  const s = Math.sin(rad);
  return add(add(scale(v, c), scale(cross(k, v), s)), scale(k, dot(k, v) * (1 - c)));
}

function orbitPose(p: OrbitPath, t: number): CameraPose {
  const ang = ((p.startDeg + t * p.sweepDeg) * Math.PI) / 180;
  const location: Vec3 = [
    p.centre[0] + p.radius * Math.cos(ang),
    p.height,
    p.centre[2] + p.radius * Math.sin(ang),
  ];
  return { location, lookAt: p.lookAt, sky: UP };
}

/** Point at arc length `s` along the polyline (clamped to its ends), with its direction. */
function alongPolyline(points: readonly (readonly [number, number])[], s: number) {
  let rest = Math.max(0, s);
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i]!, points[i + 1]!];
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    const last = i + 2 === points.length;
    if (rest <= len || last) {
      const f = Math.min(rest, len) / len;
      const dir: [number, number] = [(b[0] - a[0]) / len, (b[1] - a[1]) / len];
      return { x: a[0] + f * (b[0] - a[0]), z: a[1] + f * (b[1] - a[1]), dir };
    }
    rest -= len;
  }
  throw new Error("a walk needs at least two waypoints");
}

function polylineLength(points: readonly (readonly [number, number])[]): number {
  let n = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    n += Math.hypot(points[i + 1]![0] - points[i]![0], points[i + 1]![1] - points[i]![1]);
  }
  return n;
}

function walkPose(p: WalkPath, t: number): CameraPose {
  const total = polylineLength(p.waypoints);
  const here = alongPolyline(p.waypoints, t * total);
  // Look ahead along the walk's direction at this point, turned by the gaze angle.
  const g = ((p.gazeDeg ?? 0) * Math.PI) / 180;
  const [dx, dz] = here.dir;
  const gx = dx * Math.cos(g) - dz * Math.sin(g);
  const gz = dx * Math.sin(g) + dz * Math.cos(g);
  return {
    location: [here.x, p.height, here.z],
    lookAt: [here.x + gx * p.lookAhead, p.lookHeight, here.z + gz * p.lookAhead],
    sky: UP,
  };
}

/**
 * Smooth noise in [-1, 1] per frame: a sum of three sines with seeded frequencies and phases,
 * one independent channel per call of the returned factory.
 */
function smoothNoise(rand: () => number, frames: number): (t: number) => number {
  const waves = [0, 1, 2].map((k) => ({
    cycles: (1.5 + 2.5 * rand()) * (k + 1),
    phase: 2 * Math.PI * rand(),
    weight: 1 / (k + 1),
  }));
  const norm = waves.reduce((s, w) => s + w.weight, 0);
  // Plus a little frame-to-frame shake, as from a walking hand.
  const shake = Array.from({ length: frames }, () => rand() * 2 - 1);
  return (t) => {
    const smooth = waves.reduce(
      (s, w) => s + w.weight * Math.sin(2 * Math.PI * w.cycles * t + w.phase),
      0,
    );
    const i = Math.min(frames - 1, Math.round(t * (frames - 1)));
    return 0.85 * (smooth / norm) + 0.15 * shake[i]!;
  };
}

function withJitter(poses: CameraPose[], j: Jitter): CameraPose[] {
  const rand = mulberry32(j.seed);
  const n = poses.length;
  const ch = Array.from({ length: 7 }, () => smoothNoise(rand, n));
  return poses.map((p, i) => {
    const t = n > 1 ? i / (n - 1) : 0;
    const dPos: Vec3 = [ch[0]!(t), ch[1]!(t), ch[2]!(t)];
    const dGaze: Vec3 = [ch[3]!(t), ch[4]!(t), ch[5]!(t)];
    const location = add(p.location, scale(dPos, j.position));
    const lookAt = add(p.lookAt, scale(dGaze, j.gaze));
    const forward = normalize(sub(lookAt, location));
    const roll = (ch[6]!(t) * j.rollDeg * Math.PI) / 180;
    return { location, lookAt, sky: rotateAbout(p.sky, forward, roll) };
  });
}

/**
 * One pose per frame along `path`. Frame i sits at t = i / frames for a closed full orbit (the
 * last frame one step short of the first, as a looping clip) and t = i / (frames − 1) otherwise.
 */
export function cameraPoses(path: CameraPath, frames: number): CameraPose[] {
  const closed = path.kind === "orbit" && Math.abs(path.sweepDeg) >= 360;
  const denom = closed ? frames : Math.max(1, frames - 1);
  const poses = Array.from({ length: frames }, (_, i) =>
    path.kind === "orbit" ? orbitPose(path, i / denom) : walkPose(path, i / denom),
  );
  return path.jitter ? withJitter(poses, path.jitter) : poses;
}
