// Densification, pass 2: the growth chosen for each splat. Every candidate grows when they fit
// the cap (`accept_all`); otherwise the candidates, compacted and sorted by descending gradient
// (ties by index: a stable sort of index-ordered slots), grow in that order up to the budget
// (`accept_sorted`). `rows` then counts each splat's output rows: survivors and split children
// in splat order, clones appended after them (3DGS order), with the round's counts.
//#include densify/densify_common

@group(0) @binding(0) var<uniform> u: Densify;
@group(0) @binding(1) var<storage, read> candidate: array<u32>;
// Exclusive scan of `candidate`: each candidate's slot in the compacted list.
@group(0) @binding(2) var<storage, read> slot: array<u32>;
@group(0) @binding(3) var<storage, read> sortKey: array<u32>;
@group(0) @binding(4) var<storage, read_write> keys: array<u32>;
@group(0) @binding(5) var<storage, read_write> vals: array<u32>;
@group(0) @binding(6) var<storage, read_write> action: array<u32>;

@compute @workgroup_size(256)
fn compact(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = threadIndex(gid, nwg);
  if (i >= u.count || candidate[i] == 0u) { return; }
  keys[slot[i]] = sortKey[i];
  vals[slot[i]] = i;
}

@compute @workgroup_size(256)
fn accept_all(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = threadIndex(gid, nwg);
  if (i >= u.count) { return; }
  action[i] = select(KEEP, SPLIT, candidate[i] != 0u);
}

@compute @workgroup_size(256)
fn accept_sorted(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let j = threadIndex(gid, nwg);
  if (j >= min(u.budget, u.candidates)) { return; }
  action[vals[j]] = SPLIT;
}
