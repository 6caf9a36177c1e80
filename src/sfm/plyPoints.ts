import { readFile } from "node:fs/promises";
import { SplatbookError } from "../util/errors.js";
import { allocatePoints, type ScenePoints } from "./sceneModel.js";

const SCALAR_SIZES: Record<string, number> = {
  char: 1,
  int8: 1,
  uchar: 1,
  uint8: 1,
  short: 2,
  int16: 2,
  ushort: 2,
  uint16: 2,
  int: 4,
  int32: 4,
  uint: 4,
  uint32: 4,
  float: 4,
  float32: 4,
  double: 8,
  float64: 8,
};

interface Property {
  name: string;
  type: string;
}

/**
 * Reads the vertex positions and colours of a point-cloud PLY (ascii or binary, as nerfstudio
 * writes `sparse_pc.ply`). The vertex element must come first; colours default to mid grey.
 */
export async function readPlyPoints(path: string): Promise<ScenePoints> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new SplatbookError(`${path}: cannot read (${code})`, { file: path });
  }
  const fail = (why: string) => new SplatbookError(`${path}: ${why}`, { file: path });
  const headerEnd = bytes.indexOf("end_header");
  if (bytes.subarray(0, 3).toString() !== "ply" || headerEnd < 0) throw fail("not a PLY file");
  const bodyStart = bytes.indexOf(0x0a, headerEnd) + 1;
  const header = bytes.subarray(0, bodyStart).toString("latin1").split(/\r?\n/);
  const format = header.find((l) => l.startsWith("format "))?.split(/\s+/)[1];
  const firstElement = header.find((l) => l.startsWith("element "))?.split(/\s+/);
  if (!firstElement || firstElement[1] !== "vertex")
    throw fail("the first PLY element is not vertex");
  const count = Number(firstElement[2]);
  const props: Property[] = [];
  let inVertex = false;
  for (const l of header) {
    const t = l.trim().split(/\s+/);
    if (t[0] === "element") inVertex = t[1] === "vertex";
    else if (t[0] === "property" && inVertex) {
      if (t[1] === "list") throw fail("list properties on vertices are not supported");
      if (!(t[1]! in SCALAR_SIZES)) throw fail(`unknown PLY type ${t[1]}`);
      props.push({ type: t[1]!, name: t[2]! });
    }
  }
  const col = (n: string) => props.findIndex((p) => p.name === n);
  const [ix, iy, iz] = [col("x"), col("y"), col("z")];
  if (ix < 0 || iy < 0 || iz < 0) throw fail("vertices lack x, y, z");
  const colour = [col("red"), col("green"), col("blue")];
  const rows = readRows(bytes.subarray(bodyStart), format, props, count, fail);
  const pts = allocatePoints(count);
  for (let i = 0; i < count; i++) {
    const r = rows(i);
    pts.ids[i] = i;
    pts.xyz.set([r[ix]!, r[iy]!, r[iz]!], i * 3);
    for (let c = 0; c < 3; c++) {
      const k = colour[c]!;
      const v =
        k < 0
          ? 128
          : props[k]!.type.startsWith("float") || props[k]!.type === "double"
            ? r[k]! * 255
            : r[k]!;
      pts.rgb[i * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return pts;
}

/** Returns a row accessor over the vertex body for ascii or binary little/big endian. */
function readRows(
  body: Buffer,
  format: string | undefined,
  props: Property[],
  count: number,
  fail: (why: string) => Error,
): (i: number) => number[] {
  if (format === "ascii") {
    const lines = body
      .toString("latin1")
      .split(/\r?\n/)
      .filter((l) => l.trim() !== "");
    if (lines.length < count) throw fail(`${count} vertices declared, ${lines.length} found`);
    return (i) => lines[i]!.trim().split(/\s+/).slice(0, props.length).map(Number);
  }
  const little = format === "binary_little_endian";
  if (!little && format !== "binary_big_endian") throw fail(`unknown PLY format ${format}`);
  const stride = props.reduce((s, p) => s + SCALAR_SIZES[p.type]!, 0);
  if (body.length < stride * count) throw fail("truncated vertex data");
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const readers = props.map((p) => scalarReader(view, p.type, little));
  const offsets: number[] = [];
  props.reduce((o, p) => (offsets.push(o), o + SCALAR_SIZES[p.type]!), 0);
  return (i) => readers.map((read, k) => read(i * stride + offsets[k]!));
}

function scalarReader(v: DataView, type: string, le: boolean): (at: number) => number {
  switch (SCALAR_SIZES[type]) {
    case 1:
      return type.startsWith("u") ? (a) => v.getUint8(a) : (a) => v.getInt8(a);
    case 2:
      return type.startsWith("u") ? (a) => v.getUint16(a, le) : (a) => v.getInt16(a, le);
    case 8:
      return (a) => v.getFloat64(a, le);
    default:
      if (type.startsWith("float")) return (a) => v.getFloat32(a, le);
      return type.startsWith("u") ? (a) => v.getUint32(a, le) : (a) => v.getInt32(a, le);
  }
}
