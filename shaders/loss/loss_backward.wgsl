// Loss backward: dL/dx = (1 − λ)·sign(x − y)/count − λ·(G*∂S/∂μx + 2x·G*∂S/∂E[x²] + y·G*∂S/∂E[xy])
// where G* is the Gaussian window's adjoint — the same zero-padded separable blur, as the window
// is symmetric. ssim_map already scaled the d-terms by −λ/count. Two dispatches:
//   blur_h_bwd  horizontal window over the 3 d-terms → hplanes[0..3) (free after ssim_map)
//   grad        vertical window, then the per-pixel chain rule → gradOut (overwritten)
//#include loss/ssim_common

@compute @workgroup_size(256)
fn blur_h_bwd(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
              @builtin(num_workgroups) nwg: vec3u) {
  let t = linearIndex(wid, nwg, lid);
  if (t >= RUNS_X * H) { return; }
  let y = t / RUNS_X;
  let x0 = (t - y * RUNS_X) * u32(RUN);
  var acc: array<array<vec4f, 3>, RUN>;
  let inputs = runInputs(x0, W);
  for (var xx = inputs.x; xx <= inputs.y; xx++) {
    let q = y * W + u32(xx);
    let v = array<vec4f, 3>(dterms[q], dterms[N + q], dterms[2u * N + q]);
    for (var o = 0; o < RUN; o++) {
      let k = tapOf(xx, x0, o);
      if (k >= 0) {
        let w = gauss[k];
        for (var j = 0; j < 3; j++) { acc[o][j] += w * v[j]; }
      }
    }
  }
  for (var o = 0; o < RUN; o++) {
    let x = x0 + u32(o);
    if (x < W) {
      let p = y * W + x;
      for (var j = 0u; j < 3u; j++) { hplanes[j * N + p] = acc[o][j]; }
    }
  }
}

@compute @workgroup_size(256)
fn grad(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
        @builtin(num_workgroups) nwg: vec3u) {
  let t = linearIndex(wid, nwg, lid);
  if (t >= W * RUNS_Y) { return; }
  let x = t % W;
  let y0 = (t / W) * u32(RUN);
  var acc: array<array<vec4f, 3>, RUN>;
  let inputs = runInputs(y0, H);
  for (var yy = inputs.x; yy <= inputs.y; yy++) {
    let q = u32(yy) * W + x;
    let v = array<vec4f, 3>(hplanes[q], hplanes[N + q], hplanes[2u * N + q]);
    for (var o = 0; o < RUN; o++) {
      let k = tapOf(yy, y0, o);
      if (k >= 0) {
        let w = gauss[k];
        for (var j = 0; j < 3; j++) { acc[o][j] += w * v[j]; }
      }
    }
  }
  for (var o = 0; o < RUN; o++) {
    let y = y0 + u32(o);
    if (y < H) {
      let p = y * W + x;
      let xv = renderedRgb(p);
      let yv = targetRgb(p);
      // sign(0) = 0: the L1 derivative vanishes where the images agree (reference convention).
      let g = (1.0 - SSIM_WEIGHT) * INV_COUNT * sign(xv - yv) + acc[o][0].xyz
        + 2.0 * xv * acc[o][1].xyz + yv * acc[o][2].xyz;
      gradOut[p * 3u] = g.x;
      gradOut[p * 3u + 1u] = g.y;
      gradOut[p * 3u + 2u] = g.z;
    }
  }
}
