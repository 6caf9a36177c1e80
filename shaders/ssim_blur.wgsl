// Separable 11-tap Gaussian filter (σ = 1.5, normalised), zero-padded 'same' output, over a
// stack of image planes; one pass per axis. Used by the SSIM loss forward and backward.

struct Params { width: u32, height: u32, planes: u32, vertical: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

fn weight(k: i32) -> f32 {
  // exp(−(k−5)²/(2σ²)) / Σ; the normalisation is exact up to f32 rounding.
  let t = f32(k - 5);
  return exp(-t * t / 4.5) / 3.7592328;
}

@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let x = i32(gid.x); let y = i32(gid.y); let p = gid.z;
  let w = i32(params.width); let h = i32(params.height);
  if (x >= w || y >= h || p >= params.planes) { return; }
  let plane = p * params.width * params.height;
  var s = 0.0;
  for (var k = 0; k < 11; k++) {
    if (params.vertical == 0u) {
      let xx = x + k - 5;
      if (xx >= 0 && xx < w) { s += weight(k) * src[plane + u32(y * w + xx)]; }
    } else {
      let yy = y + k - 5;
      if (yy >= 0 && yy < h) { s += weight(k) * src[plane + u32(yy * w + x)]; }
    }
  }
  dst[plane + u32(y * w + x)] = s;
}
