/**
 * How the rasterizers map tiles onto threads on a given adapter, and the defines of their WGSL
 * variants (see raster/rasterize_*.wgsl).
 */
import { fixedSubgroupWidth, simdSubgroupWidth, type GpuContext } from "../../gpu/device.js";

/**
 * How rasterize_backward adds a pixel's gradient to the workgroup accumulator: with subgroups,
 * the lanes first reduce with subgroupAdd and one lane per subgroup does the compare-exchange
 * adds (8–32× fewer atomics); without them every lane adds its own non-zero values.
 */
export function accumulateDefines(ctx: GpuContext): Record<string, string> {
  const direct = [
    "fn accumulate(b: u32, hit: bool, uv: vec2f, cn: vec3f, rgb: vec3f, op: f32) {",
    "  if (!hit) { return; }",
    "  addShared(b, uv.x); addShared(b + 1u, uv.y);",
    "  addShared(b + 2u, cn.x); addShared(b + 3u, cn.y); addShared(b + 4u, cn.z);",
    "  addShared(b + 5u, rgb.x); addShared(b + 6u, rgb.y); addShared(b + 7u, rgb.z);",
    "  addShared(b + 8u, op);",
    "}",
  ].join("\n");
  if (!ctx.hasSubgroups || process.env.SPLATBOOK_NO_SUBGROUPS)
    return { ENABLE: "", ACCUMULATE: direct };
  return {
    ENABLE: "enable subgroups;\ndiagnostic(off, subgroup_uniformity);",
    ACCUMULATE: [
      "fn accumulate(b: u32, hit: bool, uv0: vec2f, cn0: vec3f, rgb0: vec3f, op0: f32) {",
      "  if (!subgroupAny(hit)) { return; }",
      "  let uv = subgroupAdd(uv0); let cn = subgroupAdd(cn0);",
      "  let rgb = subgroupAdd(rgb0); let op = subgroupAdd(op0);",
      "  if (subgroupElect()) {",
      "    addShared(b, uv.x); addShared(b + 1u, uv.y);",
      "    addShared(b + 2u, cn.x); addShared(b + 3u, cn.y); addShared(b + 4u, cn.z);",
      "    addShared(b + 5u, rgb.x); addShared(b + 6u, rgb.y); addShared(b + 7u, rgb.z);",
      "    addShared(b + 8u, op);",
      "  }",
      "}",
    ].join("\n"),
  };
}

/**
 * How the rasterizers map a tile onto threads: "tile" runs a 16×16 workgroup per tile (a pixel
 * per thread, splats staged in workgroup memory, gradients summed there); "subgroup" runs one
 * subgroup per tile, each lane compositing 256 / size pixels with no workgroup memory, barriers
 * or atomics.
 */
export type RasterKernel = "tile" | "subgroup";

/**
 * The rasterizer layout for an adapter: "subgroup" where a subgroup is one SIMD vector of a fixed
 * width (CPU adapters), "tile" on hardware GPUs and without subgroups.
 * SPLATBOOK_RASTER_KERNEL=tile|subgroup overrides the choice (comparisons, tests).
 */
export function chooseRasterKernel(ctx: GpuContext): RasterKernel {
  const forced = process.env.SPLATBOOK_RASTER_KERNEL;
  if (forced === "tile") return "tile";
  if (forced === "subgroup" && supportsSubgroupLayout(ctx)) return "subgroup";
  return simdSubgroupWidth(ctx) ? "subgroup" : "tile";
}

/** Whether this adapter can run the "subgroup" layout (subgroups of one fixed size). */
export function supportsSubgroupLayout(ctx: GpuContext): boolean {
  return fixedSubgroupWidth(ctx) !== null;
}

/**
 * Defines of the subgroup-layout kernels: the subgroup width, pixels per lane, and each per-pixel
 * helper written out once per pixel with a constant index (FOR_EACH_PIXEL_<NAME> → `name(0u);
 * name(1u); …`), which keeps the per-pixel state in registers.
 */
export function subgroupDefines(sg: number): Record<string, string | number> {
  const ppl = 256 / sg;
  const each = (fn: string) => Array.from({ length: ppl }, (_, p) => `${fn}(${p}u);`).join(" ");
  return {
    SG: sg,
    PPL: ppl,
    FOR_EACH_PIXEL_LOAD: each("loadPixel"),
    FOR_EACH_PIXEL_BACK: each("backPixel"),
  };
}
