/**
 * Brute-force front-to-back compositing per pixel (float64) and its backward. Every pixel walks
 * all visible splats in depth order, restricted to those whose tile rectangle covers the pixel's
 * tile, so it produces exactly what a tile-based rasterizer with the same rules produces.
 */
import { RASTER, TILE_SIZE, type Camera } from "../types.js";
import type { ProjectedGrad, ProjectedSplat } from "./project.js";

/** One splat's contribution at one pixel. */
export interface Fragment {
  /** Position of the splat in the `projected` array. */
  slot: number;
  alpha: number;
  /** Transmittance in front of this splat. */
  tBefore: number;
  /** exp(power). */
  gauss: number;
  /** σ(o)·G exceeded alphaMax, so α was clamped. */
  clamped: boolean;
}

/** Forward output of the reference rasterizer. */
export interface RasterOutput {
  width: number;
  height: number;
  /** RGB, row-major, interleaved (height·width·3). */
  image: Float64Array;
  /** Transmittance left after the last contributor (height·width). */
  finalT: Float64Array;
  /** Number of splats that contributed to each pixel. */
  contributorCount: Uint32Array;
  /** Splat index (into the parameters) of the last contributor, −1 where none. */
  lastContributor: Int32Array;
  /** Per pixel, the contributing fragments front to back (the backward pass needs them). */
  fragments: Fragment[][];
}

/** Depth order: ascending z, ties by splat index. */
export function depthOrder(projected: readonly ProjectedSplat[]): number[] {
  return projected
    .map((_, slot) => slot)
    .sort(
      (a, b) =>
        projected[a]!.depth - projected[b]!.depth || projected[a]!.index - projected[b]!.index,
    );
}

/** Gaussian falloff exponent at pixel centre (px + 0.5, py + 0.5). */
function powerAt(
  ps: ProjectedSplat,
  px: number,
  py: number,
): { power: number; dx: number; dy: number } {
  const dx = ps.mean2d[0] - (px + 0.5);
  const dy = ps.mean2d[1] - (py + 0.5);
  const [A, B, C] = ps.conic;
  return { power: -0.5 * (A * dx * dx + C * dy * dy) - B * dx * dy, dx, dy };
}

/** Composites the projected splats into an image. */
export function rasterizeForward(
  projected: readonly ProjectedSplat[],
  camera: Camera,
): RasterOutput {
  const { width, height } = camera;
  const image = new Float64Array(width * height * 3);
  const finalT = new Float64Array(width * height);
  const contributorCount = new Uint32Array(width * height);
  const lastContributor = new Int32Array(width * height).fill(-1);
  const fragments: Fragment[][] = [];
  const order = depthOrder(projected);
  for (let py = 0; py < height; py++) {
    const tileY = Math.floor(py / TILE_SIZE);
    for (let px = 0; px < width; px++) {
      const tileX = Math.floor(px / TILE_SIZE);
      const pixel = py * width + px;
      const list: Fragment[] = [];
      let T = 1;
      for (const slot of order) {
        const ps = projected[slot]!;
        const t = ps.tiles;
        if (tileX < t.x0 || tileX >= t.x1 || tileY < t.y0 || tileY >= t.y1) continue;
        const { power } = powerAt(ps, px, py);
        if (power > 0) continue;
        const gauss = Math.exp(power);
        const raw = ps.opacity * gauss;
        const alpha = Math.min(RASTER.alphaMax, raw);
        if (alpha < RASTER.alphaMin) continue;
        const nextT = T * (1 - alpha);
        if (nextT < RASTER.transmittanceMin) break;
        for (let c = 0; c < 3; c++) image[pixel * 3 + c] += ps.rgb[c]! * alpha * T;
        list.push({ slot, alpha, tBefore: T, gauss, clamped: raw > RASTER.alphaMax });
        T = nextT;
        lastContributor[pixel] = ps.index;
      }
      for (let c = 0; c < 3; c++) image[pixel * 3 + c] += T * RASTER.background[c]!;
      finalT[pixel] = T;
      contributorCount[pixel] = list.length;
      fragments.push(list);
    }
  }
  return { width, height, image, finalT, contributorCount, lastContributor, fragments };
}

/** Zeroed gradient slots, one per projected splat. */
function emptyGrads(n: number): ProjectedGrad[] {
  return Array.from({ length: n }, () => ({
    mean2d: [0, 0] as [number, number],
    conic: [0, 0, 0] as [number, number, number],
    rgb: [0, 0, 0] as [number, number, number],
    opacity: 0,
  }));
}

/**
 * Backward of {@link rasterizeForward}: dL/d image → per projected splat dL/d(mean2D, conic,
 * colour, σ(o)).
 */
export function rasterizeBackward(
  projected: readonly ProjectedSplat[],
  forward: RasterOutput,
  dImage: ArrayLike<number>,
): ProjectedGrad[] {
  const grads = emptyGrads(projected.length);
  const { width, height } = forward;
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const pixel = py * width + px;
      const list = forward.fragments[pixel]!;
      const dC = [dImage[pixel * 3]!, dImage[pixel * 3 + 1]!, dImage[pixel * 3 + 2]!];
      // `behind` = colour composited behind the current fragment, including the background,
      // divided by the transmittance just behind it.
      const T = forward.finalT[pixel]!;
      const behind = [0, 1, 2].map((c) => T * RASTER.background[c]!);
      for (let f = list.length - 1; f >= 0; f--) {
        const frag = list[f]!;
        const ps = projected[frag.slot]!;
        const g = grads[frag.slot]!;
        const tAfter = frag.tBefore * (1 - frag.alpha);
        let dAlpha = 0;
        for (let c = 0; c < 3; c++) {
          g.rgb[c] += frag.alpha * frag.tBefore * dC[c]!;
          dAlpha += dC[c]! * frag.tBefore * (ps.rgb[c]! - behind[c]! / tAfter);
        }
        for (let c = 0; c < 3; c++) behind[c] += ps.rgb[c]! * frag.alpha * frag.tBefore;
        if (frag.clamped) continue;
        // α = σ(o)·G, G = exp(power).
        g.opacity += frag.gauss * dAlpha;
        const dPower = ps.opacity * frag.gauss * dAlpha;
        const { dx, dy } = powerAt(ps, px, py);
        const [A, B, C] = ps.conic;
        g.conic[0] += -0.5 * dx * dx * dPower;
        g.conic[1] += -dx * dy * dPower;
        g.conic[2] += -0.5 * dy * dy * dPower;
        g.mean2d[0] += -(A * dx + B * dy) * dPower;
        g.mean2d[1] += -(B * dx + C * dy) * dPower;
      }
    }
  }
  return grads;
}
