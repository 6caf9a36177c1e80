// Rasterize forward: one 16×16 workgroup per tile, one thread per pixel. The tile's depth-sorted
// splats are streamed through workgroup memory in batches of 256 (each thread loads one record,
// then every thread tests the whole batch), compositing front to back until the transmittance
// would fall below T_MIN. Keeps the final transmittance and the number of list entries up to the
// last contributor for the backward pass.


//#include raster/forward_bindings

var<workgroup> sMean: array<vec4f, 256>; // u, v, opacity
var<workgroup> sConic: array<vec4f, 256>;
var<workgroup> sColour: array<vec4f, 256>;
var<workgroup> alive: atomic<u32>;
var<workgroup> tested: atomic<u32>;
var<workgroup> aliveCopy: u32;

@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32,
        @builtin(workgroup_id) wid: vec3u) {
  let tile = wid.y * cam.tiles.x + wid.x;
  let px = wid.x * TILE + lid.x;
  let py = wid.y * TILE + lid.y;
  let inside = px < cam.width && py < cam.height;
  let centre = vec2f(f32(px) + 0.5, f32(py) + 0.5);
  let range = ranges[tile];
  var T = 1.0;
  var C = vec3f(0.0);
  var done = !inside;
  var last = 0u;
  var count = 0u;
  let total = range.y - range.x;
  for (var base = 0u; base < total; base += 256u) {
    if (li == 0u) { atomicStore(&alive, 0u); }
    workgroupBarrier();
    if (!done) { atomicAdd(&alive, 1u); }
    workgroupBarrier();
    if (li == 0u) { aliveCopy = atomicLoad(&alive); }
    if (workgroupUniformLoad(&aliveCopy) == 0u) { break; }
    let idx = range.x + base + li;
    if (idx < range.y) {
      let s = instSplat[sortedInst[idx]];
      sMean[li] = proj[3u * s];
      sConic[li] = proj[3u * s + 1u];
      sColour[li] = proj[3u * s + 2u];
    }
    workgroupBarrier();
    let n = min(256u, total - base);
    if (!done) {
      for (var k = 0u; k < n; k++) {
        count++;
        let m = sMean[k];
        let d = m.xy - centre;
        let cn = sConic[k].xyz;
        let power = -0.5 * (cn.x * d.x * d.x + cn.z * d.y * d.y) - cn.y * d.x * d.y;
        if (power > 0.0) { continue; }
        let alpha = min(ALPHA_MAX, m.z * exp(power));
        if (alpha < ALPHA_MIN) { continue; }
        let nextT = T * (1.0 - alpha);
        if (nextT < T_MIN) { done = true; break; }
        C += sColour[k].xyz * (alpha * T);
        T = nextT;
        last = base + k + 1u;
      }
    }
  }
  if (inside) {
    let pix = py * cam.width + px;
    let out = C + T * BACKGROUND;
    image[3u * pix] = out.x;
    image[3u * pix + 1u] = out.y;
    image[3u * pix + 2u] = out.z;
    finalT[pix] = T;
    lastCount[pix] = last;
  }
  // Splat-pixel evaluations, for the benchmark.
  atomicAdd(&tested, count);
  workgroupBarrier();
  if (li == 0u) { atomicAdd(&counters[0], atomicLoad(&tested)); }
}
