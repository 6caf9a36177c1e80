/**
 * The synthetic sample scene in POV-Ray's scene language. Everything is procedural (no image
 * files), so the render is deterministic and self-contained.
 *
 * Design choices, for SfM and for 3DGS:
 * - every surface carries a non-repeating procedural texture (granite, marble, agate, bozo,
 *   wood) at a scale of a few pixels to a few dozen pixels at 320×240, so SIFT finds many
 *   distinctive features while a splat model can still fit them at 160 px;
 * - the ground is a checker whose two cells hold different patterns, so no two corners look
 *   alike (a plain checker gives ambiguous matches);
 * - a textured backdrop wall surrounds the scene: no empty sky, so every pixel has geometry;
 * - diffuse finishes only (no reflection or transparency), one key light with shadows and a
 *   shadowless fill light.
 */
import type { Vec3 } from "../contracts/sceneModel.js";

/** One circular camera path around the scene centre. */
export interface Orbit {
  /** Distance from the vertical axis through the scene centre. */
  radius: number;
  /** Camera height above the ground. */
  height: number;
  /** Azimuth of the first frame, in degrees. */
  startDeg: number;
  /** Degrees travelled over the whole clip (360 = full circle, clock is cyclic). */
  sweepDeg: number;
}

/** Point every camera looks at: the middle of the object cluster, a little above the ground. */
export const SCENE_CENTRE: Vec3 = [0, 0.6, 0];

/** The two default orbits: low and close, then high and far (different radii and heights). */
export const DEFAULT_ORBITS: readonly Orbit[] = [
  { radius: 6, height: 2.5, startDeg: 0, sweepDeg: 360 },
  { radius: 8.5, height: 4.5, startDeg: 0, sweepDeg: 360 },
];

const fmt = (v: number): string => Number(v.toFixed(6)).toString();

/**
 * The camera block for an orbit: POV-Ray's `clock` runs 0..1 over the animation; the horizontal
 * field of view is `fovDeg` and pixels are square.
 */
function cameraBlock(orbit: Orbit, width: number, height: number, fovDeg: number): string {
  const start = (orbit.startDeg * Math.PI) / 180;
  const sweep = (orbit.sweepDeg * Math.PI) / 180;
  const [cx, cy, cz] = SCENE_CENTRE;
  return [
    `#declare Ang = ${fmt(start)} + clock * ${fmt(sweep)};`,
    `camera { perspective`,
    `  location <${fmt(orbit.radius)} * cos(Ang), ${fmt(orbit.height)}, ${fmt(orbit.radius)} * sin(Ang)>`,
    `  right x * ${fmt(width / height)} up y angle ${fmt(fovDeg)}`,
    `  look_at <${cx}, ${cy}, ${cz}> }`,
  ].join("\n");
}

const WORLD = String.raw`
global_settings { assumed_gamma 1.0 max_trace_level 3 }
light_source { <8, 14, -6> color rgb 1.1 }
light_source { <-10, 8, 9> color rgb 0.35 shadowless }
#default { finish { ambient 0.15 diffuse 0.8 } }

// Ground: checker cells alternate granite and marble, so every corner is distinctive.
plane { y, 0 texture { pigment { checker
  pigment { granite color_map { [0 rgb <0.85,0.75,0.55>] [0.5 rgb <0.55,0.42,0.3>] [1 rgb <0.2,0.15,0.1>] } scale 1.5 }
  pigment { marble turbulence 1.2 color_map { [0 rgb <0.3,0.45,0.3>] [0.6 rgb <0.7,0.8,0.6>] [1 rgb <0.15,0.25,0.15>] } scale 0.8 }
} } }

// Backdrop wall all around: low-frequency blotches, so distant views still have features.
cylinder { <0,-0.1,0>, <0,9,0>, 15 open texture { pigment { bozo turbulence 0.6
  color_map { [0 rgb <0.9,0.6,0.4>] [0.35 rgb <0.4,0.3,0.6>] [0.7 rgb <0.95,0.9,0.7>] [1 rgb <0.3,0.5,0.55>] } scale 1.2 } } }

box { <-0.6,0,-0.6>, <0.6,1.2,0.6> rotate y*30 translate <-1.6,0,-0.6>
  texture { pigment { checker
    pigment { granite color_map { [0 rgb <0.9,0.15,0.1>] [1 rgb <1,0.85,0.2>] } scale 0.7 }
    pigment { rgb <0.1,0.1,0.35> } scale 0.4 } } }
sphere { <1.3,0.85,0.7>, 0.85 texture { pigment { marble turbulence 1.5
  color_map { [0 rgb <0.1,0.2,0.7>] [0.5 rgb <0.95,0.95,1>] [1 rgb <0.05,0.05,0.3>] } scale 0.5 } } }
cylinder { <0.4,0,-1.9>, <0.4,1.8,-1.9>, 0.5 texture { pigment { agate
  color_map { [0 rgb <0.1,0.5,0.15>] [0.5 rgb <0.85,0.95,0.4>] [1 rgb <0.05,0.2,0.05>] } scale 0.6 } } }
cone { <-0.9,0,1.6>, 0.7, <-0.9,1.6,1.6>, 0.05 texture { pigment { wood turbulence 0.2
  color_map { [0 rgb <0.6,0.35,0.15>] [0.5 rgb <0.9,0.7,0.4>] [1 rgb <0.4,0.2,0.1>] } scale 0.15 rotate x*70 } } }
torus { 0.55, 0.2 rotate x*20 translate <2.0,0.4,-1.3> texture { pigment { bozo
  color_map { [0 rgb <0.6,0.1,0.6>] [0.5 rgb <1,0.6,0.9>] [1 rgb <0.2,0.0,0.3>] } scale 0.25 } } }
box { <-0.35,0,-0.35>, <0.35,2.4,0.35> rotate y*15 texture { pigment { brick
  color rgb <0.9,0.9,0.85> color rgb <0.7,0.25,0.15> brick_size <0.5,0.2,0.25> mortar 0.04 } } }
`;

/** The full scene file for one orbit. */
export function sceneSource(orbit: Orbit, width: number, height: number, fovDeg: number): string {
  return `#version 3.7;\n${cameraBlock(orbit, width, height, fovDeg)}\n${WORLD}`;
}
