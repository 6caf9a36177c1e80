/**
 * Niantic's SPZ (gzip-compressed, versions 2 and 3). Layout after gunzip: a 16-byte little-endian
 * header (magic 0x5053474e "NGSP", version, count, SH degree, fractional bits, flags, reserved),
 * then per attribute for all splats: positions (24-bit fixed point, 12 fractional bits), alphas
 * (u8 sigmoid), colours (u8, f_dc·0.15·255 + 127.5), scales (u8, (log s + 10)·16), rotations
 * (v2: x, y, z bytes of the normalised quaternion with w ≥ 0; v3: "smallest three" in 32 bits),
 * SH rest coefficients (u8, x·128 + 128, in buckets of 8 for degree 1 and 16 above, channel
 * inner). SPZ stores right-up-back coordinates; our PLY convention is OpenCV right-down-forward,
 * so positions, quaternions and odd SH functions are flipped across y and z on the way in and out.
 */
import {
  shCoeffCount,
  type GaussianParams,
  allocateParams,
  sigmoid,
} from "../contracts/gaussians.js";
import { gunzipSync, gzipSync } from "node:zlib";
import { writeFileAtomically } from "../util/atomicFile.js";
import { SplatbookError } from "../util/errors.js";
import { validateParams } from "./params.js";
import { readBytes } from "./ply.js";

const MAGIC = 0x5053474e;
const HEADER_BYTES = 16;
const FRACTIONAL_BITS = 12;
const COLOR_SCALE = 0.15;
/** Header flag: the splats were trained antialiased (mip). */
const FLAG_ANTIALIASED = 1;
const SQRT1_2 = Math.SQRT1_2;
/** Sign of each SH basis function k = 1..15 under (x, y, z) → (x, −y, −z). */
const SH_FLIP = [-1, -1, 1, -1, 1, 1, -1, 1, -1, 1, -1, -1, 1, -1, 1];
/** RDF ↔ RUB flips of position / quaternion vector part (x, y, z). */
const AXIS_FLIP = [1, -1, -1];

const toByte = (x: number) => Math.min(255, Math.max(0, Math.round(x)));

function quantizeSh(x: number, bucket: number): number {
  const q = Math.round(x * 128) + 128;
  return Math.min(255, Math.max(0, Math.floor((q + bucket / 2) / bucket) * bucket));
}

/** Quaternion (x, y, z, w), normalised, packed as 2 bits of index + 3 × (sign + 9 bits). */
function packSmallestThree(q: number[]): number {
  let largest = 0;
  for (let i = 1; i < 4; i++) if (Math.abs(q[i]!) > Math.abs(q[largest]!)) largest = i;
  const negate = q[largest]! < 0 ? 1 : 0;
  let comp = largest;
  for (let i = 0; i < 4; i++) {
    if (i === largest) continue;
    const negbit = (q[i]! < 0 ? 1 : 0) ^ negate;
    const mag = Math.floor(511 * (Math.abs(q[i]!) / SQRT1_2) + 0.5);
    comp = ((comp << 10) | (negbit << 9) | mag) >>> 0;
  }
  return comp;
}

function unpackSmallestThree(comp: number): number[] {
  const largest = comp >>> 30;
  const q = [0, 0, 0, 0];
  let sum = 0;
  for (let i = 3; i >= 0; i--) {
    if (i === largest) continue;
    const mag = comp & 511;
    const neg = (comp >>> 9) & 1;
    comp = comp >>> 10;
    q[i] = ((neg ? -1 : 1) * SQRT1_2 * mag) / 511;
    sum += q[i]! * q[i]!;
  }
  q[largest] = Math.sqrt(Math.max(0, 1 - sum));
  return q;
}

/** Encodes parameters as SPZ (version 3 by default, or 2). */
export function encodeSpz(
  params: GaussianParams<Float32Array | Float64Array>,
  version: 2 | 3 = 3,
): Uint8Array {
  const n = params.count;
  const degree = params.maxShDegree;
  const K = shCoeffCount(degree);
  const rotBytes = version >= 3 ? 4 : 3;
  const body = new Uint8Array(HEADER_BYTES + n * (9 + 1 + 3 + 3 + rotBytes + (K - 1) * 3));
  const view = new DataView(body.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, version, true);
  view.setUint32(8, n, true);
  body[12] = degree;
  body[13] = FRACTIONAL_BITS;
  body[14] = params.antialiased ? FLAG_ANTIALIASED : 0;
  let at = HEADER_BYTES;
  const fixedLimit = 2 ** 23;
  for (let i = 0; i < n * 3; i++) {
    const fixed = Math.round(AXIS_FLIP[i % 3]! * params.means[i]! * (1 << FRACTIONAL_BITS));
    if (fixed >= fixedLimit || fixed < -fixedLimit) {
      throw new SplatbookError(
        `SPZ: splat ${Math.floor(i / 3)} lies outside the ±2048 m range SPZ can store`,
      );
    }
    body[at++] = fixed & 0xff;
    body[at++] = (fixed >> 8) & 0xff;
    body[at++] = (fixed >> 16) & 0xff;
  }
  for (let i = 0; i < n; i++) body[at++] = toByte(sigmoid(params.opacityLogits[i]!) * 255);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++)
      body[at++] = toByte(params.sh[i * K * 3 + c]! * COLOR_SCALE * 255 + 127.5);
  }
  for (let i = 0; i < n * 3; i++) body[at++] = toByte((params.logScales[i]! + 10) * 16);
  for (let i = 0; i < n; i++) {
    const [w, x, y, z] = [0, 1, 2, 3].map((k) => params.quats[i * 4 + k]!) as [
      number,
      number,
      number,
      number,
    ];
    const norm = Math.hypot(w, x, y, z) || 1;
    const q = [x * AXIS_FLIP[0]!, y * AXIS_FLIP[1]!, z * AXIS_FLIP[2]!, w].map((v) => v / norm);
    if (rotBytes === 4) {
      view.setUint32(at, packSmallestThree(q), true);
      at += 4;
    } else {
      const sign = q[3]! < 0 ? -1 : 1;
      for (let k = 0; k < 3; k++) body[at++] = toByte(sign * q[k]! * 127.5 + 127.5);
    }
  }
  for (let i = 0; i < n; i++) {
    for (let k = 1; k < K; k++) {
      for (let c = 0; c < 3; c++) {
        body[at++] = quantizeSh(SH_FLIP[k - 1]! * params.sh[(i * K + k) * 3 + c]!, k <= 3 ? 8 : 16);
      }
    }
  }
  return new Uint8Array(gzipSync(body));
}

/** Decodes SPZ version 2 or 3 (`file` names it in errors). */
export function decodeSpz(bytes: Uint8Array, file = "<spz>"): GaussianParams {
  const fail = (cause: string) =>
    new SplatbookError(`${file}: not a valid SPZ file (${cause})`, { file });
  let body: Uint8Array;
  try {
    body = new Uint8Array(gunzipSync(bytes));
  } catch (err) {
    throw fail(`gzip: ${(err as Error).message}`);
  }
  if (body.length < HEADER_BYTES) throw fail("header truncated");
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw fail("bad magic");
  const version = view.getUint32(4, true);
  if (version !== 2 && version !== 3) throw fail(`version ${version} is not supported (2 or 3)`);
  const n = view.getUint32(8, true);
  const degree = body[12]!;
  const fractional = body[13]!;
  if (degree > 3) throw fail(`SH degree ${degree}`);
  if ((body[14]! & 2) !== 0) throw fail("extensions are not supported");
  const K = shCoeffCount(degree);
  const rotBytes = version >= 3 ? 4 : 3;
  const needed = HEADER_BYTES + n * (9 + 1 + 3 + 3 + rotBytes + (K - 1) * 3);
  if (body.length < needed)
    throw fail(`truncated: ${n} splats need ${needed} bytes, found ${body.length}`);
  const params = allocateParams(n, degree);
  if (body[14]! & FLAG_ANTIALIASED) params.antialiased = true;
  let at = HEADER_BYTES;
  for (let i = 0; i < n * 3; i++) {
    let fixed = body[at]! | (body[at + 1]! << 8) | (body[at + 2]! << 16);
    if (fixed & 0x800000) fixed -= 0x1000000;
    at += 3;
    params.means[i] = (AXIS_FLIP[i % 3]! * fixed) / (1 << fractional);
  }
  const edge = 0.25 / 255;
  for (let i = 0; i < n; i++) {
    const a = Math.min(1 - edge, Math.max(edge, body[at++]! / 255));
    params.opacityLogits[i] = Math.log(a / (1 - a));
  }
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) params.sh[i * K * 3 + c] = (body[at++]! / 255 - 0.5) / COLOR_SCALE;
  }
  for (let i = 0; i < n * 3; i++) params.logScales[i] = body[at++]! / 16 - 10;
  for (let i = 0; i < n; i++) {
    let q: number[];
    if (rotBytes === 4) {
      q = unpackSmallestThree(view.getUint32(at, true));
      at += 4;
    } else {
      const xyz = [0, 1, 2].map((k) => body[at + k]! / 127.5 - 1);
      at += 3;
      q = [...xyz, Math.sqrt(Math.max(0, 1 - xyz.reduce((s, v) => s + v * v, 0)))];
    }
    params.quats.set(
      [q[3]!, q[0]! * AXIS_FLIP[0]!, q[1]! * AXIS_FLIP[1]!, q[2]! * AXIS_FLIP[2]!],
      i * 4,
    );
  }
  for (let i = 0; i < n; i++) {
    for (let k = 1; k < K; k++) {
      for (let c = 0; c < 3; c++)
        params.sh[(i * K + k) * 3 + c] = (SH_FLIP[k - 1]! * (body[at++]! - 128)) / 128;
    }
  }
  validateParams(params, file);
  return params;
}

/** Writes an SPZ file atomically. */
export async function writeSpz(
  path: string,
  params: GaussianParams<Float32Array | Float64Array>,
  version: 2 | 3 = 3,
): Promise<void> {
  validateParams(params, path);
  let bytes: Uint8Array;
  try {
    bytes = encodeSpz(params, version);
  } catch (err) {
    if (err instanceof SplatbookError)
      throw new SplatbookError(`${path}: ${err.message}`, { file: path });
    throw err;
  }
  await writeFileAtomically(path, bytes);
}

/** Reads an SPZ file (version 2 or 3). */
export async function readSpz(path: string): Promise<GaussianParams> {
  return decodeSpz(await readBytes(path), path);
}
