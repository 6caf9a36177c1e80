/** Geometry checks of georeferenced cameras against what the renderer's paths are known to be. */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import type { GeorefCamera } from "../../../src/contracts/georef.js";

/** The normal of the plane best fitting points (smallest principal axis). */
export function planeNormal(points: readonly (readonly number[])[]): [number, number, number] {
  const n = points.length;
  const c = [0, 1, 2].map((k) => points.reduce((a, p) => a + p[k]!, 0) / n);
  const S = [0, 1, 2].map((r) =>
    [0, 1, 2].map((k) => points.reduce((a, p) => a + (p[r]! - c[r]!) * (p[k]! - c[k]!), 0)),
  );
  const e = new EigenvalueDecomposition(new Matrix(S), { assumeSymmetric: true });
  const values = e.realEigenvalues;
  const i = values.indexOf(Math.min(...values));
  const V = e.eigenvectorMatrix;
  return [V.get(0, i), V.get(1, i), V.get(2, i)];
}

/** Per video (an orbit of level cameras), the angle in degrees between its plane and level. */
export function orbitTiltDeg(cameras: readonly GeorefCamera[]): number[] {
  const byFile = new Map<string, number[][]>();
  for (const c of cameras) byFile.set(c.image, [...(byFile.get(c.image) ?? []), c.enu]);
  return [...byFile.values()]
    .filter((pts) => pts.length >= 4)
    .map((pts) => (Math.acos(Math.min(1, Math.abs(planeNormal(pts)[2]))) * 180) / Math.PI);
}
