/**
 * Anti-aliasing as Mip-Splatting: a 3D smoothing filter per splat whose variance follows from
 * the highest rate at which any training camera samples the splat — 0.2·(z/f)² with z the
 * smallest depth at which a camera sees it (in front, within 15 % beyond the picture's edges)
 * and f the largest focal length, so nothing finer than a training pixel can be represented —
 * plus the 2D filter's opacity compensation in every render. The filter is recomputed as the
 * splats move (every densification interval) and baked into the exported scales and
 * opacities, so viewers without the filter still draw the model the filter shaped.
 */
import { logit, sigmoid, type GaussianParams } from "../contracts/gaussians.js";
import type { AntiAliaser, RunContext } from "./runContext.js";
import { RASTER, type Camera } from "./types.js";

/** The filter's variance in squared pixels at the sampling rate (Mip-Splatting's 0.2). */
export const FILTER_3D_SCALE = 0.2;
/** Fraction beyond each image edge within which a camera still counts as seeing a splat. */
const EDGE_MARGIN = 0.15;

/** The 3D filter's variance for every splat of `params` over `cameras`. */
export function filter3dVariance(
  params: Pick<GaussianParams, "count" | "means">,
  cameras: readonly Camera[],
): Float32Array {
  const n = params.count;
  const zMin = new Float64Array(n).fill(Infinity);
  let focal = 0;
  for (const c of cameras) {
    focal = Math.max(focal, c.fx, c.fy);
    const m = c.viewmat;
    const [x0, x1] = [-EDGE_MARGIN * c.width, (1 + EDGE_MARGIN) * c.width];
    const [y0, y1] = [-EDGE_MARGIN * c.height, (1 + EDGE_MARGIN) * c.height];
    for (let i = 0; i < n; i++) {
      const px = params.means[i * 3]!;
      const py = params.means[i * 3 + 1]!;
      const pz = params.means[i * 3 + 2]!;
      const z = m[8]! * px + m[9]! * py + m[10]! * pz + m[11]!;
      if (!(z > RASTER.nearPlane) || z >= zMin[i]!) continue;
      const u = (c.fx * (m[0]! * px + m[1]! * py + m[2]! * pz + m[3]!)) / z + c.cx;
      const v = (c.fy * (m[4]! * px + m[5]! * py + m[6]! * pz + m[7]!)) / z + c.cy;
      if (u >= x0 && u <= x1 && v >= y0 && v <= y1) zMin[i] = z;
    }
  }
  // Splats no camera sees take the coarsest filter of the seen ones.
  let seenMax = 0;
  for (let i = 0; i < n; i++) if (Number.isFinite(zMin[i]!)) seenMax = Math.max(seenMax, zMin[i]!);
  const out = new Float32Array(n);
  if (focal === 0) return out;
  for (let i = 0; i < n; i++) {
    const z = Number.isFinite(zMin[i]!) ? zMin[i]! : seenMax;
    out[i] = FILTER_3D_SCALE * (z / focal) ** 2;
  }
  return out;
}

/**
 * The parameters a viewer should draw: the 3D filter baked in (scales sqrt(s² + f), opacities ×
 * Π s / sqrt(s² + f)) and marked antialiased. Inputs are not modified.
 */
export function bakeAntiAliasing(
  params: GaussianParams,
  filter3d: Float32Array | null,
): GaussianParams {
  const out: GaussianParams = {
    ...params,
    logScales: params.logScales.slice(),
    opacityLogits: params.opacityLogits.slice(),
    antialiased: true,
  };
  if (!filter3d) return out;
  for (let i = 0; i < params.count; i++) {
    const f = filter3d[i]!;
    let coef = 1;
    for (let k = 0; k < 3; k++) {
      const s2 = Math.exp(2 * params.logScales[i * 3 + k]!);
      out.logScales[i * 3 + k] = 0.5 * Math.log(s2 + f);
      coef *= Math.sqrt(s2 / (s2 + f));
    }
    out.opacityLogits[i] = logit(sigmoid(params.opacityLogits[i]!) * coef);
  }
  return out;
}

/** Steps between recomputations of the 3D filter (Mip-Splatting: 100, as densification). */
export const FILTER_3D_EVERY = 100;

/**
 * The run's anti-aliasing: off, or the 3D filter kept current (at the start, and after every
 * {@link FILTER_3D_EVERY} steps, densification rounds included) plus the 2D compensation.
 */
export function createAntiAliaser(ctx: RunContext): AntiAliaser {
  const on = ctx.settings.antiAliasing === "mip";
  const cameras = ctx.dataset.train.map((v) => v.camera);
  let filter: Float32Array | null = null;
  const refresh = async (): Promise<void> => {
    filter = filter3dVariance(await ctx.backend.getParams(), cameras);
    await ctx.backend.setAntiAliasing({ filter3d: filter, antialiased: true });
  };
  return {
    /** At the start: the snapshot's filter (a resumed run continues exactly) or a new one. */
    async start(saved?: Float32Array): Promise<void> {
      if (!on) return;
      if (saved && saved.length === ctx.backend.count) {
        filter = saved;
        await ctx.backend.setAntiAliasing({ filter3d: filter, antialiased: true });
      } else await refresh();
    },
    async afterStep(step: number): Promise<void> {
      if (on && step % FILTER_3D_EVERY === 0) await refresh();
    },
    /** The state a snapshot keeps. */
    arrays(): Record<string, Float32Array> {
      return filter ? { filter3d: filter } : {};
    },
    /** What exports write: the filter baked in (unchanged when off). */
    bake(params: GaussianParams): GaussianParams {
      return on ? bakeAntiAliasing(params, filter) : params;
    },
  };
}
