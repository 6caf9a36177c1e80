/**
 * Where float32 and float64 may decide differently: a fragment whose alpha sits at alphaMin, a
 * transmittance stop at transmittanceMin, a screen radius or tile-rectangle edge at an integer,
 * two overlapping splats at almost the same depth. A flipped decision moves a pixel by a whole
 * fragment (~alphaMin), far beyond rounding, so scenes that contain one are not comparable.
 */
import {
  sigmaExtent,
  type ProjectedSplat,
  type RasterOptions,
} from "../../../src/train/reference/project.js";
import { depthOrder } from "../../../src/train/reference/rasterize.js";
import { RASTER, TILE_SIZE, type Camera } from "../../../src/train/types.js";
import type { GaussianParams } from "../../../src/contracts/gaussians.js";
import { renderReference } from "../../../src/train/reference/index.js";

/** Relative distance to a threshold under which float32 rounding may cross it. */
const ALPHA_TOL = 1e-4;
const TRANSMITTANCE_TOL = 1e-3;
const EDGE_TOL = 1e-4;
const DEPTH_TOL = 1e-6;

const nearInteger = (x: number): boolean =>
  Math.abs(x - Math.round(x)) < EDGE_TOL * Math.max(1, Math.abs(x));

/** Tile-rectangle decisions of one splat that rounding could change. */
function rectangleMargins(ps: ProjectedSplat): string[] {
  const [a, b, c] = ps.cov2d;
  const m = (a + c) / 2;
  const lambdaMax = m + Math.sqrt(Math.max(0, m * m - (a * c - b * b)));
  const reach = sigmaExtent(ps.opacity) * Math.sqrt(lambdaMax);
  const edges = [
    ps.mean2d[0] - ps.radius,
    ps.mean2d[0] + ps.radius,
    ps.mean2d[1] - ps.radius,
    ps.mean2d[1] + ps.radius,
  ];
  const out: string[] = [];
  if (nearInteger(reach)) out.push(`splat ${ps.index}: radius ${reach} at an integer`);
  if (edges.some((e) => nearInteger(e / TILE_SIZE)))
    out.push(`splat ${ps.index}: rectangle edge on a tile boundary`);
  return out;
}

/** Decisions at one pixel that rounding could change, walking the splats as the reference does. */
function pixelMargins(
  projected: readonly ProjectedSplat[],
  order: number[],
  px: number,
  py: number,
): string[] {
  const tileX = Math.floor(px / TILE_SIZE);
  const tileY = Math.floor(py / TILE_SIZE);
  const out: string[] = [];
  let T = 1;
  let previous: ProjectedSplat | null = null;
  for (const slot of order) {
    const ps = projected[slot]!;
    const t = ps.tiles;
    if (tileX < t.x0 || tileX >= t.x1 || tileY < t.y0 || tileY >= t.y1) continue;
    const dx = ps.mean2d[0] - (px + 0.5);
    const dy = ps.mean2d[1] - (py + 0.5);
    const [A, B, C] = ps.conic;
    const power = -0.5 * (A * dx * dx + C * dy * dy) - B * dx * dy;
    if (power > -1e-5) out.push(`pixel ${px},${py}: splat ${ps.index} centred on the pixel`);
    const raw = ps.opacity * Math.exp(power);
    if (Math.abs(raw / RASTER.alphaMin - 1) < ALPHA_TOL)
      out.push(`pixel ${px},${py}: splat ${ps.index} alpha at alphaMin`);
    const alpha = Math.min(RASTER.alphaMax, raw);
    if (alpha < RASTER.alphaMin) continue;
    if (previous && ps.depth - previous.depth < DEPTH_TOL * ps.depth)
      out.push(`pixel ${px},${py}: splats ${previous.index} and ${ps.index} at one depth`);
    const nextT = T * (1 - alpha);
    if (Math.abs(nextT / RASTER.transmittanceMin - 1) < TRANSMITTANCE_TOL)
      out.push(`pixel ${px},${py}: transmittance stop at splat ${ps.index}`);
    if (nextT < RASTER.transmittanceMin) break;
    T = nextT;
    previous = ps;
  }
  return out;
}

/** Every decision of the reference render that float32 rounding could flip (empty: comparable). */
export function thresholdMargins(projected: readonly ProjectedSplat[], camera: Camera): string[] {
  const out = projected.flatMap(rectangleMargins);
  const order = depthOrder(projected);
  for (let py = 0; py < camera.height; py++)
    for (let px = 0; px < camera.width; px++) out.push(...pixelMargins(projected, order, px, py));
  return out;
}

/** A scene to render on both sides: camera, splats and the raster options both get. */
export interface ComparableScene {
  camera: Camera;
  params: GaussianParams;
  options?: RasterOptions;
}

/**
 * Calls `draw` until its scene's reference render has no decision at a threshold; each redraw
 * continues the same random stream, so a seed still names one scene.
 */
export function drawComparable<S extends ComparableScene>(draw: () => S): S & { redraws: number } {
  for (let redraws = 0; redraws < 50; redraws++) {
    const scene = draw();
    const { projected } = renderReference(scene.params, scene.camera, scene.options);
    if (thresholdMargins(projected, scene.camera).length === 0) return { ...scene, redraws };
  }
  throw new Error("no scene without a decision at a threshold in 50 draws");
}
