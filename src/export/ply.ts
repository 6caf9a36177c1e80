/**
 * PLY in the INRIA 3DGS layout. Writer: binary_little_endian float32 `x y z nx ny nz f_dc_0..2
 * f_rest_* opacity scale_0..2 rot_0..3`, pre-activation values (opacity logit, log scales,
 * unnormalised quaternion w first), f_rest channel-major (index c·(K−1) + (k−1)), normals zero,
 * 3·((maxShDegree+1)² − 1) f_rest properties. Reader: any INRIA-style PLY — properties found by
 * name in header order, any scalar type, binary (either endianness) or ascii, other elements
 * skipped.
 */
import { shCoeffCount, type GaussianParams, allocateParams } from "../contracts/gaussians.js";
import { readFile } from "node:fs/promises";
import { writeFileAtomically } from "../util/atomicFile.js";
import { SplatbookError } from "../util/errors.js";
import { degreeFromRestCount, validateParams } from "./params.js";

/** Property names of our layout, in file order. */
export function plyPropertyNames(maxShDegree: number): string[] {
  const rest = 3 * (shCoeffCount(maxShDegree) - 1);
  return [
    "x", "y", "z", "nx", "ny", "nz", "f_dc_0", "f_dc_1", "f_dc_2",
    ...Array.from({ length: rest }, (_, i) => `f_rest_${i}`),
    "opacity", "scale_0", "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3",
  ]; // prettier-ignore
}

/** Encodes parameters as an INRIA-layout binary PLY, with `comments` (one line each) in the header. */
export function encodePly(
  params: GaussianParams<Float32Array | Float64Array>,
  comments: readonly string[] = [],
): Uint8Array {
  const names = plyPropertyNames(params.maxShDegree);
  // The render-mode comment other tools read (gsplat, Brush): `mip` = antialiased.
  const mode = params.antialiased ? "comment SplatRenderMode: mip\n" : "";
  const header =
    "ply\nformat binary_little_endian 1.0\n" +
    comments.map((c) => `comment ${c.replace(/[\r\n]+/g, " ")}\n`).join("") +
    mode +
    `element vertex ${params.count}\n` +
    names.map((n) => `property float ${n}\n`).join("") +
    "end_header\n";
  const headerBytes = Buffer.from(header, "ascii");
  const stride = names.length;
  const out = new Uint8Array(headerBytes.length + params.count * stride * 4);
  out.set(headerBytes, 0);
  const view = new DataView(out.buffer, headerBytes.length);
  const K = shCoeffCount(params.maxShDegree);
  const row = new Float64Array(stride);
  for (let i = 0; i < params.count; i++) {
    row.fill(0);
    for (let k = 0; k < 3; k++) row[k] = params.means[i * 3 + k]!;
    for (let c = 0; c < 3; c++) row[6 + c] = params.sh[i * K * 3 + c]!;
    for (let c = 0; c < 3; c++) {
      for (let k = 1; k < K; k++) row[9 + c * (K - 1) + (k - 1)] = params.sh[(i * K + k) * 3 + c]!;
    }
    const o = 9 + 3 * (K - 1);
    row[o] = params.opacityLogits[i]!;
    for (let k = 0; k < 3; k++) row[o + 1 + k] = params.logScales[i * 3 + k]!;
    for (let k = 0; k < 4; k++) row[o + 4 + k] = params.quats[i * 4 + k]!;
    for (let p = 0; p < stride; p++) view.setFloat32((i * stride + p) * 4, row[p]!, true);
  }
  return out;
}

interface PlyProperty {
  name: string;
  type: string;
}
interface PlyElement {
  name: string;
  count: number;
  properties: PlyProperty[];
}

const TYPE_SIZES: Record<string, number> = {
  char: 1, uchar: 1, int8: 1, uint8: 1,
  short: 2, ushort: 2, int16: 2, uint16: 2,
  int: 4, uint: 4, int32: 4, uint32: 4,
  float: 4, float32: 4, double: 8, float64: 8,
}; // prettier-ignore

function readScalar(view: DataView, offset: number, type: string, little: boolean): number {
  switch (type) {
    case "char":
    case "int8": return view.getInt8(offset); // prettier-ignore
    case "uchar":
    case "uint8": return view.getUint8(offset); // prettier-ignore
    case "short":
    case "int16": return view.getInt16(offset, little); // prettier-ignore
    case "ushort":
    case "uint16": return view.getUint16(offset, little); // prettier-ignore
    case "int":
    case "int32": return view.getInt32(offset, little); // prettier-ignore
    case "uint":
    case "uint32": return view.getUint32(offset, little); // prettier-ignore
    case "float":
    case "float32": return view.getFloat32(offset, little); // prettier-ignore
    default:
      return view.getFloat64(offset, little);
  }
}

/** Parses the header; returns the elements, format and byte offset of the body. */
function parseHeader(bytes: Uint8Array, file: string) {
  const fail = (cause: string) =>
    new SplatbookError(`${file}: not a valid PLY (${cause})`, { file });
  const marker = Buffer.from("end_header", "ascii");
  const end = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 1 << 20)).indexOf(
    marker,
  );
  const magic = Buffer.from(bytes.subarray(0, 3)).toString("ascii");
  if (magic !== "ply" || (bytes[3] !== 0x0a && bytes[3] !== 0x0d)) {
    throw fail("missing 'ply' magic line");
  }
  if (end < 0) throw fail("no end_header (truncated header?)");
  let bodyStart = end + marker.length;
  if (bytes[bodyStart] === 0x0d) bodyStart++;
  if (bytes[bodyStart] !== 0x0a) throw fail("end_header not followed by a newline");
  bodyStart++;
  const lines = Buffer.from(bytes.subarray(0, end)).toString("ascii").split(/\r?\n/);
  let format = "";
  let renderMode: string | null = null;
  const elements: PlyElement[] = [];
  for (const raw of lines.slice(1)) {
    const parts = raw.trim().split(/\s+/);
    if (parts[0] === "format") format = parts[1] ?? "";
    else if (parts[0] === "comment" && parts[1] === "SplatRenderMode:") renderMode = parts[2] ?? "";
    else if (parts[0] === "element") {
      const count = Number(parts[2]);
      if (!Number.isInteger(count) || count < 0) throw fail(`bad element line "${raw.trim()}"`);
      elements.push({ name: parts[1] ?? "", count, properties: [] });
    } else if (parts[0] === "property") {
      const el = elements.at(-1);
      if (!el) throw fail("property before any element");
      if (parts[1] === "list") throw fail(`list property "${parts.at(-1)}" is not supported`);
      const type = parts[1] ?? "";
      if (!(type in TYPE_SIZES)) throw fail(`unknown property type "${type}"`);
      el.properties.push({ name: parts[2] ?? "", type });
    }
  }
  if (!["ascii", "binary_little_endian", "binary_big_endian"].includes(format)) {
    throw fail(`unsupported format "${format}"`);
  }
  return { format, elements, bodyStart, renderMode };
}

/** Reads every property of the `vertex` element into columns keyed by name. */
function readVertexColumns(
  bytes: Uint8Array,
  file: string,
): { count: number; columns: Map<string, Float64Array>; renderMode: string | null } {
  const { format, elements, bodyStart, renderMode } = parseHeader(bytes, file);
  const vertexIndex = elements.findIndex((e) => e.name === "vertex");
  if (vertexIndex < 0) throw new SplatbookError(`${file}: PLY has no vertex element`, { file });
  const vertex = elements[vertexIndex]!;
  const columns = new Map(vertex.properties.map((p) => [p.name, new Float64Array(vertex.count)]));
  const cols = vertex.properties.map((p) => columns.get(p.name)!);
  if (format === "ascii") {
    const text = Buffer.from(bytes.subarray(bodyStart)).toString("ascii");
    const rows = text.split(/\r?\n/).filter((l) => l.trim() !== "");
    const skip = elements.slice(0, vertexIndex).reduce((s, e) => s + e.count, 0);
    if (rows.length < skip + vertex.count) {
      throw new SplatbookError(
        `${file}: truncated PLY: ${vertex.count} vertices declared, ${Math.max(0, rows.length - skip)} present`,
        { file },
      );
    }
    for (let i = 0; i < vertex.count; i++) {
      const values = rows[skip + i]!.trim().split(/\s+/).map(Number);
      if (values.length < cols.length) {
        throw new SplatbookError(
          `${file}: vertex ${i} has ${values.length} values, expected ${cols.length}`,
          { file },
        );
      }
      cols.forEach((col, p) => (col[i] = values[p]!));
    }
    return { count: vertex.count, columns, renderMode };
  }
  const little = format === "binary_little_endian";
  const strideOf = (e: PlyElement) => e.properties.reduce((s, p) => s + TYPE_SIZES[p.type]!, 0);
  const offset =
    bodyStart + elements.slice(0, vertexIndex).reduce((s, e) => s + e.count * strideOf(e), 0);
  const stride = strideOf(vertex);
  const needed = offset + vertex.count * stride;
  if (bytes.length < needed) {
    throw new SplatbookError(
      `${file}: truncated PLY: ${vertex.count} vertices need ${needed} bytes, the file has ${bytes.length}`,
      { file },
    );
  }
  if (
    little &&
    vertex.properties.every((p) => TYPE_SIZES[p.type] === 4 && p.type.startsWith("float"))
  ) {
    // Fast path (our own files and most trainers'): one aligned copy, then strided reads.
    const floats = new Float32Array(bytes.slice(offset, needed).buffer);
    const width = vertex.properties.length;
    cols.forEach((col, k) => {
      for (let i = 0; i < vertex.count; i++) col[i] = floats[i * width + k]!;
    });
    return { count: vertex.count, columns, renderMode };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const offsets: number[] = [];
  let at = 0;
  for (const p of vertex.properties) {
    offsets.push(at);
    at += TYPE_SIZES[p.type]!;
  }
  for (let i = 0; i < vertex.count; i++) {
    const base = offset + i * stride;
    vertex.properties.forEach(
      (p, k) => (cols[k]![i] = readScalar(view, base + offsets[k]!, p.type, little)),
    );
  }
  return { count: vertex.count, columns, renderMode };
}

/** Decodes an INRIA-style PLY (`file` names it in errors). */
export function decodePly(bytes: Uint8Array, file = "<ply>"): GaussianParams {
  const { count, columns, renderMode } = readVertexColumns(bytes, file);
  const required = ["x", "y", "z", "f_dc_0", "f_dc_1", "f_dc_2", "opacity", "scale_0", "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3"]; // prettier-ignore
  const missing = required.filter((n) => !columns.has(n));
  if (missing.length > 0) {
    const hint = columns.has("packed_position") ? " (a compressed PLY; convert it first)" : "";
    throw new SplatbookError(
      `${file}: not a Gaussian-splat PLY: missing ${missing.join(", ")}${hint}`,
      { file },
    );
  }
  let rest = 0;
  while (columns.has(`f_rest_${rest}`)) rest++;
  const degree = rest % 3 === 0 ? degreeFromRestCount(rest / 3) : null;
  if (degree === null) {
    throw new SplatbookError(
      `${file}: ${rest} f_rest properties do not match an SH degree 0–3 (expected 0, 9, 24 or 45)`,
      { file },
    );
  }
  const params = allocateParams(count, degree);
  const K = shCoeffCount(degree);
  const col = (name: string) => columns.get(name)!;
  // Scatter whole columns into the interleaved arrays (name lookups once per property).
  const scatter = (source: Float64Array, target: Float32Array, width: number, slot: number) => {
    for (let i = 0; i < count; i++) target[i * width + slot] = source[i]!;
  };
  ["x", "y", "z"].forEach((n, k) => scatter(col(n), params.means, 3, k));
  for (let k = 0; k < 3; k++) scatter(col(`scale_${k}`), params.logScales, 3, k);
  for (let k = 0; k < 4; k++) scatter(col(`rot_${k}`), params.quats, 4, k);
  scatter(col("opacity"), params.opacityLogits, 1, 0);
  for (let c = 0; c < 3; c++) {
    scatter(col(`f_dc_${c}`), params.sh, K * 3, c);
    for (let k = 1; k < K; k++)
      scatter(col(`f_rest_${c * (K - 1) + (k - 1)}`), params.sh, K * 3, k * 3 + c);
  }
  if (renderMode === "mip") params.antialiased = true;
  return params;
}

/**
 * Writes `params` as an INRIA-layout PLY, atomically, with header `comments`. Rejects non-finite
 * values.
 */
export async function writePly(
  path: string,
  params: GaussianParams<Float32Array | Float64Array>,
  comments: readonly string[] = [],
): Promise<void> {
  validateParams(params, path);
  await writeFileAtomically(path, encodePly(params, comments));
}

/** The `comment` lines of a PLY header (empty for anything that is not a PLY). */
export function plyComments(bytes: Uint8Array): string[] {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 1 << 16));
  const end = head.indexOf("end_header");
  if (head.subarray(0, 3).toString("ascii") !== "ply" || end < 0) return [];
  return head
    .subarray(0, end)
    .toString("latin1")
    .split(/\r?\n/)
    .filter((l) => l.startsWith("comment "))
    .map((l) => l.slice("comment ".length));
}

/** Reads a Gaussian-splat PLY; errors name the file and the cause. */
export async function readPly(path: string): Promise<GaussianParams> {
  return decodePly(await readBytes(path), path);
}

/** Reads a whole file, turning I/O errors into SplatbookErrors. */
export async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SplatbookError(`${path}: cannot read (${code ?? String(err)})`, { file: path });
  }
}
