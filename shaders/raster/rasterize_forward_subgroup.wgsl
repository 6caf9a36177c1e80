// Rasterize forward for adapters that run a subgroup as one SIMD vector (CPU drivers such as
// lavapipe): one workgroup of exactly one subgroup (SG lanes) per 16×16 tile, lane l compositing
// the tile's pixels l, l + SG, … (PPL = 256 / SG of them). Every lane reads the same list entry
// at a time, so a splat is loaded once for PPL pixels per lane, with no workgroup memory and no
// barriers; the walk stops when every pixel of the tile is saturated. Same compositing as
// rasterize_forward.wgsl: front to back until the transmittance would fall below T_MIN, keeping
// the final transmittance and the number of list entries up to the last contributor.

enable subgroups;
// `alive` is a subgroupAny, so the entry loop is uniform; the analysis cannot see that.
diagnostic(off, subgroup_uniformity);

//#include raster/subgroup_tile

//#include raster/forward_bindings

/** Pixel index of lane `lane`'s `p`-th pixel as (x, y) inside the image. */
fn pixelOf(wid: vec3u, lane: u32, p: u32) -> vec2u {
  let i = lane + p * SG;
  return vec2u(wid.x * TILE + (i % TILE), wid.y * TILE + (i / TILE));
}

@compute @workgroup_size(SG)
fn main(@builtin(local_invocation_index) lane: u32, @builtin(workgroup_id) wid: vec3u) {
  let tile = wid.y * cam.tiles.x + wid.x;
  let range = ranges[tile];
  var T: array<f32, PPL>;
  var C: array<vec3f, PPL>;
  var last: array<u32, PPL>;
  var live: array<bool, PPL>;
  var centre: array<vec2f, PPL>;
  var alive = 0u;
  for (var p = 0u; p < PPL; p++) {
    let q = pixelOf(wid, lane, p);
    centre[p] = vec2f(q) + 0.5;
    T[p] = 1.0;
    C[p] = vec3f(0.0);
    last[p] = 0u;
    live[p] = q.x < cam.width && q.y < cam.height;
    alive += select(0u, 1u, live[p]);
  }
  // Evaluations: a pixel tests every entry until it saturates (counted then) or the walk ends.
  var count = 0u;
  let total = range.y - range.x;
  var k = 0u;
  for (; k < total; k++) {
    if (!subgroupAny(alive > 0u)) { break; }
    let s = instSplat[sortedInst[range.x + k]];
    let m = proj[3u * s];
    let cn = proj[3u * s + 1u].xyz;
    let rgb = proj[3u * s + 2u].xyz;
    let skipBelow = skipPower(m.z);
    for (var p = 0u; p < PPL; p++) {
      if (!live[p]) { continue; }
      let d = m.xy - centre[p];
      let power = -0.5 * (cn.x * d.x * d.x + cn.z * d.y * d.y) - cn.y * d.x * d.y;
      if (power > 0.0 || power < skipBelow) { continue; }
      let alpha = min(ALPHA_MAX, m.z * exp(power));
      if (alpha < ALPHA_MIN) { continue; }
      let t = T[p];
      let nextT = t * (1.0 - alpha);
      if (nextT < T_MIN) {
        live[p] = false;
        alive--;
        count += k + 1u;
        continue;
      }
      C[p] += rgb * (alpha * t);
      T[p] = nextT;
      last[p] = k + 1u;
    }
  }
  for (var p = 0u; p < PPL; p++) {
    let q = pixelOf(wid, lane, p);
    if (live[p]) { count += k; }
    if (q.x < cam.width && q.y < cam.height) {
      let pix = q.y * cam.width + q.x;
      let out = C[p] + T[p] * BACKGROUND;
      image[3u * pix] = out.x;
      image[3u * pix + 1u] = out.y;
      image[3u * pix + 2u] = out.z;
      finalT[pix] = T[p];
      lastCount[pix] = last[p];
    }
  }
  // Splat-pixel evaluations, for the benchmark.
  let tested = subgroupAdd(count);
  if (lane == 0u) { atomicAdd(&counters[0], tested); }
}
