import { PARAM_GROUPS, allocateParams, type GaussianParams } from "../contracts/gaussians.js";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomically, writeJsonAtomically } from "../util/atomicFile.js";
import { SplatbookError } from "../util/errors.js";
import type { AdamState, DensifyStats } from "./types.js";

/**
 * Training snapshots: `<out>/training/snapshot.bin` holds everything a resumed run needs
 * (parameters, Adam moments, densification statistics, step, RNG state and the run's history) in
 * one file written atomically, so a kill can never pair a new header with old data.
 * `snapshot.json` beside it is a human-readable copy of the header only.
 *
 * Layout: magic "SBSNAP01" (8 bytes), u32 LE header length, the JSON header, zero padding to a
 * multiple of 4, then float32 arrays in the order listed in `header.arrays`.
 */
export const SNAPSHOT_MAGIC = "SBSNAP01";
export const SNAPSHOT_FILE = "snapshot.bin";
export const SNAPSHOT_HEADER_FILE = "snapshot.json";

/** What the trainer restores besides the tensors. */
export interface SnapshotMeta {
  /** Number of completed optimisation steps. */
  step: number;
  totalSteps: number;
  seed: number;
  rngState: number[];
  elapsedSecs: number;
  /** Hash of the settings that must match for a resume to be meaningful. */
  configKey: string;
  /** Those settings, so a mismatch can be explained (absent in snapshots of older releases). */
  settings?: Record<string, number | string>;
  /**
   * Hashes of the training data the snapshot was trained on (views, poses, intrinsics, image
   * contents, resolution, points): a changed upstream stage invalidates the snapshot.
   */
  dataFingerprint?: Record<string, string>;
  /** Trainer-level history and counters, stored verbatim. */
  extra: Record<string, unknown>;
}

export interface Snapshot {
  meta: SnapshotMeta;
  params: GaussianParams;
  adam: AdamState;
  densifyStats: DensifyStats;
  /** Further trainer state by name (appearance transforms, the 3D filter), stored as `extra.*`. */
  arrays?: Record<string, Float32Array>;
}

interface ArrayEntry {
  name: string;
  length: number;
}

interface Header extends SnapshotMeta {
  format: "splatbook-snapshot";
  version: 1;
  count: number;
  shDegree: number;
  maxShDegree: number;
  adamStep: number;
  arrays: ArrayEntry[];
}

const STATS = ["gradNormSum", "visibleCount", "maxRadius"] as const;

function namedArrays(s: Snapshot): [string, Float32Array][] {
  return [
    ...PARAM_GROUPS.map((g) => [`params.${g}`, s.params[g]] as [string, Float32Array]),
    ...PARAM_GROUPS.map((g) => [`adam.m.${g}`, s.adam.m[g]] as [string, Float32Array]),
    ...PARAM_GROUPS.map((g) => [`adam.v.${g}`, s.adam.v[g]] as [string, Float32Array]),
    ...STATS.map((k) => [`stats.${k}`, s.densifyStats[k]] as [string, Float32Array]),
    ...Object.entries(s.arrays ?? {}).map(([k, a]) => [`extra.${k}`, a] as [string, Float32Array]),
  ];
}

/** Serialises a snapshot to bytes (exposed for tests). */
export function encodeSnapshot(s: Snapshot): Uint8Array {
  const arrays = namedArrays(s);
  const header: Header = {
    format: "splatbook-snapshot",
    version: 1,
    ...s.meta,
    count: s.params.count,
    shDegree: s.params.shDegree,
    maxShDegree: s.params.maxShDegree,
    adamStep: s.adam.step,
    arrays: arrays.map(([name, a]) => ({ name, length: a.length })),
  };
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const headerEnd = 12 + json.length;
  const dataStart = Math.ceil(headerEnd / 4) * 4;
  const total = dataStart + arrays.reduce((n, [, a]) => n + a.byteLength, 0);
  const out = new Uint8Array(total);
  out.set(Buffer.from(SNAPSHOT_MAGIC, "ascii"), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  let off = dataStart;
  for (const [, a] of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), off);
    off += a.byteLength;
  }
  return out;
}

/** Parses snapshot bytes; `file` names the source in errors. */
export function decodeSnapshot(bytes: Uint8Array, file: string): Snapshot {
  const bad = (why: string) =>
    new SplatbookError(`${file}: not a usable snapshot (${why})`, { file });
  if (bytes.length < 12 || Buffer.from(bytes.subarray(0, 8)).toString("ascii") !== SNAPSHOT_MAGIC)
    throw bad("wrong magic");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLen = view.getUint32(8, true);
  if (12 + jsonLen > bytes.length) throw bad("truncated header");
  let header: Header;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(12, 12 + jsonLen)).toString("utf8")) as Header;
  } catch (err) {
    throw bad(`header is not JSON: ${(err as Error).message}`);
  }
  if (header.format !== "splatbook-snapshot" || header.version !== 1)
    throw bad(`unknown format ${header.format} v${header.version}`);
  let off = Math.ceil((12 + jsonLen) / 4) * 4;
  const arrays = new Map<string, Float32Array>();
  for (const { name, length } of header.arrays) {
    if (off + length * 4 > bytes.length) throw bad(`truncated at ${name}`);
    // Copy so the arrays are aligned and independent of the file buffer.
    const a = new Float32Array(length);
    new Uint8Array(a.buffer).set(bytes.subarray(off, off + length * 4));
    arrays.set(name, a);
    off += length * 4;
  }
  const get = (name: string): Float32Array => {
    const a = arrays.get(name);
    if (!a) throw bad(`missing array ${name}`);
    return a;
  };
  const params = allocateParams(0, header.maxShDegree);
  params.count = header.count;
  params.shDegree = header.shDegree;
  const m = {} as AdamState["m"];
  const v = {} as AdamState["v"];
  for (const g of PARAM_GROUPS) {
    params[g] = get(`params.${g}`);
    m[g] = get(`adam.m.${g}`);
    v[g] = get(`adam.v.${g}`);
  }
  const densifyStats = {} as DensifyStats;
  for (const k of STATS) densifyStats[k] = get(`stats.${k}`);
  const extra = Object.fromEntries(
    [...arrays].filter(([k]) => k.startsWith("extra.")).map(([k, a]) => [k.slice(6), a]),
  );
  if (params.means.length !== header.count * 3) throw bad("array sizes disagree with count");
  const meta: SnapshotMeta = {
    step: header.step,
    totalSteps: header.totalSteps,
    seed: header.seed,
    rngState: header.rngState,
    elapsedSecs: header.elapsedSecs,
    configKey: header.configKey,
    settings: header.settings,
    dataFingerprint: header.dataFingerprint,
    extra: header.extra ?? {},
  };
  return { meta, params, adam: { step: header.adamStep, m, v }, densifyStats, arrays: extra };
}

/** Writes `<dir>/snapshot.bin` atomically, then the readable header copy. */
export async function writeSnapshot(dir: string, s: Snapshot): Promise<string> {
  const path = join(dir, SNAPSHOT_FILE);
  await writeFileAtomically(path, encodeSnapshot(s));
  await writeJsonAtomically(join(dir, SNAPSHOT_HEADER_FILE), {
    step: s.meta.step,
    total_steps: s.meta.totalSteps,
    splat_count: s.params.count,
    sh_degree: s.params.shDegree,
    seed: s.meta.seed,
    elapsed_secs: s.meta.elapsedSecs,
    written_at: new Date().toISOString(),
  });
  return path;
}

/** Reads `<dir>/snapshot.bin`, or returns null when there is none. */
export async function readSnapshot(dir: string): Promise<Snapshot | null> {
  const path = join(dir, SNAPSHOT_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new SplatbookError(`${path}: cannot read (${(err as Error).message})`, { file: path });
  }
  return decodeSnapshot(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}
