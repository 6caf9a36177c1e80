// Loss/Adam kernels (GPU2 helper); the rasterizer host code calls these.
// Shared declarations of the loss kernels (loss_forward.wgsl, loss_backward.wgsl). The image size
// and the Gaussian window are compile-time constants (host defines) so loops unroll and no size
// uniform is needed; one binding scheme serves every entry point (each uses a subset).
//
// Layouts: images are W·H·3 interleaved RGB f32, row-major. Intermediate planes are vec4f per
// pixel (rgb used), plane-major (plane j of pixel p at j·N + p) so neighbouring threads touch
// neighbouring 16-byte words.

const W: u32 = ${WIDTH}u;
const H: u32 = ${HEIGHT}u;
const N: u32 = W * H;
/** 1 / (H·W·3): the loss is a mean over every value. */
const INV_COUNT: f32 = ${INV_COUNT};
/** Window half-width: 11 taps. */
const HALF: i32 = 5;
const NUM_PARTIALS: u32 = ${NUM_PARTIALS}u;

struct Params {
  /** Offset (in f32 elements) of this image inside the bound target slice. */
  targetOffset: u32,
  _a: u32,
  _b: u32,
  _c: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> rendered: array<f32>;
@group(0) @binding(2) var<storage, read> targetImg: array<f32>;
/** Forward: 5 horizontally blurred planes (x, y, x², y², xy). Backward: 3 blurred d-terms. */
@group(0) @binding(3) var<storage, read_write> hplanes: array<vec4f>;
/** dL/d(μx), dL/d(E[x²]), dL/d(E[xy]) per pixel (already scaled by −λ/count). */
@group(0) @binding(4) var<storage, read_write> dterms: array<vec4f>;
/** Per-workgroup (Σ|x − y|, Σ(1 − SSIM)). */
@group(0) @binding(5) var<storage, read_write> partials: array<vec2f>;
/** [loss, L1, SSIM, 0]. */
@group(0) @binding(6) var<storage, read_write> lossOut: array<f32>;
@group(0) @binding(7) var<storage, read_write> gradOut: array<f32>;

var<private> gauss: array<f32, 11> = array<f32, 11>(${WINDOW});

fn linearIndex(wid: vec3u, nwg: vec3u, lid: u32) -> u32 {
  return (wid.x + wid.y * nwg.x) * 256u + lid;
}

fn renderedRgb(p: u32) -> vec3f {
  return vec3f(rendered[p * 3u], rendered[p * 3u + 1u], rendered[p * 3u + 2u]);
}

fn targetRgb(p: u32) -> vec3f {
  let o = params.targetOffset + p * 3u;
  return vec3f(targetImg[o], targetImg[o + 1u], targetImg[o + 2u]);
}

/** Tap range [k0, k1) of the window that stays inside [0, size) around `centre` (zero padding). */
fn tapRange(centre: u32, size: u32) -> vec2i {
  let c = i32(centre);
  return vec2i(max(0, HALF - c), min(2 * HALF + 1, i32(size) + HALF - c));
}
