/**
 * The antimatter15 `.splat` format: 32 bytes per splat, little-endian — f32 x, y, z; f32 linear
 * scales exp(log scale) ×3; RGBA u8 (colour = clamp(0.5 + SH_C0·f_dc, 0, 1)·255, alpha =
 * sigmoid(opacity)·255); rotation u8 ×4 = normalised quaternion·128 + 128 (w first), clamped to
 * 0..255. Splats are sorted by exp(Σ log scales)·sigmoid(opacity), descending (ties keep the
 * input order). Bytes are rounded to nearest (antimatter15's converter truncates; rounding
 * halves the quantisation error and readers decode both the same way).
 */
import {
  SH_C0,
  shCoeffCount,
  type GaussianParams,
  allocateParams,
  sigmoid,
} from "../contracts/gaussians.js";
import { writeFileAtomically } from "../util/atomicFile.js";
import { SplatbookError } from "../util/errors.js";
import { validateParams } from "./params.js";
import { readBytes } from "./ply.js";

/** Bytes per splat. */
export const SPLAT_RECORD_BYTES = 32;

function toByte(value: number): number {
  return Math.min(255, Math.max(0, Math.round(value)));
}

/** The writer's order: indices sorted by exp(scale sum)·sigmoid(opacity), descending, stable. */
export function splatSortOrder(params: GaussianParams<Float32Array | Float64Array>): number[] {
  const key = (i: number) =>
    Math.exp(
      params.logScales[i * 3]! + params.logScales[i * 3 + 1]! + params.logScales[i * 3 + 2]!,
    ) * sigmoid(params.opacityLogits[i]!);
  const keys = Array.from({ length: params.count }, (_, i) => key(i));
  return keys.map((_, i) => i).sort((a, b) => keys[b]! - keys[a]! || a - b);
}

/** Encodes parameters as a .splat byte array (only the SH DC term survives). */
export function encodeSplat(params: GaussianParams<Float32Array | Float64Array>): Uint8Array {
  const out = new Uint8Array(params.count * SPLAT_RECORD_BYTES);
  const view = new DataView(out.buffer);
  const K = shCoeffCount(params.maxShDegree);
  splatSortOrder(params).forEach((i, row) => {
    const base = row * SPLAT_RECORD_BYTES;
    for (let k = 0; k < 3; k++) {
      view.setFloat32(base + k * 4, params.means[i * 3 + k]!, true);
      view.setFloat32(base + 12 + k * 4, Math.exp(params.logScales[i * 3 + k]!), true);
    }
    for (let c = 0; c < 3; c++) {
      const colour = Math.min(1, Math.max(0, 0.5 + SH_C0 * params.sh[i * K * 3 + c]!));
      out[base + 24 + c] = toByte(colour * 255);
    }
    out[base + 27] = toByte(sigmoid(params.opacityLogits[i]!) * 255);
    const q = [0, 1, 2, 3].map((k) => params.quats[i * 4 + k]!);
    const norm = Math.hypot(...q) || 1;
    for (let k = 0; k < 4; k++) out[base + 28 + k] = toByte((q[k]! / norm) * 128 + 128);
  });
  return out;
}

/** Alpha bytes 0 and 255 would give infinite logits; decode them just inside (0, 1). */
const ALPHA_EDGE = 0.25 / 255;

/**
 * Decodes a .splat byte array into degree-0 parameters: log of the stored scales, logit of the
 * alpha, f_dc = (byte/255 − 0.5)/SH_C0, quaternion (byte − 128)/128 (unnormalised).
 */
export function decodeSplat(bytes: Uint8Array, file = "<splat>"): GaussianParams {
  if (bytes.length === 0) throw new SplatbookError(`${file}: empty .splat file`, { file });
  if (bytes.length % SPLAT_RECORD_BYTES !== 0) {
    throw new SplatbookError(
      `${file}: not a .splat file or truncated: ${bytes.length} bytes is not a multiple of ${SPLAT_RECORD_BYTES}`,
      { file },
    );
  }
  const count = bytes.length / SPLAT_RECORD_BYTES;
  const params = allocateParams(count, 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) {
    const base = i * SPLAT_RECORD_BYTES;
    for (let k = 0; k < 3; k++) {
      params.means[i * 3 + k] = view.getFloat32(base + k * 4, true);
      const scale = view.getFloat32(base + 12 + k * 4, true);
      if (!(scale > 0) || !Number.isFinite(scale)) {
        throw new SplatbookError(`${file}: splat ${i} has an invalid scale ${scale}`, { file });
      }
      params.logScales[i * 3 + k] = Math.log(scale);
    }
    for (let c = 0; c < 3; c++) params.sh[i * 3 + c] = (bytes[base + 24 + c]! / 255 - 0.5) / SH_C0;
    const alpha = Math.min(1 - ALPHA_EDGE, Math.max(ALPHA_EDGE, bytes[base + 27]! / 255));
    params.opacityLogits[i] = Math.log(alpha / (1 - alpha));
    for (let k = 0; k < 4; k++) params.quats[i * 4 + k] = (bytes[base + 28 + k]! - 128) / 128;
  }
  validateParams(params, file);
  return params;
}

/** Writes a .splat file atomically. Rejects non-finite values. */
export async function writeSplat(
  path: string,
  params: GaussianParams<Float32Array | Float64Array>,
): Promise<void> {
  validateParams(params, path);
  await writeFileAtomically(path, encodeSplat(params));
}

/** Reads a .splat file; errors name the file and the cause. */
export async function readSplat(path: string): Promise<GaussianParams> {
  return decodeSplat(await readBytes(path), path);
}
