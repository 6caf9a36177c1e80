/**
 * The shader library of the splat kernels: every WGSL file under shaders/raster, loss, optim,
 * densify and bench starts with constants generated from the TypeScript definitions the CPU
 * reference uses (RASTER, TILE_SIZE, SH_C0, REFERENCE_CONVENTIONS), so the two cannot drift apart.
 */
import { SH_C0 } from "../../contracts/gaussians.js";
import { createShaderLibrary, wgslF32, type ShaderLibrary } from "../../gpu/shaders.js";
import { REFERENCE_CONVENTIONS } from "../reference/conventions.js";
import { RASTER, TILE_SIZE } from "../types.js";

/** The generated constants header. */
export function splatConstantsHeader(): string {
  const bg = RASTER.background;
  return [
    `const TILE: u32 = ${TILE_SIZE}u;`,
    `const NEAR_PLANE: f32 = ${wgslF32(RASTER.nearPlane)};`,
    `const LOW_PASS: f32 = ${wgslF32(RASTER.lowPass)};`,
    `const SIGMA_EXTENT: f32 = ${wgslF32(RASTER.sigmaExtent)};`,
    `const ALPHA_MIN: f32 = ${wgslF32(RASTER.alphaMin)};`,
    `const ALPHA_MAX: f32 = ${wgslF32(RASTER.alphaMax)};`,
    `const T_MIN: f32 = ${wgslF32(RASTER.transmittanceMin)};`,
    `const BACKGROUND: vec3f = vec3f(${bg.map(wgslF32).join(", ")});`,
    `const SSIM_WEIGHT: f32 = ${wgslF32(RASTER.ssimWeight)};`,
    `const SSIM_C1: f32 = ${wgslF32(REFERENCE_CONVENTIONS.ssimC1)};`,
    `const SSIM_C2: f32 = ${wgslF32(REFERENCE_CONVENTIONS.ssimC2)};`,
    `const FRUSTUM_MARGIN: f32 = ${wgslF32(REFERENCE_CONVENTIONS.frustumMargin)};`,
    `const SH_C0: f32 = ${wgslF32(SH_C0)};`,
    "",
  ].join("\n");
}

/** Splat kernels with the constants header. */
export const SPLAT_SHADERS: ShaderLibrary = createShaderLibrary({ header: splatConstantsHeader() });
