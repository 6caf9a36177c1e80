// Exclusive prefix sum of u32 values, in place, in blocks of 1024 (256 threads × 4 items).
// `scan_blocks` scans each block and writes its total to blockSums; the host scans blockSums
// recursively and `add_block_offsets` adds each block's offset back.

struct Params { n: u32, _a: u32, _b: u32, _c: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<storage, read_write> blockSums: array<u32>;

var<workgroup> partial: array<u32, 256>;

@compute @workgroup_size(256)
fn scan_blocks(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
               @builtin(num_workgroups) nwg: vec3u) {
  let block = wid.x + wid.y * nwg.x;
  let base = block * 1024u + lid * 4u;
  var v: array<u32, 4>;
  var sum = 0u;
  for (var k = 0u; k < 4u; k++) {
    let idx = base + k;
    var x = 0u;
    if (idx < params.n) { x = data[idx]; }
    v[k] = sum;
    sum += x;
  }
  partial[lid] = sum;
  workgroupBarrier();
  // Hillis–Steele inclusive scan of the per-thread sums.
  for (var off = 1u; off < 256u; off <<= 1u) {
    var add = 0u;
    if (lid >= off) { add = partial[lid - off]; }
    workgroupBarrier();
    partial[lid] += add;
    workgroupBarrier();
  }
  let before = partial[lid] - sum;
  for (var k = 0u; k < 4u; k++) {
    let idx = base + k;
    if (idx < params.n) { data[idx] = before + v[k]; }
  }
  if (lid == 255u) { blockSums[block] = partial[255]; }
}

@compute @workgroup_size(256)
fn add_block_offsets(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
                     @builtin(num_workgroups) nwg: vec3u) {
  let block = wid.x + wid.y * nwg.x;
  let offset = blockSums[block];
  let base = block * 1024u + lid * 4u;
  for (var k = 0u; k < 4u; k++) {
    let idx = base + k;
    if (idx < params.n) { data[idx] += offset; }
  }
}
