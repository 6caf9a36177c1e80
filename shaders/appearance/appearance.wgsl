// Per-image appearance: out = clamp(M·rgb + b, 0, 1) (the camera clips) on the rendered image
// before the loss, its backward (a clipped value passes no gradient),
// and Adam on the view's θ = [M row-major (9) | b (3)] regularised towards a prior, as
// src/train/reference/appearance.ts. Three entry points, one view per step:
//   apply     image → shown (per pixel)
//   backward  dShown → dImage = Mᵀ·dShown (per pixel), and per-workgroup sums of dShown ⊗ rgb
//             and dShown → partials (12 per workgroup, reduced in a fixed order)
//   update    one workgroup: sums the partials in order, adds weight·(θ − prior), Adam step
//             with this view's own step count (bias correction per view) on the entries the
//             mask selects; then recentres every view's θ: the diagonal (gains) divided by its
//             geometric mean over the views, the other entries shifted to the identity's (each
//             thread owns one entry of θ across all views, so no barrier is needed)

const GAIN_FLOOR = 1e-6; // as GAIN_FLOOR in reference/appearance.ts

struct App {
  index: u32, pixels: u32, partials: u32, count: u32,
  lr: f32, weight: f32, beta1: f32, beta2: f32,
  eps: f32, mask: u32, _q1: f32, _q2: f32,
  prior: array<vec4f, 3>, // the θ the regulariser pulls this view towards
}
@group(0) @binding(0) var<uniform> u: App;
@group(0) @binding(1) var<storage, read> image: array<f32>;
@group(0) @binding(2) var<storage, read_write> theta: array<f32>; // 12 per view
@group(0) @binding(3) var<storage, read_write> shown: array<f32>;
@group(0) @binding(4) var<storage, read> dShown: array<f32>;
@group(0) @binding(5) var<storage, read_write> dImage: array<f32>;
@group(0) @binding(6) var<storage, read_write> partials: array<f32>;
@group(0) @binding(7) var<storage, read_write> moments: array<f32>; // m (12) | v (12) per view
@group(0) @binding(8) var<storage, read_write> steps: array<f32>; // Adam steps per view

fn rgbAt(p: u32) -> vec3f { return vec3f(image[3u * p], image[3u * p + 1u], image[3u * p + 2u]); }

// M with columns as WGSL expects: column c holds M[.][c].
fn matrixOf() -> mat3x3f {
  let o = 12u * u.index;
  return mat3x3f(
    vec3f(theta[o], theta[o + 3u], theta[o + 6u]),
    vec3f(theta[o + 1u], theta[o + 4u], theta[o + 7u]),
    vec3f(theta[o + 2u], theta[o + 5u], theta[o + 8u]));
}
fn offsetOf() -> vec3f {
  let o = 12u * u.index;
  return vec3f(theta[o + 9u], theta[o + 10u], theta[o + 11u]);
}

@compute @workgroup_size(256)
fn apply(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let p = gid.x + gid.y * nwg.x * 256u;
  if (p >= u.pixels) { return; }
  let out = clamp(matrixOf() * rgbAt(p) + offsetOf(), vec3f(0.0), vec3f(1.0));
  shown[3u * p] = out.x;
  shown[3u * p + 1u] = out.y;
  shown[3u * p + 2u] = out.z;
}

var<workgroup> sums: array<f32, 3072>; // 256 threads × 12

@compute @workgroup_size(256)
fn backward(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
            @builtin(num_workgroups) nwg: vec3u) {
  let group = wid.x + wid.y * nwg.x;
  let p = group * 256u + lid;
  var d = vec3f(0.0);
  var rgb = vec3f(0.0);
  if (p < u.pixels) {
    rgb = rgbAt(p);
    let v = matrixOf() * rgb + offsetOf();
    let inside = select(vec3f(0.0), vec3f(1.0), (v > vec3f(0.0)) & (v < vec3f(1.0)));
    d = vec3f(dShown[3u * p], dShown[3u * p + 1u], dShown[3u * p + 2u]) * inside;
    let back = transpose(matrixOf()) * d;
    dImage[3u * p] = back.x;
    dImage[3u * p + 1u] = back.y;
    dImage[3u * p + 2u] = back.z;
  }
  for (var r = 0u; r < 3u; r++) {
    for (var c = 0u; c < 3u; c++) { sums[lid * 12u + r * 3u + c] = d[r] * rgb[c]; }
    sums[lid * 12u + 9u + r] = d[r];
  }
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      for (var j = 0u; j < 12u; j++) { sums[lid * 12u + j] += sums[(lid + stride) * 12u + j]; }
    }
    workgroupBarrier();
  }
  if (lid < 12u) { partials[group * 12u + lid] = sums[lid]; }
}

@compute @workgroup_size(16)
fn update(@builtin(local_invocation_index) lid: u32) {
  let t = steps[u.index] + 1.0;
  workgroupBarrier();
  if (lid < 12u) {
    let identity = select(0.0, 1.0, lid == 0u || lid == 4u || lid == 8u);
    if (((u.mask >> lid) & 1u) != 0u) {
      var g = 0.0;
      for (var w = 0u; w < u.partials; w++) { g += partials[w * 12u + lid]; }
      let o = 12u * u.index + lid;
      g += u.weight * (theta[o] - u.prior[lid / 4u][lid % 4u]);
      let mo = 24u * u.index + lid;
      let m = u.beta1 * moments[mo] + (1.0 - u.beta1) * g;
      let v = u.beta2 * moments[mo + 12u] + (1.0 - u.beta2) * g * g;
      moments[mo] = m;
      moments[mo + 12u] = v;
      let mHat = m / (1.0 - pow(u.beta1, t));
      let vHat = v / (1.0 - pow(u.beta2, t));
      theta[o] -= u.lr * mHat / (sqrt(vHat) + u.eps);
    }
    if (identity == 1.0) {
      var logSum = 0.0;
      for (var k = 0u; k < u.count; k++) { logSum += log(max(theta[12u * k + lid], GAIN_FLOOR)); }
      let scale = exp(logSum / f32(u.count));
      for (var k = 0u; k < u.count; k++) { theta[12u * k + lid] /= scale; }
    } else {
      var sum = 0.0;
      for (var k = 0u; k < u.count; k++) { sum += theta[12u * k + lid]; }
      let shift = sum / f32(u.count);
      for (var k = 0u; k < u.count; k++) { theta[12u * k + lid] -= shift; }
    }
  }
  workgroupBarrier();
  if (lid == 0u) { steps[u.index] = t; }
}
