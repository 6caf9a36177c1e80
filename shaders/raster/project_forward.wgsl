// Projection forward, one thread per splat: camera transform, 2D mean, EWA covariance (+0.3 px²
// low-pass), conic, radius (shorter for faint splats), tile rectangle, depth key and SH colour.
// Culled splats get a zero tile count and the largest depth key, so they sort last and are never rasterized.
//#include common/splat_common

@group(0) @binding(0) var<uniform> cam: Camera;
@group(0) @binding(1) var<storage, read> params: array<f32>;
// Per splat three vec4: (u, v, opacity, depth), (A, B, C, radius), (r, g, b, 0).
@group(0) @binding(2) var<storage, read_write> proj: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> rects: array<vec4u>; // x0, y0, x1, y1 (tiles)
@group(0) @binding(4) var<storage, read_write> tileCounts: array<u32>;
@group(0) @binding(5) var<storage, read_write> depthKeys: array<u32>;
@group(0) @binding(6) var<storage, read_write> depthVals: array<u32>;
@group(0) @binding(7) var<storage, read> filter3d: array<f32>;

fn cull(i: u32) {
  proj[3u * i] = vec4f(0.0);
  proj[3u * i + 1u] = vec4f(0.0);
  proj[3u * i + 2u] = vec4f(0.0);
  rects[i] = vec4u(0u);
  tileCounts[i] = 0u;
  depthKeys[i] = 0xffffffffu;
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= cam.count) { return; }
  depthVals[i] = i;
  let W = viewRot();
  let p = W * loadMean(i) + viewTrans();
  if (p.z < NEAR_PLANE) { cull(i); return; }
  let s = splatShape(i);
  let a = s.cov2d.x; let b = s.cov2d.y; let c = s.cov2d.z;
  let det = a * c - b * b;
  if (!(det > 0.0)) { cull(i); return; }
  let conic = vec3f(c / det, -b / det, a / det);
  let mid = 0.5 * (a + c);
  let lambdaMax = mid + sqrt(max(0.0, mid * mid - det));
  var opacity = s.filterCoef / (1.0 + exp(-params[offOpacity() + i]));
  if (antialiased()) { opacity *= compensation2d(s.cov2d).x; }
  // Beyond sqrt(2 ln(opacity / ALPHA_MIN)) σ every fragment is below ALPHA_MIN and skipped, so
  // the rectangle stops there when that is nearer than SIGMA_EXTENT σ (reference: sigmaExtent).
  if (!(opacity > ALPHA_MIN)) { cull(i); return; }
  let extent = min(SIGMA_EXTENT, sqrt(2.0 * log(opacity / ALPHA_MIN)));
  let radius = ceil(extent * sqrt(lambdaMax));
  let uv = vec2f(cam.focal.x * p.x / p.z, cam.focal.y * p.y / p.z) + cam.principal;
  let T = f32(TILE);
  let tilesF = vec2f(cam.tiles);
  let lo = clamp(floor((uv - radius) / T), vec2f(0.0), tilesF);
  let hi = clamp(ceil((uv + radius) / T), vec2f(0.0), tilesF);
  if (radius <= 0.0 || hi.x <= lo.x || hi.y <= lo.y) { cull(i); return; }

  let viewVec = loadMean(i) - cameraCentre();
  let dir = viewVec / length(viewVec);
  var rgb = vec3f(0.5);
  let K = activeK();
  for (var k = 0u; k < K; k++) { rgb += shBasis(k, dir) * shCoef(i, k); }
  rgb = max(rgb, vec3f(0.0));

  proj[3u * i] = vec4f(uv, opacity, p.z);
  proj[3u * i + 1u] = vec4f(conic, radius);
  proj[3u * i + 2u] = vec4f(rgb, 0.0);
  let r = vec4u(vec2u(lo), vec2u(hi));
  rects[i] = r;
  tileCounts[i] = (r.z - r.x) * (r.w - r.y);
  depthKeys[i] = bitcast<u32>(p.z); // positive floats order like their bit patterns
}
