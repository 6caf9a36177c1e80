// See loss_forward.wgsl: per-pixel SSIM, loss terms and the SSIM partial-derivative planes.

struct Params { width: u32, height: u32, _a: u32, _b: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> image: array<f32>;
@group(0) @binding(2) var<storage, read> targetImg: array<f32>;
@group(0) @binding(3) var<storage, read> blurred: array<f32>;
@group(0) @binding(4) var<storage, read_write> gradPlanes: array<f32>;
@group(0) @binding(5) var<storage, read_write> terms: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = params.width * params.height;
  let i = gid.x;
  if (i >= n) { return; }
  let count = f32(3u * n);
  for (var c = 0u; c < 3u; c++) {
    let mux = blurred[(0u + c) * n + i];
    let muy = blurred[(3u + c) * n + i];
    let sxx = blurred[(6u + c) * n + i] - mux * mux;
    let syy = blurred[(9u + c) * n + i] - muy * muy;
    let sxy = blurred[(12u + c) * n + i] - mux * muy;
    let a = 2.0 * mux * muy + SSIM_C1;
    let b = 2.0 * sxy + SSIM_C2;
    let cc = mux * mux + muy * muy + SSIM_C1;
    let d = sxx + syy + SSIM_C2;
    let s = (a * b) / (cc * d);
    gradPlanes[(0u + c) * n + i] =
      s * (2.0 * muy / a - 2.0 * muy / b - 2.0 * mux / cc + 2.0 * mux / d) / count;
    gradPlanes[(3u + c) * n + i] = -s / d / count;
    gradPlanes[(6u + c) * n + i] = 2.0 * s / b / count;
    let diff = image[3u * i + c] - targetImg[3u * i + c];
    terms[3u * i + c] = ((1.0 - SSIM_WEIGHT) * abs(diff) + SSIM_WEIGHT * (1.0 - s)) / count;
  }
}
