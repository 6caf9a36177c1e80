// Adam (3DGS/PyTorch form) over the flat parameter array, four elements per thread (vec4 loads;
// the arrays are padded to a multiple of 4); each element's group (and so its learning rate)
// follows from its offset. Dense: zero gradients update the moments too, like the CPU reference
// (padding stays zero: zero moments give a zero step).

struct Params {
  total: u32, count: u32, shStride: u32, _p: u32,
  lrMeans: f32, lrScales: f32, lrQuats: f32, lrOpacity: f32,
  lrShDC: f32, lrShRest: f32, beta1: f32, beta2: f32,
  bc1: f32, bc2: f32, eps: f32, _q: f32,
}
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read_write> params: array<vec4f>;
@group(0) @binding(2) var<storage, read> grads: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> m: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> v: array<vec4f>;

fn rate(idx: u32) -> f32 {
  let n = u.count;
  if (idx >= 11u * n) { return select(u.lrShRest, u.lrShDC, (idx - 11u * n) % u.shStride < 3u); }
  if (idx >= 10u * n) { return u.lrOpacity; }
  if (idx >= 6u * n) { return u.lrQuats; }
  if (idx >= 3u * n) { return u.lrScales; }
  return u.lrMeans;
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let q = gid.x + gid.y * nwg.x * 256u;
  if (4u * q >= u.total) { return; }
  let e = 4u * q;
  let lr = vec4f(rate(e), rate(e + 1u), rate(e + 2u), rate(e + 3u));
  let g = grads[q];
  let mi = u.beta1 * m[q] + (1.0 - u.beta1) * g;
  let vi = u.beta2 * v[q] + (1.0 - u.beta2) * g * g;
  m[q] = mi;
  v[q] = vi;
  params[q] -= lr * (mi / u.bc1) / (sqrt(vi / u.bc2) + u.eps);
}
