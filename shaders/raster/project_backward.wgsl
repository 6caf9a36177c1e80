// Projection backward, one thread per splat: sums the splat's per-instance partials from the
// rasterizer (contiguous slots, fixed order: deterministic, no atomics), then backpropagates
// through colour (SH), conic → 2D covariance → EWA Jacobian / camera covariance → quaternion and
// log-scales, and the 2D mean → camera point → world mean. Writes every gradient of the splat
// (zeros when culled) and updates the densification statistics.
//#include common/splat_common

@group(0) @binding(0) var<uniform> cam: Camera;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> proj: array<vec4f>;
@group(0) @binding(3) var<storage, read> tileCounts: array<u32>;
@group(0) @binding(4) var<storage, read> splatFirst: array<u32>;
@group(0) @binding(5) var<storage, read> instGrads: array<f32>;
@group(0) @binding(6) var<storage, read_write> grads: array<f32>;
// [gradNormSum N | visibleCount N | maxRadius N]
@group(0) @binding(7) var<storage, read_write> stats: array<f32>;
// dL/d(u, v) per splat (pixels), for tests.
@group(0) @binding(8) var<storage, read_write> mean2dGrad: array<vec2f>;
@group(0) @binding(9) var<storage, read> filter3d: array<f32>;

fn zeroSplat(i: u32) {
  for (var k = 0u; k < 3u; k++) { grads[3u * i + k] = 0.0; grads[offScales() + 3u * i + k] = 0.0; }
  for (var k = 0u; k < 4u; k++) { grads[offQuats() + 4u * i + k] = 0.0; }
  grads[offOpacity() + i] = 0.0;
  for (var k = 0u; k < cam.maxK * 3u; k++) { grads[offSh() + i * cam.maxK * 3u + k] = 0.0; }
  mean2dGrad[i] = vec2f(0.0);
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= cam.count) { return; }
  let nInst = tileCounts[i];
  if (nInst == 0u) { zeroSplat(i); return; }
  var g: array<f32, 9>;
  let first = splatFirst[i];
  for (var e = first; e < first + nInst; e++) {
    for (var j = 0u; j < 9u; j++) { g[j] += instGrads[e * 9u + j]; }
  }
  let dUV = vec2f(g[0], g[1]);
  let dConic = vec3f(g[2], g[3], g[4]);
  let dRgb = vec3f(g[5], g[6], g[7]);
  let dOpacity = g[8];
  mean2dGrad[i] = dUV;

  let s = splatShape(i);
  let W = viewRot();
  let p = s.camPoint;

  // Colour: SH coefficients (clamp: gradient passes where raw ≥ 0) and the view direction.
  let viewVec = loadMean(i) - cameraCentre();
  let vn = length(viewVec);
  let dir = viewVec / vn;
  let K = activeK();
  var raw = vec3f(0.5);
  for (var k = 0u; k < K; k++) { raw += shBasis(k, dir) * shCoef(i, k); }
  let dRaw = select(vec3f(0.0), dRgb, raw >= vec3f(0.0));
  var dDir = vec3f(0.0);
  let shBase = offSh() + i * cam.maxK * 3u;
  for (var k = 0u; k < cam.maxK; k++) {
    var gk = vec3f(0.0);
    if (k < K) {
      let b = shBasis(k, dir);
      gk = b * dRaw;
      dDir += shBasisGrad(k, dir) * dot(shCoef(i, k), dRaw);
    }
    grads[shBase + 3u * k] = gk.x;
    grads[shBase + 3u * k + 1u] = gk.y;
    grads[shBase + 3u * k + 2u] = gk.z;
  }
  let dMeanFromDir = (dDir - dir * dot(dir, dDir)) / vn;

  // Conic → Σ': dΣ' = −Σ'⁻¹ G Σ'⁻¹ with G = [[g0, g1/2], [g1/2, g2]].
  let cn = proj[3u * i + 1u].xyz;
  let A = cn.x; let B = cn.y; let C = cn.z;
  let g0 = dConic.x; let g1 = dConic.y * 0.5; let g2 = dConic.z;
  let p00 = A * g0 + B * g1; let p01 = A * g1 + B * g2;
  let p10 = B * g0 + C * g1; let p11 = B * g1 + C * g2;
  var dS00 = -(p00 * A + p01 * B);
  var dS01 = -(p00 * B + p01 * C);
  var dS11 = -(p10 * B + p11 * C);
  // σ(o) and the factors the composited opacity carries (3D filter, 2D compensation).
  let sig = 1.0 / (1.0 + exp(-params[offOpacity() + i]));
  var comp = 1.0;
  if (antialiased()) {
    let k = compensation2d(s.cov2d);
    comp = k.x;
    // dS01 is per off-diagonal entry: half of d/db.
    let dRho = dOpacity * sig * s.filterCoef;
    dS00 += dRho * k.y;
    dS01 += 0.5 * dRho * k.z;
    dS11 += dRho * k.w;
  }

  // Σ' = J Σc Jᵀ: dΣc = Jᵀ dS J; dJ = 2 dS J Σc.
  // Jᵀ dS J as 3×3: Σ_ab J[a] dS[a][b] J[b]ᵀ.
  let dCovCam = outer(s.jac0, s.jac0) * dS00 + (outer(s.jac0, s.jac1) + outer(s.jac1, s.jac0)) * dS01 +
    outer(s.jac1, s.jac1) * dS11;
  let JS0 = s.covCam * s.jac0; // row 0 of J Σc
  let JS1 = s.covCam * s.jac1;
  let dJ0 = 2.0 * (dS00 * JS0 + dS01 * JS1);
  let dJ1 = 2.0 * (dS01 * JS0 + dS11 * JS1);

  let fx = cam.focal.x; let fy = cam.focal.y;
  let x = p.x; let y = p.y; let z = p.z;
  let z2 = z * z; let z3 = z2 * z;
  let tx = select(x, -s.jac0.z * z2 / fx, s.clampX);
  let ty = select(y, -s.jac1.z * z2 / fy, s.clampY);
  var dCam = vec3f(0.0);
  dCam.z += (-fx / z2) * dJ0.x + (-fy / z2) * dJ1.y;
  if (s.clampX) { dCam.z += (fx * tx / z3) * dJ0.z; }
  else { dCam.x += (-fx / z2) * dJ0.z; dCam.z += (2.0 * fx * tx / z3) * dJ0.z; }
  if (s.clampY) { dCam.z += (fy * ty / z3) * dJ1.z; }
  else { dCam.y += (-fy / z2) * dJ1.z; dCam.z += (2.0 * fy * ty / z3) * dJ1.z; }
  dCam.x += (fx / z) * dUV.x;
  dCam.y += (fy / z) * dUV.y;
  dCam.z += (-fx * x / z2) * dUV.x + (-fy * y / z2) * dUV.y;
  let dMean = transpose(W) * dCam + dMeanFromDir;

  // Σc = W Σ Wᵀ → dΣ = Wᵀ dΣc W; Σ = M Mᵀ, M = R S → dM = 2 dΣ M.
  let dCov3d = transpose(W) * dCovCam * W;
  let S = mat3x3f(vec3f(s.scale.x, 0.0, 0.0), vec3f(0.0, s.scale.y, 0.0), vec3f(0.0, 0.0, s.scale.z));
  let M = s.rot * S;
  let dM = 2.0 * (dCov3d * M);
  // Column j of M is R[:, j]·s'_j: d/ds'_j = dot(dM[:, j], R[:, j]); dR[:, j] = dM[:, j]·s'_j;
  // d s'/d log s = s²/s' (= s without the filter).
  let dsdl = s.rawScale * s.rawScale / s.scale;
  var dLogScale = vec3f(dot(dM[0], s.rot[0]), dot(dM[1], s.rot[1]), dot(dM[2], s.rot[2])) * dsdl;
  if (s.filterVar > 0.0) {
    // The 3D filter's opacity factor Π s/s': d log(factor)/d log s = f / s'².
    dLogScale += dOpacity * sig * s.filterCoef * comp * s.filterVar / (s.scale * s.scale);
  }
  let dR = mat3x3f(dM[0] * s.scale.x, dM[1] * s.scale.y, dM[2] * s.scale.z);
  let q = loadQuat(i);
  let qn = length(q);
  let qh = q / qn;
  let w = qh.x; let qx = qh.y; let qy = qh.z; let qz = qh.w;
  // Row-major g_rc = dR[c][r] in WGSL column-major indexing.
  let g00 = dR[0].x; let g01 = dR[1].x; let g02 = dR[2].x;
  let g10 = dR[0].y; let g11 = dR[1].y; let g12 = dR[2].y;
  let g20 = dR[0].z; let g21 = dR[1].z; let g22 = dR[2].z;
  let dQhat = 2.0 * vec4f(
    -qz * g01 + qy * g02 + qz * g10 - qx * g12 - qy * g20 + qx * g21,
    qy * g01 + qz * g02 + qy * g10 - 2.0 * qx * g11 - w * g12 + qz * g20 + w * g21 - 2.0 * qx * g22,
    -2.0 * qy * g00 + qx * g01 + w * g02 + qx * g10 + qz * g12 - w * g20 + qz * g21 - 2.0 * qy * g22,
    -2.0 * qz * g00 - w * g01 + qx * g02 + w * g10 - 2.0 * qz * g11 + qy * g12 + qx * g20 + qy * g21);
  let dQuat = (dQhat - qh * dot(qh, dQhat)) / qn;


  for (var k = 0u; k < 3u; k++) {
    grads[3u * i + k] = dMean[k];
    grads[offScales() + 3u * i + k] = dLogScale[k];
  }
  for (var k = 0u; k < 4u; k++) { grads[offQuats() + 4u * i + k] = dQuat[k]; }
  grads[offOpacity() + i] = dOpacity * s.filterCoef * comp * sig * (1.0 - sig);

  // Densification statistics (3DGS: NDC-scaled screen-space gradient norm).
  let n = cam.count;
  let ndc = dUV * 0.5 * cam.size;
  stats[i] += length(ndc);
  stats[n + i] += 1.0;
  stats[2u * n + i] = max(stats[2u * n + i], proj[3u * i + 1u].w);
}

fn outer(a: vec3f, b: vec3f) -> mat3x3f {
  // (a bᵀ) column-major: column j = a · b[j].
  return mat3x3f(a * b.x, a * b.y, a * b.z);
}
