// Loss forward: (1 − λ)·mean|x − y| + λ·(1 − mean SSIM), x = rendered, y = target, exactly as
// src/train/reference/loss.ts. Three dispatches:
//   blur_h    horizontal window over x, y, x², y², xy (zero padded) → hplanes[0..5)
//   ssim_map  vertical window → μ, σ² and σxy, the SSIM map, the SSIM derivatives that the
//             backward pass blurs (dterms), and per-workgroup sums of |x − y| and 1 − SSIM
//   reduce    one workgroup sums the partials in a fixed order → lossOut (no atomics, so the
//             value is deterministic and nothing has to be read back during training)
//#include loss/ssim_common

@compute @workgroup_size(256)
fn blur_h(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
          @builtin(num_workgroups) nwg: vec3u) {
  let t = linearIndex(wid, nwg, lid);
  if (t >= RUNS_X * H) { return; }
  let y = t / RUNS_X;
  let x0 = (t - y * RUNS_X) * u32(RUN);
  // acc[o][j]: output x0 + o, quantity j (x, y, x², y², xy).
  var acc: array<array<vec3f, 5>, RUN>;
  let inputs = runInputs(x0, W);
  for (var xx = inputs.x; xx <= inputs.y; xx++) {
    let q = y * W + u32(xx);
    let a = renderedRgb(q);
    let b = targetRgb(q);
    let v = array<vec3f, 5>(a, b, a * a, b * b, a * b);
    for (var o = 0; o < RUN; o++) {
      let k = tapOf(xx, x0, o);
      if (k >= 0) {
        let w = gauss[k];
        for (var j = 0; j < 5; j++) { acc[o][j] += w * v[j]; }
      }
    }
  }
  for (var o = 0; o < RUN; o++) {
    let x = x0 + u32(o);
    if (x < W) {
      let p = y * W + x;
      for (var j = 0u; j < 5u; j++) { hplanes[j * N + p] = vec4f(acc[o][j], 0.0); }
    }
  }
}

var<workgroup> sums: array<vec2f, 256>;

/** SSIM of one pixel from its blurred moments; writes the d-terms, returns (|x − y|, 1 − S) sums. */
fn ssimPixel(p: u32, m: array<vec4f, 5>) -> vec2f {
  let mux = m[0].xyz;
  let muy = m[1].xyz;
  let sxx = m[2].xyz - mux * mux;
  let syy = m[3].xyz - muy * muy;
  let sxy = m[4].xyz - mux * muy;
  let a = 2.0 * mux * muy + SSIM_C1;
  let b = 2.0 * sxy + SSIM_C2;
  let cc = mux * mux + muy * muy + SSIM_C1;
  let d = sxx + syy + SSIM_C2;
  let inv = 1.0 / (cc * d);
  let s = a * b * inv;
  // ∂S/∂μx, ∂S/∂E[x²], ∂S/∂E[xy], written without dividing by a or b (either may be ~0).
  let dMx = 2.0 * muy * (b - a) * inv + 2.0 * mux * s * (1.0 / d - 1.0 / cc);
  let dExx = -s / d;
  let dExy = 2.0 * a * inv;
  let scale = -SSIM_WEIGHT * INV_COUNT;
  dterms[p] = vec4f(scale * dMx, 0.0);
  dterms[N + p] = vec4f(scale * dExx, 0.0);
  dterms[2u * N + p] = vec4f(scale * dExy, 0.0);
  let diff = abs(renderedRgb(p) - targetRgb(p));
  let dissim = vec3f(1.0) - s;
  return vec2f(diff.x + diff.y + diff.z, dissim.x + dissim.y + dissim.z);
}

@compute @workgroup_size(256)
fn ssim_map(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
            @builtin(num_workgroups) nwg: vec3u) {
  let t = linearIndex(wid, nwg, lid);
  var mine = vec2f(0.0);
  if (t < W * RUNS_Y) {
    let x = t % W;
    let y0 = (t / W) * u32(RUN);
    var acc: array<array<vec4f, 5>, RUN>;
    let inputs = runInputs(y0, H);
    for (var yy = inputs.x; yy <= inputs.y; yy++) {
      let q = u32(yy) * W + x;
      var v: array<vec4f, 5>;
      for (var j = 0u; j < 5u; j++) { v[j] = hplanes[j * N + q]; }
      for (var o = 0; o < RUN; o++) {
        let k = tapOf(yy, y0, o);
        if (k >= 0) {
          let w = gauss[k];
          for (var j = 0; j < 5; j++) { acc[o][j] += w * v[j]; }
        }
      }
    }
    for (var o = 0; o < RUN; o++) {
      let y = y0 + u32(o);
      if (y < H) { mine += ssimPixel(y * W + x, acc[o]); }
    }
  }
  sums[lid] = mine;
  workgroupBarrier();
  // Two levels of 16: two barriers (each is a context switch on CPU drivers), fixed order.
  if (lid < 16u) {
    var acc = vec2f(0.0);
    for (var i = 0u; i < 16u; i++) { acc += sums[lid * 16u + i]; }
    sums[lid * 16u] = acc;
  }
  workgroupBarrier();
  if (lid == 0u) {
    var acc = vec2f(0.0);
    for (var i = 0u; i < 16u; i++) { acc += sums[i * 16u]; }
    partials[wid.x + wid.y * nwg.x] = acc;
  }
}

@compute @workgroup_size(256)
fn reduce(@builtin(local_invocation_index) lid: u32) {
  var mine = vec2f(0.0);
  for (var i = lid; i < NUM_PARTIALS; i += 256u) { mine += partials[i]; }
  sums[lid] = mine;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { sums[lid] += sums[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let l1 = sums[0].x * INV_COUNT;
    let dissim = sums[0].y * INV_COUNT;
    lossOut[0] = (1.0 - SSIM_WEIGHT) * l1 + SSIM_WEIGHT * dissim;
    lossOut[1] = l1;
    lossOut[2] = 1.0 - dissim;
    lossOut[3] = 0.0;
  }
}
