// LSD radix sort, pass 1 of 2: per-thread digit histograms (4-bit digits).
// Each thread owns a contiguous chunk of CHUNK keys; it counts the digits of its chunk and
// writes them digit-major (hist[digit * threads + thread]) so one exclusive scan of `hist` gives
// every thread its output offset per digit. Scattering each chunk in order then keeps equal
// digits in input order: the sort is stable, which LSD needs (and which the tile sort relies on
// to keep depth order within a tile).

struct Params { n: u32, shift: u32, threads: u32, chunk: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> keys: array<u32>;
@group(0) @binding(2) var<storage, read_write> hist: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = gid.x + gid.y * nwg.x * 256u;
  if (t >= params.threads) { return; }
  var counts: array<u32, 16>;
  let begin = t * params.chunk;
  let end = min(params.n, begin + params.chunk);
  for (var i = begin; i < end; i++) {
    let d = (keys[i] >> params.shift) & 15u;
    counts[d] += 1u;
  }
  for (var d = 0u; d < 16u; d++) {
    hist[d * params.threads + t] = counts[d];
  }
}
