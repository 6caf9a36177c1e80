// Training loss backward: dL/dimage = (1 − λ)·sign(x − y)/count − λ·dSSIM/dx, where the SSIM
// derivative is blur(∂S/∂μx) + 2x·blur(∂S/∂E[x²]) + y·blur(∂S/∂E[xy]) (the window is symmetric,
// so the zero-padded blur is its own adjoint).

struct Params { width: u32, height: u32, _a: u32, _b: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> image: array<f32>;
@group(0) @binding(2) var<storage, read> targetImg: array<f32>;
@group(0) @binding(3) var<storage, read> blurredGrads: array<f32>;
@group(0) @binding(4) var<storage, read_write> dImage: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = params.width * params.height;
  let i = gid.x;
  if (i >= n) { return; }
  let count = f32(3u * n);
  for (var c = 0u; c < 3u; c++) {
    let x = image[3u * i + c];
    let y = targetImg[3u * i + c];
    let dSsim = blurredGrads[(0u + c) * n + i] + 2.0 * x * blurredGrads[(3u + c) * n + i] +
      y * blurredGrads[(6u + c) * n + i];
    dImage[3u * i + c] = (1.0 - SSIM_WEIGHT) * sign(x - y) / count - SSIM_WEIGHT * dSsim;
  }
}
