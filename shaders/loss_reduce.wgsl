// Sums the per-element loss terms into out[0] (one workgroup of 256 threads).

struct Params { n: u32, _a: u32, _b: u32, _c: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> terms: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> partial: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) li: u32) {
  var s = 0.0;
  for (var i = li; i < params.n; i += 256u) { s += terms[i]; }
  partial[li] = s;
  workgroupBarrier();
  for (var off = 128u; off > 0u; off >>= 1u) {
    if (li < off) { partial[li] += partial[li + off]; }
    workgroupBarrier();
  }
  if (li == 0u) { out[0] = partial[0]; }
}
