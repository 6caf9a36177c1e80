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
/**
 * Each thread computes RUN neighbouring outputs along the blur direction, so it loads
 * RUN + 10 taps instead of 11·RUN (the blurs are load-bound). Horizontal passes: runs along x,
 * one thread per (run, row); vertical passes: runs along y, one thread per (column, run).
 */
const RUN: i32 = ${RUN};
const RUNS_X: u32 = (W + u32(RUN) - 1u) / u32(RUN);
const RUNS_Y: u32 = (H + u32(RUN) - 1u) / u32(RUN);

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

/**
 * Inclusive range of input positions that a run of outputs starting at `start` reads, clipped to
 * [0, size) (zero padding: taps outside contribute nothing).
 */
fn runInputs(start: u32, size: u32) -> vec2i {
  return vec2i(max(i32(start) - HALF, 0), min(i32(start) + RUN - 1 + HALF, i32(size) - 1));
}

/** Window tap linking input position `input` to output `start + o`, or -1 if outside it. */
fn tapOf(input: i32, start: u32, o: i32) -> i32 {
  let k = input - i32(start) - o + HALF;
  return select(-1, k, k >= 0 && k <= 2 * HALF);
}
