/**
 * WGSL loading: shaders live in `<package>/shaders/*.wgsl`. A header with the shared constants
 * (RASTER, TILE_SIZE, SH constants, reference conventions) is generated from the TypeScript
 * definitions so kernels and the CPU reference cannot drift apart. `//#include name` pulls in
 * another file from the same folder.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { REFERENCE_CONVENTIONS } from "../train/reference/conventions.js";
import { RASTER, SH_C0, TILE_SIZE } from "../train/types.js";
import { SplatbookError } from "../util/errors.js";

/** Absolute path of the shaders folder (same depth from src/gpu and lib/gpu). */
export const SHADER_DIR = fileURLToPath(new URL("../../shaders/", import.meta.url));

function f32(v: number): string {
  const s = Math.fround(v).toPrecision(9);
  return s.includes(".") || s.includes("e") ? s : `${s}.0`;
}

/** The generated constants header. */
export function constantsHeader(): string {
  const bg = RASTER.background;
  return [
    `const TILE: u32 = ${TILE_SIZE}u;`,
    `const NEAR_PLANE: f32 = ${f32(RASTER.nearPlane)};`,
    `const LOW_PASS: f32 = ${f32(RASTER.lowPass)};`,
    `const SIGMA_EXTENT: f32 = ${f32(RASTER.sigmaExtent)};`,
    `const ALPHA_MIN: f32 = ${f32(RASTER.alphaMin)};`,
    `const ALPHA_MAX: f32 = ${f32(RASTER.alphaMax)};`,
    `const T_MIN: f32 = ${f32(RASTER.transmittanceMin)};`,
    `const BACKGROUND: vec3f = vec3f(${bg.map(f32).join(", ")});`,
    `const SSIM_WEIGHT: f32 = ${f32(RASTER.ssimWeight)};`,
    `const SSIM_C1: f32 = ${f32(REFERENCE_CONVENTIONS.ssimC1)};`,
    `const SSIM_C2: f32 = ${f32(REFERENCE_CONVENTIONS.ssimC2)};`,
    `const FRUSTUM_MARGIN: f32 = ${f32(REFERENCE_CONVENTIONS.frustumMargin)};`,
    `const SH_C0: f32 = ${f32(SH_C0)};`,
    "",
  ].join("\n");
}

const cache = new Map<string, string>();

function readShaderFile(name: string): string {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  let text: string;
  try {
    text = readFileSync(`${SHADER_DIR}${name}.wgsl`, "utf8");
  } catch (err) {
    throw new SplatbookError(`missing shader ${name}.wgsl in ${SHADER_DIR}`, { cause: err });
  }
  cache.set(name, text);
  return text;
}

/** Shader source with includes expanded and `${KEY}`-style substitutions applied. */
export function shaderSource(name: string, defines: Record<string, string | number> = {}): string {
  const seen = new Set<string>();
  const expand = (n: string): string =>
    readShaderFile(n).replace(/^\/\/#include (\w+)\s*$/gm, (_m, inc: string) => {
      if (seen.has(inc)) return "";
      seen.add(inc);
      return expand(inc);
    });
  let code = constantsHeader() + expand(name);
  for (const [k, v] of Object.entries(defines)) code = code.replaceAll(`\${${k}}`, String(v));
  // `enable` and global `diagnostic` directives must precede every declaration (and the header).
  const directives: string[] = [];
  code = code.replace(/^(enable|diagnostic)\b[^;]*;\s*$/gm, (line) => {
    directives.push(line.trim());
    return "";
  });
  return directives.length ? `${directives.join("\n")}\n${code}` : code;
}

/** Compute pipelines cached per device, source and entry point. */
const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

/** Creates (or reuses) a compute pipeline with an automatic layout. */
export function computePipeline(
  device: GPUDevice,
  name: string,
  entryPoint = "main",
  defines: Record<string, string | number> = {},
): GPUComputePipeline {
  let perDevice = pipelines.get(device);
  if (!perDevice) pipelines.set(device, (perDevice = new Map()));
  const key = `${name}:${entryPoint}:${JSON.stringify(defines)}`;
  let p = perDevice.get(key);
  if (!p) {
    const module = device.createShaderModule({ code: shaderSource(name, defines), label: name });
    p = device.createComputePipeline({
      layout: "auto",
      compute: { module, entryPoint },
      label: `${name}:${entryPoint}`,
    });
    perDevice.set(key, p);
  }
  return p;
}

/** A resource for a bind group entry: a whole buffer or a slice of one. */
export type Binding = GPUBuffer | { buffer: GPUBuffer; offset?: number; size?: number };

/** Bind group 0 of `pipeline` from resources in binding order (index = binding number). */
export function bindGroup(
  device: GPUDevice,
  pipeline: GPUComputePipeline,
  resources: Binding[],
): GPUBindGroup {
  return device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: resources.map((r, binding) => ({
      binding,
      resource: isWholeBuffer(r) ? { buffer: r } : r,
    })),
  });
}

function isWholeBuffer(r: Binding): r is GPUBuffer {
  return typeof (r as GPUBuffer).mapAsync === "function";
}

/** Records one dispatch into a compute pass. */
export function dispatch(
  pass: GPUComputePassEncoder,
  device: GPUDevice,
  pipeline: GPUComputePipeline,
  resources: Binding[],
  x: number,
  y = 1,
  z = 1,
): void {
  if (x === 0 || y === 0 || z === 0) return;
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup(device, pipeline, resources));
  pass.dispatchWorkgroups(x, y, z);
}
