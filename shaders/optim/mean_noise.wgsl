// Position noise for low-opacity splats (3DGS-MCMC's exploration term), one thread per splat,
// as addMeanNoise in src/train/relocate.ts: mean += scale · gate(σ(o)) · Σ·n, Σ = R S² Rᵀ, n a
// counter-based standard normal of (seed, step, splat, axis), gate = 1/(1 + e^(−100(1 − σ − 0.995))).
//#include common/quat

struct Noise { count: u32, seed: u32, step: u32, _p: u32, scale: f32, _q0: f32, _q1: f32, _q2: f32 }
@group(0) @binding(0) var<uniform> u: Noise;
@group(0) @binding(1) var<storage, read_write> params: array<f32>;

fn hashU32(x: u32) -> u32 {
  let state = x * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

fn noiseNormal(i: u32, axis: u32) -> f32 {
  let h = hashU32(u.seed + hashU32(u.step + hashU32(i * 3u + axis)));
  let u1 = f32((hashU32(h) >> 8u) + 1u) / 16777216.0;
  let u2 = f32(hashU32(h ^ 0x9e3779b9u) >> 8u) / 16777216.0;
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  let n = u.count;
  if (i >= n) { return; }
  let o = 1.0 / (1.0 + exp(-params[10u * n + i]));
  let gate = 1.0 / (1.0 + exp(-100.0 * (1.0 - o - 0.995)));
  if (gate < 1e-8) { return; }
  let qo = 6u * n + 4u * i;
  let q = vec4f(params[qo], params[qo + 1u], params[qo + 2u], params[qo + 3u]);
  let r = quatToMat(q / length(q));
  let so = 3u * n + 3u * i;
  let s2 = exp(2.0 * vec3f(params[so], params[so + 1u], params[so + 2u]));
  let nrm = vec3f(noiseNormal(i, 0u), noiseNormal(i, 1u), noiseNormal(i, 2u));
  let d = r * (s2 * (transpose(r) * nrm));
  for (var a = 0u; a < 3u; a++) { params[3u * i + a] += u.scale * gate * d[a]; }
}
