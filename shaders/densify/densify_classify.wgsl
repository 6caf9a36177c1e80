// Densification, pass 1: which splats are growth candidates and which are pruned, with the
// decisions of `growthActions`/`pruneMask` in src/train/densify.ts. A candidate's average
// screen-space gradient reaches the threshold (compared as sum ≥ threshold · views, a product
// that rounds alike everywhere); its sort key orders candidates by that average, highest first.
//#include densify/densify_common

@group(0) @binding(0) var<uniform> u: Densify;
@group(0) @binding(1) var<storage, read> params: array<f32>;
// [gradNormSum N | visibleCount N | maxRadius N]
@group(0) @binding(2) var<storage, read> stats: array<f32>;
// 1 for a candidate, else 0 (scanned afterwards into candidate slots).
@group(0) @binding(3) var<storage, read_write> candidate: array<u32>;
// Bit 0: pruned; bit 1: small enough to clone (else a split) if it grows.
@group(0) @binding(4) var<storage, read_write> flags: array<u32>;
// Descending-gradient sort key of each splat (valid for candidates).
@group(0) @binding(5) var<storage, read_write> sortKey: array<u32>;

fn maxLogScale(i: u32) -> f32 {
  let o = 3u * u.count + 3u * i;
  return max(params[o], max(params[o + 1u], params[o + 2u]));
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = threadIndex(gid, nwg);
  if (i >= u.count) { return; }
  let n = u.count;
  let sum = stats[i];
  let seen = stats[n + i];
  let grows = seen > 0.0 && sum >= u.gradThreshold * seen;
  candidate[i] = select(0u, 1u, grows);
  // Positive floats order like their bit patterns; the complement sorts the largest first.
  sortKey[i] = select(0u, 0xffffffffu - bitcast<u32>(sum / seen), grows);
  let scale = maxLogScale(i);
  let opacity = params[10u * n + i];
  let pruned = !(opacity >= u.pruneLogit) || scale > u.pruneLogScale || stats[2u * n + i] > u.pruneRadius;
  flags[i] = select(0u, 1u, pruned) | select(0u, 2u, scale <= u.cloneLogScale);
}
