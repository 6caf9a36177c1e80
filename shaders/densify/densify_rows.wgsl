// Densification, pass 3: per splat, its output rows — `mainRows[i]` (0 if pruned, 2 for a split,
// else 1) and `cloneRows[i]` (1 for an unpruned clone) — scanned afterwards into row offsets, and
// the round's counts: [cloned, split, pruned] as 3DGS counts them (a pruned split removes both
// children, a pruned clone both copies).
//#include densify/densify_common

@group(0) @binding(0) var<uniform> u: Densify;
@group(0) @binding(1) var<storage, read> flags: array<u32>;
// KEEP, or SPLIT for a growing splat (refined to CLONE here from the size flag).
@group(0) @binding(2) var<storage, read_write> action: array<u32>;
@group(0) @binding(3) var<storage, read_write> mainRows: array<u32>;
@group(0) @binding(4) var<storage, read_write> cloneRows: array<u32>;
@group(0) @binding(5) var<storage, read_write> counts: array<atomic<u32>>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = threadIndex(gid, nwg);
  if (i > u.count) { return; }
  // The extra element makes the exclusive scans end with the totals.
  if (i == u.count) { mainRows[i] = 0u; cloneRows[i] = 0u; return; }
  let f = flags[i];
  let pruned = (f & 1u) != 0u;
  var a = action[i];
  if (a != KEEP && (f & 2u) != 0u) { a = CLONE; }
  action[i] = a;
  var rows = 1u;
  if (a == SPLIT) { rows = SPLIT_CHILDREN; }
  mainRows[i] = select(rows, 0u, pruned);
  cloneRows[i] = select(0u, 1u, a == CLONE && !pruned);
  if (a == CLONE) { atomicAdd(&counts[0], 1u); }
  if (a == SPLIT) { atomicAdd(&counts[1], 1u); }
  if (pruned) { atomicAdd(&counts[2], select(1u, 2u, a != KEEP)); }
}
