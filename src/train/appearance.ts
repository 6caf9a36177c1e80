/**
 * Per-image appearance compensation: every training view gets an affine colour transform
 * (reference/appearance.ts), learnt with its own learning rate and pulled towards the exposure
 * read from the data before training (the identity where there is none), so per-frame exposure
 * and white balance (phones, drones) are not baked into the splats. The
 * splats are the neutral model: renders, previews, evaluations and exports never apply a
 * transform.
 *
 * A held-out view's appearance is unknown, so two held-out figures are reported: the neutral
 * render against the view (PSNR), and the "fitted" PSNR — the least-squares colour transform
 * fitted on the left half of the view, measured on the right half (the protocol of NeRF-W-style
 * evaluations, applied to every run alike, with or without compensation).
 */
import { APPEARANCE_MASKS, APPEARANCE_PARAMS, identityAppearance } from "./reference/appearance.js";
import type { Appearance, RunContext } from "./runContext.js";
import type { AppearanceState, AppearanceStep, ImageRGB } from "./types.js";
import { estimateViewExposure, type ViewExposure } from "./viewExposure.js";

/**
 * Adam's learning rate for the transforms, which start at the estimate read through the SfM
 * tracks (viewExposure.ts, within ~0.5 % of the true gains on the simulated captures) and are
 * pulled back to it: at that accuracy the loss mostly adds noise, as view-dependent colour and
 * flare pull the transforms off. Measured on the two auto-exposure corpus captures against their
 * unaltered held-out views (1000 steps, 160 px): 0.1 / 0.05 / 0.02 / 0.01 / 0.005 / 0 gave
 * 29.53 / 31.00 / 31.39 / 31.15 / 31.23 / 31.36 dB on courtyard-autoexposure and – / 29.98 /
 * 29.76 / 29.89 / 29.98 / 29.87 on garden-autoexposure; 0.005 and 0 tie over both (README,
 * Training), and 0.005 still lets a real camera's effects beyond the estimate be learnt.
 */
export const APPEARANCE_LR = 0.005;
/**
 * Weight of (weight/2)·‖θ − prior‖² against the loss's mean-over-pixels gradient; the prior is
 * the view's exposure read from the sparse points before training (viewExposure.ts), or the
 * identity when there is none. The loss alone cannot tell an exposure that drifts slowly along
 * the camera path from view-dependent colour (the splats' higher SH bands fit it as well), so the
 * transforms wander off the data's estimate while the splats take up the difference; pulled
 * towards the identity (weight 0.01) they wandered furthest. On courtyard-autoexposure (its
 * 320×240 render, learning rate 0.05), against the unaltered held-out views: 25.14 dB towards
 * the identity, 25.92 with the transforms held at the estimate, 25.80 / 26.15 / 26.13 with
 * weight 0.3 / 1 / 3 towards it (README, Training).
 */
export const APPEARANCE_WEIGHT = 1;
/** Steps before the transforms start learning: the splats first learn the common colours. */
export const APPEARANCE_WARMUP = 100;

/**
 * Spread of the views' log gains (viewExposure.ts) from which `auto` turns compensation on: 4 %,
 * above what view change and sampling leave on fixed-exposure captures and below any exposure or
 * white-balance change a camera makes between frames.
 */
export const APPEARANCE_SPREAD_ON = 0.04;

/** Identity transforms and zero moments for `count` views. */
export function initialAppearance(count: number): AppearanceState {
  const theta = new Float32Array(count * APPEARANCE_PARAMS);
  for (let i = 0; i < count; i++) theta.set(identityAppearance(), i * APPEARANCE_PARAMS);
  return {
    count,
    theta,
    moments: new Float32Array(count * 2 * APPEARANCE_PARAMS),
    steps: new Float32Array(count),
  };
}

/** Transforms starting at the views' estimated per-channel gains (mean identity). */
function estimatedAppearance(exposure: ViewExposure | null, count: number): AppearanceState {
  const state = initialAppearance(count);
  if (!exposure) return state;
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < 3; c++)
      state.theta[i * APPEARANCE_PARAMS + c * 4] = exposure.gains[i * 3 + c]!;
  }
  return state;
}

/**
 * The model a run learns: the setting, or for `auto` per-channel gains when the views' exposure
 * spreads by {@link APPEARANCE_SPREAD_ON} or more (else none); logged with its reason.
 */
function chooseModel(ctx: RunContext): {
  model: "affine" | "gain" | null;
  exposure: ViewExposure | null;
} {
  const mode = ctx.settings.appearance;
  if (mode === "off") return { model: null, exposure: null };
  const exposure = estimateViewExposure(ctx.dataset);
  const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
  const found =
    `the training views' exposure spreads by ${pct(exposure.spread)} ` +
    `(${exposure.views} views, median ${exposure.samples} sparse points each)`;
  if (mode !== "auto") {
    ctx.log.info(`appearance ${mode}: ${found}; the transforms start there`);
    return { model: mode, exposure };
  }
  const on = exposure.spread >= APPEARANCE_SPREAD_ON;
  ctx.log.info(
    `appearance auto: ${found}, ${on ? "at or above" : "below"} ${pct(APPEARANCE_SPREAD_ON)}: ` +
      (on ? "per-image gain compensation on" : "compensation off"),
  );
  return { model: on ? "gain" : null, exposure: on ? exposure : null };
}

/** The run's appearance compensation (a no-op when the settings or the data turn it off). */
export function createAppearance(ctx: RunContext): Appearance {
  const { model, exposure } = chooseModel(ctx);
  const views = ctx.dataset.train.length;
  // Each view's transform is pulled towards where it started: the exposure read from the data.
  const prior = estimatedAppearance(exposure, views).theta;
  return {
    async start(saved?: Record<string, Float32Array>): Promise<void> {
      if (!model) return;
      const theta = saved?.["appearance.theta"];
      const fits = theta?.length === views * APPEARANCE_PARAMS;
      await ctx.backend.setAppearance(
        fits
          ? {
              count: views,
              theta,
              moments: saved!["appearance.moments"]!,
              steps: saved!["appearance.steps"]!,
            }
          : estimatedAppearance(exposure, views),
      );
    },
    /**
     * The appearance work of the step on training view `view`: the transform is applied from the
     * first step (it starts at the estimated gains) and learns after the warm-up.
     */
    stepArgs(step: number, view: number): AppearanceStep | undefined {
      if (!model) return undefined;
      const lr = step < APPEARANCE_WARMUP ? 0 : APPEARANCE_LR;
      const o = view * APPEARANCE_PARAMS;
      return {
        index: view,
        lr,
        weight: APPEARANCE_WEIGHT,
        mask: APPEARANCE_MASKS[model],
        prior: prior.subarray(o, o + APPEARANCE_PARAMS),
      };
    },
    /** The state a snapshot keeps. */
    async arrays(): Promise<Record<string, Float32Array>> {
      if (!model) return {};
      const s = await ctx.backend.getAppearance();
      return {
        "appearance.theta": s.theta,
        "appearance.moments": s.moments,
        "appearance.steps": s.steps,
      };
    },
  };
}

/** Solves the 4×4 symmetric system a·x = b by Gaussian elimination with partial pivoting. */
function solve4(a: number[], b: number[]): number[] {
  const m = a.map((v) => v);
  const x = b.map((v) => v);
  for (let c = 0; c < 4; c++) {
    let p = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(m[r * 4 + c]!) > Math.abs(m[p * 4 + c]!)) p = r;
    for (let k = 0; k < 4; k++) [m[c * 4 + k], m[p * 4 + k]] = [m[p * 4 + k]!, m[c * 4 + k]!];
    [x[c], x[p]] = [x[p]!, x[c]!];
    for (let r = c + 1; r < 4; r++) {
      const f = m[r * 4 + c]! / m[c * 4 + c]!;
      for (let k = c; k < 4; k++) m[r * 4 + k]! -= f * m[c * 4 + k]!;
      x[r]! -= f * x[c]!;
    }
  }
  for (let r = 3; r >= 0; r--) {
    let s = x[r]!;
    for (let k = r + 1; k < 4; k++) s -= m[r * 4 + k]! * x[k]!;
    x[r] = s / m[r * 4 + r]!;
  }
  return x;
}

/**
 * The affine colour transform θ (as reference/appearance.ts) that best maps `rendered` onto
 * `target` in the least-squares sense over the pixels with x < `columns`, with a small ridge
 * towards the identity so flat regions stay well posed.
 */
export function fitAppearance(rendered: ImageRGB, target: ImageRGB, columns: number): Float64Array {
  const ata = new Array<number>(16).fill(0);
  const atb = [0, 1, 2].map(() => new Array<number>(4).fill(0));
  let n = 0;
  for (let y = 0; y < rendered.height; y++) {
    for (let x = 0; x < Math.min(columns, rendered.width); x++) {
      const p = (y * rendered.width + x) * 3;
      const v = [rendered.data[p]!, rendered.data[p + 1]!, rendered.data[p + 2]!, 1];
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 4; j++) ata[i * 4 + j]! += v[i]! * v[j]!;
        for (let r = 0; r < 3; r++) atb[r]![i]! += v[i]! * target.data[p + r]!;
      }
      n++;
    }
  }
  const ridge = 1e-3 * Math.max(1, n);
  const id = identityAppearance();
  const theta = new Float64Array(APPEARANCE_PARAMS);
  for (let r = 0; r < 3; r++) {
    const a = ata.map((v, k) => v + (k % 5 === 0 ? ridge : 0));
    const prior = [id[r * 3]!, id[r * 3 + 1]!, id[r * 3 + 2]!, id[9 + r]!];
    const row = solve4(
      a,
      atb[r]!.map((v, i) => v + ridge * prior[i]!),
    );
    theta.set(row.slice(0, 3), r * 3);
    theta[9 + r] = row[3]!;
  }
  return theta;
}

/**
 * PSNR of the right half of `rendered` against `target` after the colour transform fitted on the
 * left half (values clamped to [0, 1] as imageMetrics' PSNR).
 */
export function fittedHalfPsnr(rendered: ImageRGB, target: ImageRGB): number {
  const half = Math.floor(rendered.width / 2);
  const theta = fitAppearance(rendered, target, half);
  let se = 0;
  let count = 0;
  const clamp = (v: number) => (v > 0 ? (v < 1 ? v : 1) : 0);
  for (let y = 0; y < rendered.height; y++) {
    for (let x = half; x < rendered.width; x++) {
      const p = (y * rendered.width + x) * 3;
      for (let r = 0; r < 3; r++) {
        const v =
          theta[r * 3]! * rendered.data[p]! +
          theta[r * 3 + 1]! * rendered.data[p + 1]! +
          theta[r * 3 + 2]! * rendered.data[p + 2]! +
          theta[9 + r]!;
        const d = clamp(v) - clamp(target.data[p + r]!);
        se += d * d;
        count++;
      }
    }
  }
  const mse = se / Math.max(1, count);
  return mse <= 1e-10 ? 100 : -10 * Math.log10(mse);
}
