// Rasterize backward: one 16×16 workgroup per tile, walking the tile's list back to front from
// the furthest last contributor. Transmittance is recovered by dividing the final T by (1 − α)
// step by step; `behind` is the colour composited behind the current splat.
//
// Gradient accumulation (WGSL has no float atomics). Each (tile, splat) instance owns a slot e
// in `instGrads` (9 floats: dMean2d.xy, dConic.xyz, dRgb.xyz, dOpacity). Within the tile the 256
// pixel threads add their contributions to a workgroup-memory accumulator of the current batch
// with a compare-exchange loop on the bit pattern (atomic<u32> ↔ f32) — contention is limited to
// one workgroup, and every add is a real float add, so no fixed-point range or overflow analysis
// is needed. At the end of a batch the partials are written, without atomics, to instGrads[e];
// project_backward then sums a splat's (contiguous) instance slots in a fixed order. The result
// is sound for any magnitude; only the order of the adds inside a tile varies between runs.

${ENABLE}


//#include raster/backward_bindings

var<workgroup> sMean: array<vec4f, 256>;
var<workgroup> sConic: array<vec4f, 256>;
var<workgroup> sColour: array<vec4f, 256>;
var<workgroup> sInst: array<u32, 256>;
var<workgroup> acc: array<atomic<u32>, 2304>; // 256 × 9
var<workgroup> maxLast: atomic<u32>;
var<workgroup> maxLastCopy: u32;
var<workgroup> tested: atomic<u32>;

fn addShared(slot: u32, v: f32) {
  if (v == 0.0) { return; }
  var old = atomicLoad(&acc[slot]);
  loop {
    let r = atomicCompareExchangeWeak(&acc[slot], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (r.exchanged) { break; }
    old = r.old_value;
  }
}

${ACCUMULATE}

@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32,
        @builtin(workgroup_id) wid: vec3u) {
  let tile = wid.y * cam.tiles.x + wid.x;
  let px = wid.x * TILE + lid.x;
  let py = wid.y * TILE + lid.y;
  let inside = px < cam.width && py < cam.height;
  let pix = py * cam.width + px;
  let centre = vec2f(f32(px) + 0.5, f32(py) + 0.5);
  let range = ranges[tile];
  var T = 1.0;
  var last = 0u;
  var dC = vec3f(0.0);
  if (inside) {
    T = finalT[pix];
    last = lastCount[pix];
    dC = vec3f(dImage[3u * pix], dImage[3u * pix + 1u], dImage[3u * pix + 2u]);
  }
  var behind = T * BACKGROUND;
  atomicMax(&maxLast, last);
  workgroupBarrier();
  if (li == 0u) { maxLastCopy = atomicLoad(&maxLast); }
  let stop = workgroupUniformLoad(&maxLastCopy); // list entries [0, stop) matter
  var count = 0u;
  var end = stop;
  loop {
    if (end == 0u) { break; }
    let begin = select(0u, end - 256u, end > 256u);
    let n = end - begin;
    // Slot k holds list entry end − 1 − k (back to front).
    if (li < n) {
      let e = sortedInst[range.x + end - 1u - li];
      let s = instSplat[e];
      sInst[li] = e;
      sMean[li] = proj[3u * s];
      sConic[li] = proj[3u * s + 1u];
      sColour[li] = proj[3u * s + 2u];
    }
    for (var j = 0u; j < 9u; j++) { atomicStore(&acc[li * 9u + j], 0u); }
    workgroupBarrier();
    for (var k = 0u; k < n; k++) {
      let entry = end - 1u - k;
      // Contributions of this pixel to splat k (zero where it does not contribute); kept out of
      // branches so the subgroup reduction below runs in uniform control flow.
      var gUV = vec2f(0.0);
      var gConic = vec3f(0.0);
      var gRgb = vec3f(0.0);
      var gOp = 0.0;
      var hit = false;
      if (entry < last) {
        count++;
        let m = sMean[k];
        let d = m.xy - centre;
        let cn = sConic[k].xyz;
        let power = -0.5 * (cn.x * d.x * d.x + cn.z * d.y * d.y) - cn.y * d.x * d.y;
        let G = exp(power);
        let raw = m.z * G;
        let alpha = min(ALPHA_MAX, raw);
        if (power <= 0.0 && alpha >= ALPHA_MIN) {
          hit = true;
          let ra = 1.0 / (1.0 - alpha);
          T = T * ra; // transmittance in front of this splat
          let rgb = sColour[k].xyz;
          gRgb = (alpha * T) * dC;
          let dAlpha = T * dot(dC, rgb) - ra * dot(dC, behind);
          behind += rgb * (alpha * T);
          if (raw <= ALPHA_MAX) {
            let dPower = m.z * G * dAlpha;
            gOp = G * dAlpha;
            gConic = vec3f(-0.5 * d.x * d.x, -d.x * d.y, -0.5 * d.y * d.y) * dPower;
            gUV = vec2f(-(cn.x * d.x + cn.y * d.y), -(cn.y * d.x + cn.z * d.y)) * dPower;
          }
        }
      }
      accumulate(k * 9u, hit, gUV, gConic, gRgb, gOp);
    }
    workgroupBarrier();
    if (li < n) {
      let e = sInst[li];
      for (var j = 0u; j < 9u; j++) { instGrads[e * 9u + j] = bitcast<f32>(atomicLoad(&acc[li * 9u + j])); }
    }
    workgroupBarrier();
    end = begin;
  }
  atomicAdd(&tested, count);
  workgroupBarrier();
  if (li == 0u) { atomicAdd(&counters[1], atomicLoad(&tested)); }
}
