/**
 * Conventions of the CPU reference that `RASTER` (src/train/types.ts) leaves open. The WGSL kernels
 * must follow these exactly for their images and gradients to match the reference.
 *
 * - Pixel (px, py) has its centre at (px + 0.5, py + 0.5) in the same coordinates as the projected
 *   mean u = fx·x/z + cx, v = fy·y/z + cy. Offset d = mean2D − pixelCentre.
 * - Culling: camera z < RASTER.nearPlane; det(Σ') ≤ 0; or an empty tile rectangle (off-screen).
 *   A culled splat has radius 0 and gets no gradient.
 * - EWA Jacobian: x/z and y/z are clamped to the frustum widened by `frustumMargin` of the
 *   half-field of view (gsplat's `persp_proj`): x/z ∈ [−cx/fx − m·W/(2fx), (W−cx)/fx + m·W/(2fx)],
 *   likewise for y. Only the Jacobian uses the clamped values; the 2D mean does not. Where a
 *   coordinate is clamped its derivative through the Jacobian follows the clamp exactly
 *   (tx = z·lim, so ∂tx/∂x = 0 and ∂tx/∂z = lim).
 * - Σ' = J W Σ Wᵀ Jᵀ + lowPass·I; no opacity compensation for the low-pass (plain 3DGS).
 * - Radius = ceil(k · sqrt(λmax)), k = min(sigmaExtent, sqrt(2 ln(opacity / alphaMin))) with the
 *   opacity after the 3D filter and the 2D compensation (splats with opacity ≤ alphaMin are culled:
 *   no fragment of theirs reaches alphaMin), with the exact largest eigenvalue
 *   λmax = m + sqrt(max(0, m² − det)), m = (a + c)/2 (not INRIA's max(0.1, ·)).
 * - Tile rectangle of a splat (half-open, in tiles): x ∈ [clamp(floor((u − r)/T), 0, tilesX),
 *   clamp(ceil((u + r)/T), 0, tilesX)), likewise y; T = TILE_SIZE, tilesX = ceil(width/T).
 *   A splat is composited at a pixel only if the pixel's tile lies in this rectangle — this
 *   matters because a 3σ cut still leaves alphas above 1/255 for opaque splats.
 * - Order: ascending camera z; equal depths in ascending splat index (a stable sort).
 * - Compositing per pixel (front to back, T starts at 1): power = −½(A dx² + C dy²) − B dx dy
 *   with conic (A, B, C); skip if power > 0; α = min(alphaMax, σ(o)·exp(power)); skip if
 *   α < alphaMin; if T·(1 − α) < transmittanceMin stop *without* adding this splat; else
 *   colour += c·α·T, T ·= (1 − α). Output = colour + T·background.
 * - Gradient of the α clamp: zero w.r.t. opacity and power where σ(o)·G > alphaMax (exact
 *   derivative of min; gsplat's choice). The thresholds (α < alphaMin, the T stop) are treated as
 *   constants.
 * - Colour clamp max(0, raw): gradient passes where raw ≥ 0, is zero where raw < 0.
 * - SH direction: normalize(mean − cameraCentre), cameraCentre = −Rᵀt; its gradient flows to
 *   the means. Coefficients above the active degree get zero gradient.
 * - Loss: (1 − λ)·mean|I − T| + λ·(1 − mean SSIM) over all pixels and the 3 channels; the L1
 *   derivative at I = T is 0. SSIM per channel with an 11×11 Gaussian window (σ = 1.5,
 *   normalised to sum 1 over the full window) applied as a zero-padded 'same' convolution (as
 *   INRIA's `F.conv2d(padding=5)`; border windows are not renormalised), C1 = 0.01², C2 = 0.03².
 * - mean2D gradient for densification: `mean2dGrad` is dL/d(u, v) in pixels from the rasterizer
 *   only; `mean2dGradNdc` scales it by (W/2, H/2) — the quantity whose norm 3DGS compares with
 *   the 0.0002 threshold.
 * - Adam as in 3DGS/PyTorch: β1 0.9, β2 0.999, ε 1e-15, bias-corrected, ε added after sqrt(v̂).
 */
export const REFERENCE_CONVENTIONS = {
  /** Frustum widening for the EWA Jacobian clamp, as a fraction of the half field of view. */
  frustumMargin: 0.3,
  /** SSIM window edge (pixels) and Gaussian σ. */
  ssimWindow: 11,
  ssimSigma: 1.5,
  ssimC1: 0.01 ** 2,
  ssimC2: 0.03 ** 2,
  adamBeta1: 0.9,
  adamBeta2: 0.999,
  adamEps: 1e-15,
} as const;
