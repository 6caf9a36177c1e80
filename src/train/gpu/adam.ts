/**
 * Adam on the GPU (3DGS/PyTorch form, bias-corrected, ε after the square root) over the flat
 * parameter layout, four elements per thread; the group's learning rate follows from the offset.
 */
import { shCoeffCount } from "../../contracts/gaussians.js";
import { groups2d } from "../../gpu/dispatchSize.js";
import type { PhaseRecorder } from "../../gpu/phaseRecorder.js";
import { dispatch } from "../../gpu/shaders.js";
import type { UniformArena } from "../../gpu/uniforms.js";
import { REFERENCE_CONVENTIONS } from "../reference/conventions.js";
import type { LearningRates } from "../types.js";
import type { SplatStore } from "./splatStore.js";
import { SPLAT_SHADERS } from "./splatShaders.js";

/** WGSL kernels this module launches. */
const KERNELS = { adam: "optim/adam" } as const;

/** Records one Adam update of every parameter of `store` (its step count goes up by one). */
export async function recordAdam(
  rec: PhaseRecorder,
  device: GPUDevice,
  uniforms: UniformArena,
  store: SplatStore,
  lr: LearningRates,
): Promise<void> {
  const { adamBeta1: b1, adamBeta2: b2, adamEps: eps } = REFERENCE_CONVENTIONS;
  store.adamStep += 1;
  const t = store.adamStep;
  const u = new Uint32Array(16);
  const f = new Float32Array(u.buffer);
  u[0] = store.flatLength;
  u[1] = store.count;
  u[2] = shCoeffCount(store.maxShDegree) * 3;
  f.set([lr.means, lr.logScales, lr.quats, lr.opacityLogits, lr.shDC, lr.shRest, b1, b2], 4);
  f.set([1 - b1 ** t, 1 - b2 ** t, eps], 12);
  const slot = uniforms.alloc(u);
  const b = store.buffers;
  const [gx, gy] = groups2d(Math.ceil(store.flatLength / 4 / 256));
  await rec.phase("adam", (pass) => {
    const pipeline = SPLAT_SHADERS.pipeline(device, KERNELS.adam);
    dispatch(pass, device, pipeline, [slot, b.params, b.grads, b.m, b.v], gx, gy);
  });
}
