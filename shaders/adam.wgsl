// Loss/Adam kernels (GPU2 helper); the rasterizer host code calls these.
// One Adam step (PyTorch/3DGS form, as src/train/reference/adam.ts) over one parameter group, one
// element per thread, then the gradient is zeroed so the next backward pass can accumulate into
// it. The gradient element type is a host define: f32 (also right for f32 bits accumulated with
// CAS loops on atomic<u32>, the bits are the same) or i32 fixed point (value = i32 · GRAD_INV_SCALE).
// With shK > 0 the group is an SH buffer laid out sh[(i·K + k)·3 + c] and coefficient k = 0 uses
// lrDC, k ≥ 1 lrRest; otherwise every element uses lrDC.

struct Params {
  count: u32,
  shK: u32,
  lrDC: f32,
  lrRest: f32,
  /** 1 − β1^t and 1 − β2^t, t = steps taken including this one. */
  biasCorrection1: f32,
  biasCorrection2: f32,
  _a: u32,
  _b: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> grads: array<${GRAD_TYPE}>;
@group(0) @binding(3) var<storage, read_write> m1: array<f32>;
@group(0) @binding(4) var<storage, read_write> m2: array<f32>;

// 1 − β as its own constant: 1 − f32(0.999) is off by 1e-5 relative, which the moments would
// carry (PyTorch's f32 Adam has that error; the float64 reference does not).
const ONE_MINUS_BETA1: f32 = ${ONE_MINUS_BETA1};
const ONE_MINUS_BETA2: f32 = ${ONE_MINUS_BETA2};
const EPS: f32 = ${EPS};
const GRAD_INV_SCALE: f32 = ${GRAD_INV_SCALE};

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
        @builtin(num_workgroups) nwg: vec3u) {
  let i = (wid.x + wid.y * nwg.x) * 256u + lid;
  if (i >= params.count) { return; }
  let g = f32(grads[i]) * GRAD_INV_SCALE;
  grads[i] = ${GRAD_TYPE}(0);
  let m = m1[i] + ONE_MINUS_BETA1 * (g - m1[i]);
  let v = m2[i] + ONE_MINUS_BETA2 * (g * g - m2[i]);
  m1[i] = m;
  m2[i] = v;
  var lr = params.lrDC;
  if (params.shK > 0u && (i / 3u) % params.shK != 0u) { lr = params.lrRest; }
  values[i] -= lr * (m / params.biasCorrection1) / (sqrt(v / params.biasCorrection2) + EPS);
}
