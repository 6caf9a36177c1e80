/**
 * WGSL loading: shaders live in `<package>/shaders/<group>/<kernel>.wgsl`. A library prepends a
 * header its owner supplies (constants shared with TypeScript, so kernels and host code cannot
 * drift apart), expands `//#include <group>/<file>` lines (each file once) and substitutes
 * `${KEY}` defines; pipelines are cached per device.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SplatbookError } from "../util/errors.js";

/** Absolute path of the shaders folder (same depth from src/gpu and lib/gpu). */
export const SHADER_DIR = fileURLToPath(new URL("../../shaders/", import.meta.url));

/** `${KEY}` substitutions of one shader instance. */
export type ShaderDefines = Record<string, string | number>;

/** Shader sources and compute pipelines sharing one constants header. */
export interface ShaderLibrary {
  /** Source of `shaders/<path>.wgsl`: header, includes expanded, defines substituted. */
  source(path: string, defines?: ShaderDefines): string;
  /** Creates (or reuses) a compute pipeline with an automatic layout. */
  pipeline(
    device: GPUDevice,
    path: string,
    entryPoint?: string,
    defines?: ShaderDefines,
  ): GPUComputePipeline;
}

/** A WGSL float literal that reads back as the same float32. */
export function wgslF32(v: number): string {
  const s = Math.fround(v).toPrecision(9);
  return s.includes(".") || s.includes("e") ? s : `${s}.0`;
}

const fileCache = new Map<string, string>();

function readShaderFile(dir: string, path: string): string {
  const file = `${dir}${path}.wgsl`;
  const hit = fileCache.get(file);
  if (hit !== undefined) return hit;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new SplatbookError(`missing shader ${path}.wgsl in ${dir}`, { cause: err });
  }
  fileCache.set(file, text);
  return text;
}

/** Creates a library; `header` is prepended to every shader (after `enable` directives). */
export function createShaderLibrary(opts: { header?: string; dir?: string } = {}): ShaderLibrary {
  const dir = opts.dir ?? SHADER_DIR;
  const header = opts.header ?? "";
  const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

  const source = (path: string, defines: ShaderDefines = {}): string => {
    const seen = new Set<string>([path]);
    const expand = (p: string): string =>
      readShaderFile(dir, p).replace(/^\/\/#include ([\w/]+)\s*$/gm, (_m, inc: string) => {
        if (seen.has(inc)) return "";
        seen.add(inc);
        return expand(inc);
      });
    let code = header + expand(path);
    for (const [k, v] of Object.entries(defines)) code = code.replaceAll(`\${${k}}`, String(v));
    // `enable` and global `diagnostic` directives must precede every declaration (and the header).
    const directives: string[] = [];
    code = code.replace(/^(enable|diagnostic)\b[^;]*;\s*$/gm, (line) => {
      directives.push(line.trim());
      return "";
    });
    return directives.length ? `${directives.join("\n")}\n${code}` : code;
  };

  const pipeline = (
    device: GPUDevice,
    path: string,
    entryPoint = "main",
    defines: ShaderDefines = {},
  ): GPUComputePipeline => {
    let perDevice = pipelines.get(device);
    if (!perDevice) pipelines.set(device, (perDevice = new Map()));
    const key = `${path}:${entryPoint}:${JSON.stringify(defines)}`;
    let p = perDevice.get(key);
    if (!p) {
      const module = device.createShaderModule({ code: source(path, defines), label: path });
      p = device.createComputePipeline({
        layout: "auto",
        compute: { module, entryPoint },
        label: `${path}:${entryPoint}`,
      });
      perDevice.set(key, p);
    }
    return p;
  };
  return { source, pipeline };
}

/** Shaders that need no constants header (sorting, scans, compaction). */
export const GENERIC_SHADERS: ShaderLibrary = createShaderLibrary();

/** A resource for a bind group entry: a whole buffer or a slice of one. */
export type Binding = GPUBuffer | { buffer: GPUBuffer; offset?: number; size?: number };

/**
 * Bind group 0 of `pipeline`: resources by binding number (a list in binding order, or a record
 * when an entry point uses only some of a shader's bindings).
 */
export function bindGroup(
  device: GPUDevice,
  pipeline: GPUComputePipeline,
  resources: readonly Binding[] | Readonly<Record<number, Binding>>,
): GPUBindGroup {
  return device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: Object.entries(resources).map(([binding, r]: [string, Binding]) => ({
      binding: Number(binding),
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
  resources: readonly Binding[] | Readonly<Record<number, Binding>>,
  x: number,
  y = 1,
  z = 1,
): void {
  if (x === 0 || y === 0 || z === 0) return;
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup(device, pipeline, resources));
  pass.dispatchWorkgroups(x, y, z);
}
