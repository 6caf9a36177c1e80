// Loss/Adam kernels (GPU2 helper); the rasterizer host code calls these.
// Loss backward: dL/dx = (1 − λ)·sign(x − y)/count − λ·(G*∂S/∂μx + 2x·G*∂S/∂E[x²] + y·G*∂S/∂E[xy])
// where G* is the Gaussian window's adjoint — the same zero-padded separable blur, as the window
// is symmetric. ssim_map already scaled the d-terms by −λ/count. Two dispatches:
//   blur_h_bwd  horizontal window over the 3 d-terms → hplanes[0..3) (free after ssim_map)
//   grad        vertical window, then the per-pixel chain rule → gradOut (overwritten)
//#include ssim_common

@compute @workgroup_size(256)
fn blur_h_bwd(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
              @builtin(num_workgroups) nwg: vec3u) {
  let p = linearIndex(wid, nwg, lid);
  if (p >= N) { return; }
  let y = p / W;
  let x = p - y * W;
  let taps = tapRange(x, W);
  var acc: array<vec4f, 3>;
  let rowStart = i32(p) - HALF;
  for (var k = taps.x; k < taps.y; k++) {
    let q = u32(rowStart + k);
    let w = gauss[k];
    for (var j = 0u; j < 3u; j++) { acc[j] += w * dterms[j * N + q]; }
  }
  for (var j = 0u; j < 3u; j++) { hplanes[j * N + p] = acc[j]; }
}

@compute @workgroup_size(256)
fn grad(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
        @builtin(num_workgroups) nwg: vec3u) {
  let p = linearIndex(wid, nwg, lid);
  if (p >= N) { return; }
  let y = p / W;
  let taps = tapRange(y, H);
  var acc: array<vec4f, 3>;
  for (var k = taps.x; k < taps.y; k++) {
    let q = u32(i32(p) + (k - HALF) * i32(W));
    let w = gauss[k];
    for (var j = 0u; j < 3u; j++) { acc[j] += w * hplanes[j * N + q]; }
  }
  let xv = renderedRgb(p);
  let yv = targetRgb(p);
  // sign(0) = 0: the L1 derivative vanishes where the images agree (reference convention).
  let g = (1.0 - SSIM_WEIGHT) * INV_COUNT * sign(xv - yv) + acc[0].xyz
    + 2.0 * xv * acc[1].xyz + yv * acc[2].xyz;
  gradOut[p * 3u] = g.x;
  gradOut[p * 3u + 1u] = g.y;
  gradOut[p * 3u + 2u] = g.z;
}
