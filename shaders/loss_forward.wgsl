// Loss/Adam kernels (GPU2 helper); the rasterizer host code calls these.
// Loss forward: (1 − λ)·mean|x − y| + λ·(1 − mean SSIM), x = rendered, y = target, exactly as
// src/train/reference/loss.ts. Three dispatches:
//   blur_h    horizontal window over x, y, x², y², xy (zero padded) → hplanes[0..5)
//   ssim_map  vertical window → μ, σ² and σxy, the SSIM map, the SSIM derivatives that the
//             backward pass blurs (dterms), and per-workgroup sums of |x − y| and 1 − SSIM
//   reduce    one workgroup sums the partials in a fixed order → lossOut (no atomics, so the
//             value is deterministic and nothing has to be read back during training)
//#include ssim_common

@compute @workgroup_size(256)
fn blur_h(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
          @builtin(num_workgroups) nwg: vec3u) {
  let p = linearIndex(wid, nwg, lid);
  if (p >= N) { return; }
  let y = p / W;
  let x = p - y * W;
  let taps = tapRange(x, W);
  var mx = vec3f(0.0);
  var my = vec3f(0.0);
  var exx = vec3f(0.0);
  var eyy = vec3f(0.0);
  var exy = vec3f(0.0);
  let rowStart = i32(p) - HALF;
  for (var k = taps.x; k < taps.y; k++) {
    let q = u32(rowStart + k);
    let w = gauss[k];
    let a = renderedRgb(q);
    let b = targetRgb(q);
    mx += w * a;
    my += w * b;
    exx += w * a * a;
    eyy += w * b * b;
    exy += w * a * b;
  }
  hplanes[p] = vec4f(mx, 0.0);
  hplanes[N + p] = vec4f(my, 0.0);
  hplanes[2u * N + p] = vec4f(exx, 0.0);
  hplanes[3u * N + p] = vec4f(eyy, 0.0);
  hplanes[4u * N + p] = vec4f(exy, 0.0);
}

var<workgroup> sums: array<vec2f, 256>;

@compute @workgroup_size(256)
fn ssim_map(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
            @builtin(num_workgroups) nwg: vec3u) {
  let p = linearIndex(wid, nwg, lid);
  var mine = vec2f(0.0);
  if (p < N) {
    let y = p / W;
    let x = p - y * W;
    let taps = tapRange(y, H);
    var acc: array<vec4f, 5>;
    for (var k = taps.x; k < taps.y; k++) {
      let q = u32(i32(p) + (k - HALF) * i32(W));
      let w = gauss[k];
      for (var j = 0u; j < 5u; j++) { acc[j] += w * hplanes[j * N + q]; }
    }
    let mux = acc[0].xyz;
    let muy = acc[1].xyz;
    let sxx = acc[2].xyz - mux * mux;
    let syy = acc[3].xyz - muy * muy;
    let sxy = acc[4].xyz - mux * muy;
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
    mine = vec2f(diff.x + diff.y + diff.z, dissim.x + dissim.y + dissim.z);
  }
  sums[lid] = mine;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { sums[lid] += sums[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u) { partials[wid.x + wid.y * nwg.x] = sums[0]; }
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
