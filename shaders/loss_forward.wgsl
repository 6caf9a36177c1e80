// Training loss forward: (1 − λ)·L1 + λ·(1 − SSIM), λ = SSIM_WEIGHT, SSIM per channel with the
// 11×11 Gaussian window (zero-padded 'same' filtering, as the CPU reference).
// `prepare` writes the 15 planes to blur: x, y, x², y², xy per channel (plane q·3 + c).
// `ssim_terms` turns the blurred planes into per-element loss terms and the three SSIM partial
// derivative planes (∂S/∂μx, ∂S/∂E[x²], ∂S/∂E[xy], already divided by the element count) that
// loss_backward blurs again and combines. `reduce` sums the loss terms (one workgroup).

struct Params { width: u32, height: u32, _a: u32, _b: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> image: array<f32>;
@group(0) @binding(2) var<storage, read> targetImg: array<f32>;
@group(0) @binding(3) var<storage, read_write> planes: array<f32>;

@compute @workgroup_size(256)
fn prepare(@builtin(global_invocation_id) gid: vec3u) {
  let n = params.width * params.height;
  let i = gid.x;
  if (i >= n) { return; }
  for (var c = 0u; c < 3u; c++) {
    let x = image[3u * i + c];
    let y = targetImg[3u * i + c];
    planes[(0u + c) * n + i] = x;
    planes[(3u + c) * n + i] = y;
    planes[(6u + c) * n + i] = x * x;
    planes[(9u + c) * n + i] = y * y;
    planes[(12u + c) * n + i] = x * y;
  }
}
