// Gathers the per-splat tile counts into depth order (plus a trailing zero) so an exclusive
// scan yields each splat's first instance slot and, in the last element, the instance total.

struct Params { n: u32, _a: u32, _b: u32, _c: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> tileCounts: array<u32>;
@group(0) @binding(2) var<storage, read> depthOrder: array<u32>;
@group(0) @binding(3) var<storage, read_write> sortedCounts: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let j = gid.x + gid.y * nwg.x * 256u;
  if (j > params.n) { return; }
  if (j == params.n) { sortedCounts[j] = 0u; return; }
  sortedCounts[j] = tileCounts[depthOrder[j]];
}
