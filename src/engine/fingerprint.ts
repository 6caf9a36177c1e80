import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted at every level, so equal values always hash the same whatever
 * order their properties were built in. `undefined` members are dropped (as JSON does),
 * bigints become strings, non-finite numbers become null.
 */
export function stableStringify(value: unknown): string {
  return JSON.stringify(normalize(value));
}

function normalize(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value !== "object") return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : normalize(v)));
  if (ArrayBuffer.isView(value))
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined && typeof v !== "function") out[key] = normalize(v);
  }
  return out;
}

/** sha256 hex of the stable JSON of `value`. */
export function hashValue(value: unknown): string {
  return createHash("sha256").update(stableStringify(value)).digest("hex");
}

/** What a stage's fingerprint covers. */
export interface FingerprintParts {
  stage: string;
  /** The stage's own `fingerprintInputs` (parameters, input file identities). */
  inputs: unknown;
  /** Fingerprint of the stage before it (or the job root for the first stage). */
  upstreamFingerprint: string;
  /** Result recorded by the stage before it (null when skipped or first). */
  upstreamResult: unknown;
}

/**
 * A stage's fingerprint: sha256 over its name, its inputs, and the upstream chain (fingerprint
 * and result of the stage before, which in turn cover everything before that).
 */
export function stageFingerprint(parts: FingerprintParts): string {
  return hashValue({
    stage: parts.stage,
    inputs: parts.inputs ?? null,
    upstream: parts.upstreamFingerprint,
    upstream_result: hashValue(parts.upstreamResult ?? null),
  });
}

/** Root of the chain: what identifies the job itself (its input folder). */
export function rootFingerprint(inputFolder: string): string {
  return hashValue({ root: 1, input_folder: inputFolder });
}
