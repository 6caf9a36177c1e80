// Exclusive prefix sum of u32 values, in place, for adapters that run a subgroup as one SIMD
// vector (CPU drivers): one subgroup of SG lanes per block of SG · ITEMS values, walking the block
// SG values at a time (lane l reads value i·SG + l, so each step is one contiguous vector) with a
// subgroup scan and a running carry — no workgroup memory and no barriers. Same bindings and
// entry points as prefix_sum.wgsl: `scan_blocks` writes each block's total to blockSums, the host
// scans those recursively and `add_block_offsets` adds each block's offset back.

enable subgroups;
// The block loop runs the same number of times on every lane; the analysis cannot see that.
diagnostic(off, subgroup_uniformity);

const SG: u32 = ${SG}u;
const ITEMS: u32 = ${ITEMS}u;

struct Params { n: u32, _a: u32, _b: u32, _c: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<storage, read_write> blockSums: array<u32>;

@compute @workgroup_size(SG)
fn scan_blocks(@builtin(local_invocation_index) lane: u32, @builtin(workgroup_id) wid: vec3u,
               @builtin(num_workgroups) nwg: vec3u) {
  let block = wid.x + wid.y * nwg.x;
  let base = block * SG * ITEMS;
  var carry = 0u;
  for (var i = 0u; i < ITEMS; i++) {
    let idx = base + i * SG + lane;
    var x = 0u;
    if (idx < params.n) { x = data[idx]; }
    let before = subgroupExclusiveAdd(x);
    if (idx < params.n) { data[idx] = carry + before; }
    carry += subgroupAdd(x);
  }
  if (lane == 0u) { blockSums[block] = carry; }
}

@compute @workgroup_size(SG)
fn add_block_offsets(@builtin(local_invocation_index) lane: u32, @builtin(workgroup_id) wid: vec3u,
                     @builtin(num_workgroups) nwg: vec3u) {
  let block = wid.x + wid.y * nwg.x;
  let offset = blockSums[block];
  let base = block * SG * ITEMS;
  for (var i = 0u; i < ITEMS; i++) {
    let idx = base + i * SG + lane;
    if (idx < params.n) { data[idx] += offset; }
  }
}
