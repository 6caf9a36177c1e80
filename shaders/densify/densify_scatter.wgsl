// Densification, pass 4: writes the new splats. Each source splat copies its row to its output
// rows (offsets from the scans); Adam moments move with a survivor, clones and split children
// start at zero. A split child's mean is sampled from its parent Gaussian (R · (s ⊙ n), n a
// standard normal from splitNormal, the counter-based sampler src/train/densify.ts uses too)
// and its scales are divided by 0.8 · 2 = 1.6.
//#include densify/densify_common
//#include common/quat

@group(0) @binding(0) var<uniform> u: Densify;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> m: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> action: array<u32>;
@group(0) @binding(5) var<storage, read> mainOffset: array<u32>;
@group(0) @binding(6) var<storage, read> cloneOffset: array<u32>;
@group(0) @binding(7) var<storage, read_write> outParams: array<f32>;
@group(0) @binding(8) var<storage, read_write> outM: array<f32>;
@group(0) @binding(9) var<storage, read_write> outV: array<f32>;

/** The PCG-style u32 hash of hashU32 in src/train/densify.ts. */
fn hashU32(x: u32) -> u32 {
  let state = x * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

/** Standard normal for axis `axis` of child `child` of splat `parent` (splitNormal). */
fn splitNormal(parent: u32, child: u32, axis: u32) -> f32 {
  let h = hashU32(u.noiseSeed + hashU32(parent + hashU32(child * 3u + axis)));
  let u1 = f32((hashU32(h) >> 8u) + 1u) / 16777216.0;
  let u2 = f32(hashU32(h ^ 0x9e3779b9u) >> 8u) / 16777216.0;
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/** Copies splat `i` to output row `row`; moments too when `keepMoments`. */
fn copyRow(i: u32, row: u32, keepMoments: bool) {
  for (var g = 0u; g < 5u; g++) {
    let w = groupWidth(g);
    let src = groupOffset(g, u.count) + i * w;
    let dst = groupOffset(g, u.newCount) + row * w;
    for (var k = 0u; k < w; k++) {
      outParams[dst + k] = params[src + k];
      outM[dst + k] = select(0.0, m[src + k], keepMoments);
      outV[dst + k] = select(0.0, v[src + k], keepMoments);
    }
  }
}

/** Moves split child `child` of splat `i` (already copied to `row`) to its sampled position. */
fn placeChild(i: u32, child: u32, row: u32) {
  let n = u.count;
  let qo = 6u * n + 4u * i;
  var q = vec4f(params[qo], params[qo + 1u], params[qo + 2u], params[qo + 3u]);
  let len = length(q);
  q = select(vec4f(1.0, 0.0, 0.0, 0.0), q / len, len > 0.0);
  let so = 3u * n + 3u * i;
  let logS = vec3f(params[so], params[so + 1u], params[so + 2u]);
  let s = exp(logS) * vec3f(splitNormal(i, child, 0u), splitNormal(i, child, 1u), splitNormal(i, child, 2u));
  let offset = quatToMat(q) * s;
  let shrink = log(0.8 * f32(SPLIT_CHILDREN));
  let nn = u.newCount;
  for (var a = 0u; a < 3u; a++) {
    outParams[3u * row + a] = params[3u * i + a] + offset[a];
    outParams[3u * nn + 3u * row + a] = logS[a] - shrink;
  }
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = threadIndex(gid, nwg);
  if (i >= u.count) { return; }
  let a = action[i];
  let first = mainOffset[i];
  let rows = mainOffset[i + 1u] - first;
  if (a == SPLIT) {
    for (var c = 0u; c < rows; c++) {
      copyRow(i, first + c, false);
      placeChild(i, c, first + c);
    }
  } else if (rows > 0u) {
    copyRow(i, first, true);
  }
  if (cloneOffset[i + 1u] > cloneOffset[i]) { copyRow(i, u.mainRows + cloneOffset[i], false); }
}
