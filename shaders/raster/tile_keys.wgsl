// Emits one (tile, instance) pair per tile a splat touches, splats visited in depth order. The
// key is the tile id only: the stable radix sort that follows keeps depth order inside a tile.
// The payload is the instance slot e; instSplat[e] names the splat, and the backward pass
// writes its per-instance gradient partials at e, so a splat's partials are contiguous.

struct Params { n: u32, tilesX: u32, _b: u32, _c: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> depthOrder: array<u32>;
@group(0) @binding(2) var<storage, read> offsets: array<u32>;
@group(0) @binding(3) var<storage, read> rects: array<vec4u>;
@group(0) @binding(4) var<storage, read_write> keys: array<u32>;
@group(0) @binding(5) var<storage, read_write> vals: array<u32>;
@group(0) @binding(6) var<storage, read_write> instSplat: array<u32>;
@group(0) @binding(7) var<storage, read_write> splatFirst: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let j = gid.x + gid.y * nwg.x * 256u;
  if (j >= params.n) { return; }
  let i = depthOrder[j];
  var e = offsets[j];
  splatFirst[i] = e;
  let r = rects[i];
  for (var ty = r.y; ty < r.w; ty++) {
    for (var tx = r.x; tx < r.z; tx++) {
      keys[e] = ty * params.tilesX + tx;
      vals[e] = e;
      instSplat[e] = i;
      e++;
    }
  }
}
