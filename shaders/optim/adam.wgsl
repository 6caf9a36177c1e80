// Adam (3DGS/PyTorch form) over the flat parameter array, one thread per element; the group
// (and so the learning rate) follows from the element's offset. Dense: zero gradients update
// the moments too, like the CPU reference.

struct Params {
  total: u32, count: u32, shStride: u32, _p: u32,
  lrMeans: f32, lrScales: f32, lrQuats: f32, lrOpacity: f32,
  lrShDC: f32, lrShRest: f32, beta1: f32, beta2: f32,
  bc1: f32, bc2: f32, eps: f32, _q: f32,
}
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read_write> params: array<f32>;
@group(0) @binding(2) var<storage, read> grads: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = gid.x + gid.y * nwg.x * 256u;
  if (idx >= u.total) { return; }
  let n = u.count;
  var lr = u.lrMeans;
  if (idx >= 11u * n) {
    lr = select(u.lrShRest, u.lrShDC, (idx - 11u * n) % u.shStride < 3u);
  } else if (idx >= 10u * n) { lr = u.lrOpacity; }
  else if (idx >= 6u * n) { lr = u.lrQuats; }
  else if (idx >= 3u * n) { lr = u.lrScales; }
  let g = grads[idx];
  let mi = u.beta1 * m[idx] + (1.0 - u.beta1) * g;
  let vi = u.beta2 * v[idx] + (1.0 - u.beta2) * g * g;
  m[idx] = mi;
  v[idx] = vi;
  params[idx] -= lr * (mi / u.bc1) / (sqrt(vi / u.bc2) + u.eps);
}
