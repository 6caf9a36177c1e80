import type { Vec3 } from "../contracts/sceneModel.js";
import type { CameraPose } from "./cameraPaths.js";

const fmt = (v: number): string => Number(v.toFixed(6)).toString();
const vec = (v: Vec3): string => `<${fmt(v[0])}, ${fmt(v[1])}, ${fmt(v[2])}>`;

/** Horizontal field of view (degrees) of a camera whose focal length is `fPx` pixels. */
export function horizontalFovDeg(width: number, fPx: number): number {
  return (2 * Math.atan(width / 2 / fPx) * 180) / Math.PI;
}

/**
 * A POV-Ray camera that takes frame `frame_number` (1-based) from per-frame pose arrays: any
 * path, computed in TypeScript, renders through one block. `fovDeg` is horizontal; pixels are
 * square.
 */
export function posedCameraBlock(
  poses: readonly CameraPose[],
  width: number,
  height: number,
  fovDeg: number,
): string {
  const arr = (name: string, pick: (p: CameraPose) => Vec3) =>
    `#declare ${name} = array[${poses.length}] {\n  ${poses.map((p) => vec(pick(p))).join(",\n  ")}\n};`;
  return [
    arr("CamLoc", (p) => p.location),
    arr("CamAt", (p) => p.lookAt),
    arr("CamSky", (p) => p.sky),
    `#declare F = frame_number - 1;`,
    `camera { perspective`,
    `  location CamLoc[F] sky CamSky[F]`,
    `  right x * ${fmt(width / height)} up y angle ${fmt(fovDeg)}`,
    `  look_at CamAt[F] }`,
  ].join("\n");
}
