/**
 * WebGPU device acquisition on Dawn (`webgpu` npm): adapter choice (hardware, then Mesa lavapipe,
 * then SwiftShader), limits and optional features, and turning uncaptured errors / device loss
 * into SplatbookErrors.
 *
 * SwiftShader is a Vulkan ICD shipped with Chromium; the Vulkan loader only reads its ICD list
 * when Dawn creates its instance, so we add the SwiftShader ICD through `VK_ADD_DRIVER_FILES`
 * before the first `create()` (unless the user already set VK_ICD_FILENAMES/VK_ADD_DRIVER_FILES).
 * Dawn then lists every Vulkan adapter and `create(["adapter=<name>"])` picks one by name.
 */
import { existsSync } from "node:fs";
import { create, globals } from "webgpu";
import type { Logger } from "../contracts/logger.js";
import { SplatbookError } from "../util/errors.js";
import { withNativeStderrCaptured } from "./nativeStderr.js";

/** Where Chromium's SwiftShader Vulkan ICD lives on Debian. */
export const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

/** Adapter kinds, in the order they are preferred. */
export type AdapterKind = "hardware" | "lavapipe" | "swiftshader";

/** A ready device and what was chosen. */
export interface GpuContext {
  device: GPUDevice;
  kind: AdapterKind;
  /** Human-readable adapter description for logs and status. */
  description: string;
  /** Optional features that were granted. */
  hasTimestamps: boolean;
  hasSubgroups: boolean;
  /** Subgroup size bounds reported by the adapter (0 when unknown). */
  subgroupMinSize: number;
  subgroupMaxSize: number;
  limits: GPUSupportedLimits;
  /** Throws the first uncaptured error or the device loss as a SplatbookError, if any. */
  checkHealthy(): void;
  destroy(): void;
}

/**
 * The subgroup width when the adapter runs a subgroup as one SIMD vector of a fixed width — a CPU
 * adapter (lavapipe, SwiftShader), where a workgroup barrier or atomic costs far more than
 * arithmetic and kernels written for one subgroup win; null elsewhere. 256 must be a multiple of
 * it.
 */
export function simdSubgroupWidth(ctx: GpuContext): number | null {
  return ctx.kind !== "hardware" ? fixedSubgroupWidth(ctx) : null;
}

/** The subgroup width if the adapter has subgroups of one fixed size dividing 256, else null. */
export function fixedSubgroupWidth(ctx: GpuContext): number | null {
  const w = ctx.subgroupMinSize;
  return ctx.hasSubgroups && w > 0 && w === ctx.subgroupMaxSize && 256 % w === 0 ? w : null;
}

/** Options for {@link acquireGpu}. */
export interface AcquireOptions {
  /** Force an adapter kind; defaults to `SPLATBOOK_ADAPTER` or automatic. */
  adapter?: AdapterKind;
  log?: Logger;
}

let globalsInstalled = false;
/**
 * Dawn instances are never released: letting the garbage collector destroy one while another is
 * in use crashes Dawn (std::system_error in a thread join), so every instance stays referenced.
 */
const liveInstances: GPU[] = [];

function prepareEnvironment(): void {
  process.env.XDG_RUNTIME_DIR ??= "/tmp";
  if (
    !process.env.VK_ICD_FILENAMES &&
    !process.env.VK_DRIVER_FILES &&
    !process.env.VK_ADD_DRIVER_FILES &&
    existsSync(SWIFTSHADER_ICD)
  ) {
    process.env.VK_ADD_DRIVER_FILES = SWIFTSHADER_ICD;
  }
  if (!globalsInstalled) {
    Object.assign(globalThis, globals);
    globalsInstalled = true;
  }
}

/** Classifies a Dawn adapter name. */
export function adapterKindOf(name: string): AdapterKind {
  const n = name.toLowerCase();
  if (n.includes("llvmpipe") || n.includes("lavapipe")) return "lavapipe";
  if (n.includes("swiftshader")) return "swiftshader";
  return "hardware";
}

/**
 * Lists Dawn's adapters by name. Dawn has no enumeration API in node, but asking for an adapter
 * name that does not exist makes it print "Available adapters: * backend: 'x', name: 'y'".
 */
export async function listAdapterNames(log?: Logger): Promise<string[]> {
  prepareEnvironment();
  const gpu = create(["adapter=__splatbook_list_adapters__"]);
  liveInstances.push(gpu);
  try {
    await quietly(() => gpu.requestAdapter(), log);
    return [];
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    const names: string[] = [];
    for (const m of text.matchAll(/backend: '([^']*)', name: '([^']*)'/g)) {
      if (m[1] !== "null") names.push(m[2]!);
    }
    return names;
  }
}

/**
 * Runs a Dawn call with its native stderr notices (adapter limit adjustments, printed on every
 * adapter enumeration) sent to the debug log instead of the terminal or notebook.
 */
function quietly<T>(fn: () => Promise<T>, log?: Logger): Promise<T> {
  return withNativeStderrCaptured(fn, (text) => {
    for (const line of text.split("\n")) if (line.trim()) log?.debug(`Dawn: ${line.trim()}`);
  });
}

function parseForced(value: string | undefined): AdapterKind | undefined {
  if (!value) return undefined;
  const v = value.toLowerCase();
  if (v === "hardware" || v === "lavapipe" || v === "swiftshader") return v;
  if (v === "llvmpipe") return "lavapipe";
  throw new SplatbookError(
    `SPLATBOOK_ADAPTER must be "hardware", "lavapipe" or "swiftshader", got "${value}"`,
  );
}

const ORDER: AdapterKind[] = ["hardware", "lavapipe", "swiftshader"];

/**
 * Picks an adapter (hardware → lavapipe → SwiftShader, or the forced kind), requests a device
 * with the adapter's full storage-buffer limits and the optional features we use, and logs the
 * choice.
 */
export async function acquireGpu(opts: AcquireOptions = {}): Promise<GpuContext> {
  prepareEnvironment();
  const forced = opts.adapter ?? parseForced(process.env.SPLATBOOK_ADAPTER);
  const names = await listAdapterNames(opts.log);
  const candidates = names
    .map((name) => ({ name, kind: adapterKindOf(name) }))
    .filter((c) => !forced || c.kind === forced)
    .sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
  if (candidates.length === 0) {
    throw new SplatbookError(
      forced
        ? `no ${forced} WebGPU adapter found (available: ${names.join(", ") || "none"})` +
            (forced === "hardware" ? "; a GPU is seen through its Vulkan driver (ICD)" : "")
        : "no WebGPU adapter found (is Mesa lavapipe installed?)",
    );
  }
  let lastError: unknown;
  for (const c of candidates) {
    try {
      const gpu = create([`adapter=${c.name}`]);
      liveInstances.push(gpu);
      const ctx = await quietly(async () => {
        const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
        return adapter ? openDevice(adapter, c.kind, c.name) : null;
      }, opts.log);
      if (!ctx) continue;
      opts.log?.info(`WebGPU adapter: ${ctx.description}`);
      return ctx;
    } catch (err) {
      lastError = err;
      opts.log?.warn(`WebGPU adapter ${c.name} failed: ${String(err)}`);
    }
  }
  throw new SplatbookError(`could not open a WebGPU device: ${String(lastError)}`, {
    cause: lastError,
  });
}

async function openDevice(adapter: GPUAdapter, kind: AdapterKind, name: string) {
  const a = adapter.limits;
  const wanted = ["timestamp-query", "subgroups"] as const;
  const features = wanted.filter((f) => adapter.features.has(f)) as GPUFeatureName[];
  const device = await adapter.requestDevice({
    requiredFeatures: features,
    requiredLimits: {
      maxStorageBufferBindingSize: a.maxStorageBufferBindingSize,
      maxBufferSize: a.maxBufferSize,
      maxStorageBuffersPerShaderStage: Math.min(a.maxStorageBuffersPerShaderStage, 10),
      maxComputeWorkgroupStorageSize: a.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: Math.min(a.maxComputeInvocationsPerWorkgroup, 256),
      maxComputeWorkgroupSizeX: Math.min(a.maxComputeWorkgroupSizeX, 256),
      maxComputeWorkgroupsPerDimension: a.maxComputeWorkgroupsPerDimension,
    },
  });
  let failure: SplatbookError | null = null;
  device.onuncapturederror = (ev: GPUUncapturedErrorEvent) => {
    failure ??= new SplatbookError(`WebGPU error on ${name}: ${ev.error.message}`);
  };
  let destroyed = false;
  void device.lost.then((info) => {
    if (!destroyed) {
      failure ??= new SplatbookError(`WebGPU device lost on ${name}: ${info.message}`);
    }
  });
  const info = adapter.info as GPUAdapterInfo & {
    subgroupMinSize?: number;
    subgroupMaxSize?: number;
  };
  const ctx: GpuContext = {
    device,
    kind,
    description: `${name} (${kind}${info.description ? `, ${info.description}` : ""})`,
    hasTimestamps: features.includes("timestamp-query"),
    hasSubgroups: features.includes("subgroups"),
    subgroupMinSize: info.subgroupMinSize ?? 0,
    subgroupMaxSize: info.subgroupMaxSize ?? 0,
    limits: device.limits,
    checkHealthy() {
      if (failure) throw failure;
    },
    destroy() {
      destroyed = true;
      device.destroy();
    },
  };
  return ctx;
}
