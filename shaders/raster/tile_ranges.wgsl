// Start/end of each tile's run in the tile-sorted instance list (ranges cleared to 0 first).

struct Params { n: u32, _a: u32, _b: u32, _c: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> keys: array<u32>;
@group(0) @binding(2) var<storage, read_write> ranges: array<vec2u>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let k = gid.x + gid.y * nwg.x * 256u;
  if (k >= params.n) { return; }
  let t = keys[k];
  if (k == 0u || keys[k - 1u] != t) { ranges[t].x = k; }
  if (k + 1u == params.n || keys[k + 1u] != t) { ranges[t].y = k + 1u; }
}
