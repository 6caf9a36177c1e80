// Shared by the densification kernels: their uniform block, the flat parameter layout of N splats
// ([means 3N | logScales 3N | quats 4N | opacityLogits N | sh N·S], S floats of SH per splat)
// and the per-splat decision codes (src/train/densify.ts: Growth, and the prune mask).

struct Densify {
  count: u32,        // splats before the round
  shFloats: u32,     // S = (maxShDegree + 1)² · 3
  budget: u32,       // splats the cap still allows
  candidates: u32,   // splats above the gradient threshold (set after the first pass)
  gradThreshold: f32,
  cloneLogScale: f32,
  pruneLogit: f32,
  pruneLogScale: f32,
  pruneRadius: f32,
  noiseSeed: u32,
  mainRows: u32,     // rows of survivors and split children (set before the scatter)
  newCount: u32,     // mainRows + clones
}

const KEEP: u32 = 0u;
const CLONE: u32 = 1u;
const SPLIT: u32 = 2u;
const SPLIT_CHILDREN: u32 = 2u;

fn threadIndex(gid: vec3u, nwg: vec3u) -> u32 { return gid.x + gid.y * nwg.x * 256u; }

/** Offset of group `g` (0 means … 4 sh) of `n` splats in the flat layout. */
fn groupOffset(g: u32, n: u32) -> u32 {
  switch g {
    case 0u: { return 0u; }
    case 1u: { return 3u * n; }
    case 2u: { return 6u * n; }
    case 3u: { return 10u * n; }
    default: { return 11u * n; }
  }
}

/** Floats per splat of group `g`. */
fn groupWidth(g: u32) -> u32 {
  switch g {
    case 0u, 1u: { return 3u; }
    case 2u: { return 4u; }
    case 3u: { return 1u; }
    default: { return u.shFloats; }
  }
}
