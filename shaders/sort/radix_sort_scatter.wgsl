// LSD radix sort, pass 2 of 2: after the exclusive scan of `hist`, each thread walks its chunk
// in order and writes every key/value to the next free slot of its digit (stable).

struct Params { n: u32, shift: u32, threads: u32, chunk: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> keysIn: array<u32>;
@group(0) @binding(2) var<storage, read> valsIn: array<u32>;
@group(0) @binding(3) var<storage, read> hist: array<u32>;
@group(0) @binding(4) var<storage, read_write> keysOut: array<u32>;
@group(0) @binding(5) var<storage, read_write> valsOut: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = gid.x + gid.y * nwg.x * 256u;
  if (t >= params.threads) { return; }
  var next: array<u32, 16>;
  for (var d = 0u; d < 16u; d++) {
    next[d] = hist[d * params.threads + t];
  }
  let begin = t * params.chunk;
  let end = min(params.n, begin + params.chunk);
  for (var i = begin; i < end; i++) {
    let k = keysIn[i];
    let d = (k >> params.shift) & 15u;
    let dst = next[d];
    next[d] = dst + 1u;
    keysOut[dst] = k;
    valsOut[dst] = valsIn[i];
  }
}
