// Benchmark kernel: every pixel evaluates every splat (no tiles, no early termination) with the
// same per-pair arithmetic as rasterize_forward — the adapter's practical splat-pixel peak.

struct Params { width: u32, height: u32, count: u32, _p: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> splats: array<vec4f>; // (u, v, opacity, 0), (A, B, C, 0), (rgb, 0)
@group(0) @binding(2) var<storage, read_write> image: array<f32>;

var<workgroup> sMean: array<vec4f, 256>;
var<workgroup> sConic: array<vec4f, 256>;
var<workgroup> sColour: array<vec4f, 256>;

@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(local_invocation_index) li: u32) {
  let centre = vec2f(f32(gid.x) + 0.5, f32(gid.y) + 0.5);
  var T = 1.0;
  var C = vec3f(0.0);
  for (var base = 0u; base < params.count; base += 256u) {
    workgroupBarrier();
    let idx = base + li;
    if (idx < params.count) {
      sMean[li] = splats[3u * idx];
      sConic[li] = splats[3u * idx + 1u];
      sColour[li] = splats[3u * idx + 2u];
    }
    workgroupBarrier();
    let n = min(256u, params.count - base);
    for (var k = 0u; k < n; k++) {
      let m = sMean[k];
      let d = m.xy - centre;
      let cn = sConic[k].xyz;
      let power = -0.5 * (cn.x * d.x * d.x + cn.z * d.y * d.y) - cn.y * d.x * d.y;
      let alpha = min(ALPHA_MAX, m.z * exp(min(power, 0.0)));
      let a = select(0.0, alpha, alpha >= ALPHA_MIN);
      C += sColour[k].xyz * (a * T);
      T = max(T * (1.0 - a), T_MIN); // keep going: every pair is evaluated
    }
  }
  if (gid.x < params.width && gid.y < params.height) {
    let pix = gid.y * params.width + gid.x;
    image[3u * pix] = C.x;
    image[3u * pix + 1u] = C.y;
    image[3u * pix + 2u] = C.z;
  }
}
