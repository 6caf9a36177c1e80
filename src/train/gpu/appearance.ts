/**
 * Per-image appearance on the GPU (shaders/appearance): every view's affine colour transform θ
 * with its Adam moments and step count, applied to the rendered image before the loss and
 * learnt from the loss's gradient in the same step, no readback.
 */
import { GrowableBuffer, destroyBuffer, readF32, uploadBuffer } from "../../gpu/buffers.js";
import { groups2d } from "../../gpu/dispatchSize.js";
import type { PhaseRecorder } from "../../gpu/phaseRecorder.js";
import { dispatch } from "../../gpu/shaders.js";
import type { UniformArena } from "../../gpu/uniforms.js";
import { SplatbookError } from "../../util/errors.js";
import { initialAppearance } from "../appearance.js";
import {
  APPEARANCE_MASKS,
  APPEARANCE_PARAMS,
  identityAppearance,
} from "../reference/appearance.js";
import { REFERENCE_CONVENTIONS } from "../reference/conventions.js";
import type { AppearanceState, AppearanceStep } from "../types.js";
import { SPLAT_SHADERS } from "./splatShaders.js";

const KERNEL = "appearance/appearance";

/** The views' transforms on the GPU. */
export class GpuAppearance {
  private theta: GPUBuffer | null = null;
  private moments: GPUBuffer | null = null;
  private steps: GPUBuffer | null = null;
  private readonly partials: GrowableBuffer;
  count = 0;

  constructor(private readonly device: GPUDevice) {
    this.partials = new GrowableBuffer(device, "appearance-partials");
  }

  /** Uploads every view's state. */
  set(s: AppearanceState): void {
    this.free();
    const d = this.device;
    this.count = s.count;
    this.theta = uploadBuffer(d, s.theta, undefined, "appearance");
    this.moments = uploadBuffer(d, s.moments, undefined, "appearance-moments");
    this.steps = uploadBuffer(d, s.steps, undefined, "appearance-steps");
  }

  async get(): Promise<AppearanceState> {
    if (!this.theta) return initialAppearance(0);
    const n = this.count;
    return {
      count: n,
      theta: await readF32(this.device, this.theta, n * APPEARANCE_PARAMS),
      moments: await readF32(this.device, this.moments!, n * 2 * APPEARANCE_PARAMS),
      steps: await readF32(this.device, this.steps!, n),
    };
  }

  private uniform(uniforms: UniformArena, a: AppearanceStep, pixels: number, partials: number) {
    if (!this.theta || a.index < 0 || a.index >= this.count) {
      throw new SplatbookError(`GPU backend: no appearance for view ${a.index} of ${this.count}`);
    }
    const u = new Uint32Array(12 + APPEARANCE_PARAMS);
    const f = new Float32Array(u.buffer);
    u.set([a.index, pixels, partials, this.count]);
    const { adamBeta1, adamBeta2, adamEps } = REFERENCE_CONVENTIONS;
    f.set([a.lr, a.weight, adamBeta1, adamBeta2, adamEps], 4);
    u[9] = a.mask ?? APPEARANCE_MASKS.affine;
    f.set(a.prior ?? identityAppearance(), 12);
    return uniforms.alloc(u);
  }

  /** Records shown = M·image + b for the view. */
  async recordApply(
    rec: PhaseRecorder,
    uniforms: UniformArena,
    a: AppearanceStep,
    image: GPUBuffer,
    shown: GPUBuffer,
    pixels: number,
  ): Promise<void> {
    const slot = this.uniform(uniforms, a, pixels, 0);
    const [gx, gy] = groups2d(Math.ceil(pixels / 256));
    await rec.phase("appearance", (pass) => {
      const p = SPLAT_SHADERS.pipeline(this.device, KERNEL, "apply");
      dispatch(pass, this.device, p, { 0: slot, 1: image, 2: this.theta!, 3: shown }, gx, gy);
    });
  }

  /** Records dImage = Mᵀ·dShown, the view's Adam step, and the views' recentring. */
  async recordBackward(
    rec: PhaseRecorder,
    uniforms: UniformArena,
    a: AppearanceStep,
    buffers: { image: GPUBuffer; dShown: GPUBuffer; dImage: GPUBuffer },
    pixels: number,
  ): Promise<void> {
    const [gx, gy] = groups2d(Math.ceil(pixels / 256));
    const groups = gx * gy;
    const partials = this.partials.ensure(groups * APPEARANCE_PARAMS * 4);
    const slot = this.uniform(uniforms, a, pixels, groups);
    const d = this.device;
    await rec.phase("appearance", (pass) => {
      const back = SPLAT_SHADERS.pipeline(d, KERNEL, "backward");
      const { image, dShown, dImage } = buffers;
      const res = { 0: slot, 1: image, 2: this.theta!, 4: dShown, 5: dImage, 6: partials };
      dispatch(pass, d, back, res, gx, gy);
      const update = SPLAT_SHADERS.pipeline(d, KERNEL, "update");
      const ures = { 0: slot, 2: this.theta!, 6: partials, 7: this.moments!, 8: this.steps! };
      dispatch(pass, d, update, ures, 1);
    });
  }

  private free(): void {
    for (const b of [this.theta, this.moments, this.steps]) if (b) destroyBuffer(b);
    this.theta = this.moments = this.steps = null;
  }

  destroy(): void {
    this.free();
    this.partials.destroy();
  }
}
