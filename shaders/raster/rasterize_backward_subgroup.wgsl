// Rasterize backward for adapters that run a subgroup as one SIMD vector (CPU drivers such as
// lavapipe): one workgroup of exactly one subgroup (SG lanes) per 16×16 tile, lane l owning the
// tile's pixels l, l + SG, l + 2·SG, … (PPL = 256 / SG of them). The tile's list is walked back to
// front from the furthest last contributor; for each entry every lane adds up its pixels'
// contributions in registers and one subgroupAdd per value sums the lanes, so a splat's partial
// for this tile is complete without workgroup memory, barriers or atomics. Same arithmetic as
// rasterize_backward.wgsl: transmittance is recovered by dividing the final T by (1 − α) step by
// step, and `behind` (the colour composited behind the current splat) is only ever needed
// dotted with dL/dC, so each pixel keeps that one scalar.
//
// The per-pixel state lives in private arrays that are only ever indexed by constants: the
// host writes the per-pixel calls out (the FOR_EACH_PIXEL defines expand to one call per pixel),
// so the compiler keeps the state in registers instead of indexing memory for every pair.
//
// instGrads[e] (9 floats: dMean2d.xy, dConic.xyz, dRgb.xyz, dOpacity) is written for every entry
// e the walk reaches; project_backward sums a splat's (contiguous) instance slots.

enable subgroups;
// `stop` is a subgroupMax, so the entry loop is uniform; the analysis cannot see that.
diagnostic(off, subgroup_uniformity);

//#include raster/subgroup_tile

//#include raster/backward_bindings

// Per pixel: transmittance in front of the current entry, dL/dC · behind, dL/dC, centre, and
// how many list entries reach it.
var<private> T: array<f32, PPL>;
var<private> S: array<f32, PPL>;
var<private> dC: array<vec3f, PPL>;
var<private> centre: array<vec2f, PPL>;
var<private> last: array<u32, PPL>;
var<private> lane: u32;
var<private> tileOrigin: vec2u;
var<private> reach: u32;
var<private> count: u32;
// The current entry, and this lane's sums over its pixels (see the comment in `main`).
var<private> k: u32;
var<private> m: vec4f;
var<private> cn: vec3f;
var<private> rgb: vec3f;
var<private> skipBelow: f32;
var<private> wSum: f32;
var<private> wD: vec2f;
var<private> wDD: vec3f;
var<private> gRgb: vec3f;

fn loadPixel(p: u32) {
  let i = lane + p * SG;
  let px = tileOrigin.x + (i % TILE);
  let py = tileOrigin.y + (i / TILE);
  centre[p] = vec2f(f32(px) + 0.5, f32(py) + 0.5);
  T[p] = 1.0;
  S[p] = 0.0;
  dC[p] = vec3f(0.0);
  last[p] = 0u;
  if (px < cam.width && py < cam.height) {
    let pix = py * cam.width + px;
    T[p] = finalT[pix];
    last[p] = lastCount[pix];
    dC[p] = vec3f(dImage[3u * pix], dImage[3u * pix + 1u], dImage[3u * pix + 2u]);
    S[p] = T[p] * dot(dC[p], BACKGROUND);
    reach = max(reach, last[p]);
  }
}

fn backPixel(p: u32) {
  if (k >= last[p]) { return; }
  count++;
  let d = m.xy - centre[p];
  let dd = vec3f(d.x * d.x, d.x * d.y, d.y * d.y);
  let power = -0.5 * (cn.x * dd.x + cn.z * dd.z) - cn.y * dd.y;
  if (power > 0.0 || power < skipBelow) { return; }
  let G = exp(power);
  let raw = m.z * G;
  let alpha = min(ALPHA_MAX, raw);
  if (alpha < ALPHA_MIN) { return; }
  let ra = 1.0 / (1.0 - alpha);
  let t = T[p] * ra; // transmittance in front of this splat
  T[p] = t;
  let c = dC[p];
  let dRgbDot = dot(c, rgb);
  let at = alpha * t;
  gRgb += at * c;
  let dAlpha = t * dRgbDot - ra * S[p];
  S[p] += dRgbDot * at;
  let w = select(0.0, G * dAlpha, raw <= ALPHA_MAX);
  wSum += w;
  wD += w * d;
  wDD += w * dd;
}

@compute @workgroup_size(SG)
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wid: vec3u) {
  lane = li;
  tileOrigin = wid.xy * TILE;
  let range = ranges[wid.y * cam.tiles.x + wid.x];
  reach = 0u;
  count = 0u;
  ${FOR_EACH_PIXEL_LOAD}
  let stop = subgroupMax(reach);
  for (var entry = stop; entry > 0u; entry--) {
    k = entry - 1u;
    let e = sortedInst[range.x + k];
    let s = instSplat[e];
    m = proj[3u * s];
    cn = proj[3u * s + 1u].xyz;
    rgb = proj[3u * s + 2u].xyz;
    skipBelow = skipPower(m.z);
    // Per pixel, w = G·dL/dα (zero where α is clamped): dL/dopacity = Σ w, and since
    // dL/dpower = opacity·w and d(power) is a quadratic form of d = mean − centre, the conic and
    // mean gradients follow after the lane sum from Σ w·(dx, dy) and Σ w·(dx², dx·dy, dy²).
    wSum = 0.0;
    wD = vec2f(0.0);
    wDD = vec3f(0.0);
    gRgb = vec3f(0.0);
    ${FOR_EACH_PIXEL_BACK}
    let ws = subgroupAdd(wSum);
    let wd = subgroupAdd(wD) * m.z;
    let wdd = subgroupAdd(wDD) * m.z;
    let cr = subgroupAdd(gRgb);
    if (li == 0u) {
      let o = e * 9u;
      instGrads[o] = -(cn.x * wd.x + cn.y * wd.y);
      instGrads[o + 1u] = -(cn.y * wd.x + cn.z * wd.y);
      instGrads[o + 2u] = -0.5 * wdd.x;
      instGrads[o + 3u] = -wdd.y;
      instGrads[o + 4u] = -0.5 * wdd.z;
      instGrads[o + 5u] = cr.x;
      instGrads[o + 6u] = cr.y;
      instGrads[o + 7u] = cr.z;
      instGrads[o + 8u] = ws;
    }
  }
  let tested = subgroupAdd(count);
  if (li == 0u) { atomicAdd(&counters[1], tested); }
}
