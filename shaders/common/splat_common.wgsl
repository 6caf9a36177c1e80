// Shared by the projection kernels: flat parameter layout, SH basis and the per-splat shape
// (camera-space covariance, EWA Jacobian, 2D covariance). Parameters live in one f32 array:
// [means 3N | logScales 3N | quats 4N | opacityLogits N | sh N·K·3], the same order as
// GaussianParams, so Adam runs over it in one pass. Kernels that include this declare `cam`,
// `params` and `filter3d` (per-splat variance of the 3D smoothing filter, read when flag bit 0
// is set). Anti-aliasing as src/train/reference/project.ts: scales s' = sqrt(s² + f), opacity
// × Π s/s', and with bit 1 × sqrt(det Σ'₀ / det Σ').
//#include common/camera
//#include common/quat

fn offScales() -> u32 { return 3u * cam.count; }
fn offQuats() -> u32 { return 6u * cam.count; }
fn offOpacity() -> u32 { return 10u * cam.count; }
fn offSh() -> u32 { return 11u * cam.count; }

fn viewRot() -> mat3x3f {
  // WGSL matrices are column-major: column j holds R[.][j].
  return mat3x3f(
    vec3f(cam.row0.x, cam.row1.x, cam.row2.x),
    vec3f(cam.row0.y, cam.row1.y, cam.row2.y),
    vec3f(cam.row0.z, cam.row1.z, cam.row2.z));
}
fn viewTrans() -> vec3f { return vec3f(cam.row0.w, cam.row1.w, cam.row2.w); }
fn cameraCentre() -> vec3f { return -(transpose(viewRot()) * viewTrans()); }


const SH_C1: f32 = 0.4886025119029199;
const SH_C2 = array<f32, 5>(1.0925484305920792, -1.0925484305920792, 0.31539156525252005,
  -1.0925484305920792, 0.5462742152960396);
const SH_C3 = array<f32, 7>(-0.5900435899266435, 2.890611442640554, -0.4570457994644658,
  0.3731763325901154, -0.4570457994644658, 1.445305721320277, -0.5900435899266435);

fn shBasis(k: u32, d: vec3f) -> f32 {
  let x = d.x; let y = d.y; let z = d.z;
  let xx = x * x; let yy = y * y; let zz = z * z;
  switch k {
    case 0u: { return SH_C0; }
    case 1u: { return -SH_C1 * y; }
    case 2u: { return SH_C1 * z; }
    case 3u: { return -SH_C1 * x; }
    case 4u: { return SH_C2[0] * x * y; }
    case 5u: { return SH_C2[1] * y * z; }
    case 6u: { return SH_C2[2] * (2.0 * zz - xx - yy); }
    case 7u: { return SH_C2[3] * x * z; }
    case 8u: { return SH_C2[4] * (xx - yy); }
    case 9u: { return SH_C3[0] * y * (3.0 * xx - yy); }
    case 10u: { return SH_C3[1] * x * y * z; }
    case 11u: { return SH_C3[2] * y * (4.0 * zz - xx - yy); }
    case 12u: { return SH_C3[3] * z * (2.0 * zz - 3.0 * xx - 3.0 * yy); }
    case 13u: { return SH_C3[4] * x * (4.0 * zz - xx - yy); }
    case 14u: { return SH_C3[5] * z * (xx - yy); }
    default: { return SH_C3[6] * x * (xx - 3.0 * yy); }
  }
}

// d SH_k / d(x, y, z), the direction components treated as independent.
fn shBasisGrad(k: u32, d: vec3f) -> vec3f {
  let x = d.x; let y = d.y; let z = d.z;
  let xx = x * x; let yy = y * y; let zz = z * z;
  switch k {
    case 0u: { return vec3f(0.0); }
    case 1u: { return vec3f(0.0, -SH_C1, 0.0); }
    case 2u: { return vec3f(0.0, 0.0, SH_C1); }
    case 3u: { return vec3f(-SH_C1, 0.0, 0.0); }
    case 4u: { return vec3f(SH_C2[0] * y, SH_C2[0] * x, 0.0); }
    case 5u: { return vec3f(0.0, SH_C2[1] * z, SH_C2[1] * y); }
    case 6u: { return vec3f(-2.0 * SH_C2[2] * x, -2.0 * SH_C2[2] * y, 4.0 * SH_C2[2] * z); }
    case 7u: { return vec3f(SH_C2[3] * z, 0.0, SH_C2[3] * x); }
    case 8u: { return vec3f(2.0 * SH_C2[4] * x, -2.0 * SH_C2[4] * y, 0.0); }
    case 9u: { return vec3f(SH_C3[0] * 6.0 * x * y, SH_C3[0] * (3.0 * xx - 3.0 * yy), 0.0); }
    case 10u: { return vec3f(SH_C3[1] * y * z, SH_C3[1] * x * z, SH_C3[1] * x * y); }
    case 11u: {
      return vec3f(-2.0 * SH_C3[2] * x * y, SH_C3[2] * (4.0 * zz - xx - 3.0 * yy),
        8.0 * SH_C3[2] * y * z);
    }
    case 12u: {
      return vec3f(-6.0 * SH_C3[3] * x * z, -6.0 * SH_C3[3] * y * z,
        SH_C3[3] * (6.0 * zz - 3.0 * xx - 3.0 * yy));
    }
    case 13u: {
      return vec3f(SH_C3[4] * (4.0 * zz - 3.0 * xx - yy), -2.0 * SH_C3[4] * x * y,
        8.0 * SH_C3[4] * x * z);
    }
    case 14u: { return vec3f(2.0 * SH_C3[5] * x * z, -2.0 * SH_C3[5] * y * z, SH_C3[5] * (xx - yy)); }
    default: { return vec3f(SH_C3[6] * (3.0 * xx - 3.0 * yy), -6.0 * SH_C3[6] * x * y, 0.0); }
  }
}

fn loadMean(i: u32) -> vec3f { return vec3f(params[3u * i], params[3u * i + 1u], params[3u * i + 2u]); }
fn loadScale(i: u32) -> vec3f {
  let o = offScales() + 3u * i;
  return exp(vec3f(params[o], params[o + 1u], params[o + 2u]));
}
fn filterVar(i: u32) -> f32 { return select(0.0, filter3d[i], (cam.flags & 1u) != 0u); }
fn antialiased() -> bool { return (cam.flags & 2u) != 0u; }

// The 2D filter's compensation sqrt(det Σ'₀ / det Σ') (Σ' = Σ'₀ + LOW_PASS·I), 0 when Σ'₀ is
// degenerate; .yzw: its partials by a, b, c of Σ'.
fn compensation2d(cov: vec3f) -> vec4f {
  let a = cov.x; let b = cov.y; let c = cov.z;
  let det1 = a * c - b * b;
  let det0 = (a - LOW_PASS) * (c - LOW_PASS) - b * b;
  if (!(det0 > 0.0) || !(det1 > 0.0)) { return vec4f(0.0); }
  let rho = sqrt(det0 / det1);
  return vec4f(rho, 0.5 * rho * ((c - LOW_PASS) / det0 - c / det1), rho * b * (1.0 / det1 - 1.0 / det0),
    0.5 * rho * ((a - LOW_PASS) / det0 - a / det1));
}
fn loadQuat(i: u32) -> vec4f {
  let o = offQuats() + 4u * i;
  return vec4f(params[o], params[o + 1u], params[o + 2u], params[o + 3u]);
}
fn shCoef(i: u32, k: u32) -> vec3f {
  let o = offSh() + (i * cam.maxK + k) * 3u;
  return vec3f(params[o], params[o + 1u], params[o + 2u]);
}
fn activeK() -> u32 { return min((cam.shDegree + 1u) * (cam.shDegree + 1u), cam.maxK); }

// Everything projection forward and backward both need about one splat.
struct Shape {
  camPoint: vec3f,
  covCam: mat3x3f,
  rot: mat3x3f, // rotation of the normalised quaternion
  scale: vec3f, // the covariance's scales (widened by the 3D filter)
  rawScale: vec3f, // exp(log-scales)
  filterVar: f32,
  filterCoef: f32, // Π raw/scale (1 without the filter)
  jac0: vec3f, jac1: vec3f, // EWA Jacobian rows
  clampX: bool, clampY: bool,
  cov2d: vec3f, // a, b, c with the low-pass
}

fn splatShape(i: u32) -> Shape {
  var s: Shape;
  let W = viewRot();
  s.camPoint = W * loadMean(i) + viewTrans();
  let q = loadQuat(i);
  s.rot = quatToMat(q / length(q));
  s.rawScale = loadScale(i);
  s.filterVar = filterVar(i);
  s.scale = s.rawScale;
  s.filterCoef = 1.0;
  if (s.filterVar > 0.0) {
    s.scale = sqrt(s.rawScale * s.rawScale + s.filterVar);
    let ratio = s.rawScale / s.scale;
    s.filterCoef = ratio.x * ratio.y * ratio.z;
  }
  let M = s.rot * mat3x3f(vec3f(s.scale.x, 0.0, 0.0), vec3f(0.0, s.scale.y, 0.0), vec3f(0.0, 0.0, s.scale.z));
  s.covCam = W * (M * transpose(M)) * transpose(W);
  let z = s.camPoint.z;
  let marginX = FRUSTUM_MARGIN * 0.5 * cam.size.x / cam.focal.x;
  let marginY = FRUSTUM_MARGIN * 0.5 * cam.size.y / cam.focal.y;
  let limXn = -cam.principal.x / cam.focal.x - marginX;
  let limXp = (cam.size.x - cam.principal.x) / cam.focal.x + marginX;
  let limYn = -cam.principal.y / cam.focal.y - marginY;
  let limYp = (cam.size.y - cam.principal.y) / cam.focal.y + marginY;
  let rx = s.camPoint.x / z;
  let ry = s.camPoint.y / z;
  s.clampX = rx < limXn || rx > limXp;
  s.clampY = ry < limYn || ry > limYp;
  let tx = z * clamp(rx, limXn, limXp);
  let ty = z * clamp(ry, limYn, limYp);
  let fx = cam.focal.x; let fy = cam.focal.y;
  s.jac0 = vec3f(fx / z, 0.0, -fx * tx / (z * z));
  s.jac1 = vec3f(0.0, fy / z, -fy * ty / (z * z));
  let c0 = s.covCam * s.jac0; // Σc symmetric: (J Σc)_row = Σc · J_row
  let c1 = s.covCam * s.jac1;
  s.cov2d = vec3f(dot(c0, s.jac0) + LOW_PASS, dot(c0, s.jac1), dot(c1, s.jac1) + LOW_PASS);
  return s;
}
