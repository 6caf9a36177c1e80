// Benchmark kernel, subgroup layout (rasterize_forward_subgroup.wgsl's): one subgroup of SG lanes
// per 16×16 tile, lane l owning PPL = 256 / SG pixels; every pixel evaluates every splat (no
// tiles, no early termination) with the same per-pair arithmetic as the rasterizer — the
// adapter's practical splat-pixel peak in this layout.

enable subgroups;

const SG: u32 = ${SG}u;
const PPL: u32 = ${PPL}u;

struct Params { width: u32, height: u32, count: u32, _p: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> splats: array<vec4f>; // (u, v, opacity, 0), (A, B, C, 0), (rgb, 0)
@group(0) @binding(2) var<storage, read_write> image: array<f32>;

@compute @workgroup_size(SG)
fn main(@builtin(local_invocation_index) lane: u32, @builtin(workgroup_id) wid: vec3u) {
  var T: array<f32, PPL>;
  var C: array<vec3f, PPL>;
  var centre: array<vec2f, PPL>;
  for (var p = 0u; p < PPL; p++) {
    let i = lane + p * SG;
    centre[p] = vec2f(f32(wid.x * 16u + i % 16u), f32(wid.y * 16u + i / 16u)) + 0.5;
    T[p] = 1.0;
    C[p] = vec3f(0.0);
  }
  for (var k = 0u; k < params.count; k++) {
    let m = splats[3u * k];
    let cn = splats[3u * k + 1u].xyz;
    let rgb = splats[3u * k + 2u].xyz;
    for (var p = 0u; p < PPL; p++) {
      let d = m.xy - centre[p];
      let power = -0.5 * (cn.x * d.x * d.x + cn.z * d.y * d.y) - cn.y * d.x * d.y;
      let alpha = min(ALPHA_MAX, m.z * exp(min(power, 0.0)));
      let a = select(0.0, alpha, alpha >= ALPHA_MIN);
      let t = T[p];
      C[p] += rgb * (a * t);
      T[p] = max(t * (1.0 - a), T_MIN); // keep going: every pair is evaluated
    }
  }
  for (var p = 0u; p < PPL; p++) {
    let i = lane + p * SG;
    let x = wid.x * 16u + i % 16u;
    let y = wid.y * 16u + i / 16u;
    if (x < params.width && y < params.height) {
      let pix = y * params.width + x;
      image[3u * pix] = C[p].x;
      image[3u * pix + 1u] = C[p].y;
      image[3u * pix + 2u] = C[p].z;
    }
  }
}
