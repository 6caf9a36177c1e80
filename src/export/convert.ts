/** Format-agnostic reading and conversion between PLY, SPLAT and SPZ (the `export` command). */
import type { GaussianParams } from "../contracts/gaussians.js";
import { stat } from "node:fs/promises";
import { dirname, extname, join, resolve } from "node:path";
import { SplatbookError } from "../util/errors.js";
import { carryGeorefSidecar, georefComments, readGeorefSidecar } from "./georefSidecar.js";
import { decodePly, readBytes, writePly } from "./ply.js";
import { decodeSplat, writeSplat } from "./splat.js";
import { decodeSpz, writeSpz } from "./spz.js";

export const MODEL_FORMATS = ["ply", "splat", "spz"] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];

/** Guesses the format from the content (PLY magic, gzip magic) and then the extension. */
export function sniffFormat(bytes: Uint8Array, path: string): ModelFormat {
  if (bytes[0] === 0x70 && bytes[1] === 0x6c && bytes[2] === 0x79) return "ply"; // "ply"
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return "spz"; // gzip
  const ext = extname(path).slice(1).toLowerCase();
  if (ext === "splat") return "splat";
  throw new SplatbookError(`${path}: not a PLY, SPLAT or SPZ model (unrecognised content)`, {
    file: path,
  });
}

/** Reads a model in any supported format. */
export async function readModel(
  path: string,
): Promise<{ params: GaussianParams; format: ModelFormat }> {
  const bytes = await readBytes(path);
  const format = sniffFormat(bytes, path);
  const params =
    format === "ply"
      ? decodePly(bytes, path)
      : format === "spz"
        ? decodeSpz(bytes, path)
        : decodeSplat(bytes, path);
  return { params, format };
}

/** Writes a model in `format`, atomically. */
export async function writeModel(
  path: string,
  params: GaussianParams<Float32Array | Float64Array>,
  format: ModelFormat,
): Promise<void> {
  if (format === "ply") await writePly(path, params);
  else if (format === "splat") await writeSplat(path, params);
  else await writeSpz(path, params);
}

/** A model file, or a job output folder holding `model.ply`. */
async function resolveModelPath(model: string): Promise<string> {
  const path = resolve(model);
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new SplatbookError(`${path}: no such model file or output folder`, { file: path });
  }
  if (!info.isDirectory()) return path;
  const inFolder = join(path, "model.ply");
  try {
    await stat(inFolder);
  } catch {
    throw new SplatbookError(`${path}: the folder has no model.ply (has PlyExport run?)`, {
      file: path,
    });
  }
  return inFolder;
}

/** Converts `model` (file or output folder) to `format`; default output: same name, new extension. */
export async function convertModel(options: {
  model: string;
  format: ModelFormat;
  output?: string;
}): Promise<{
  input: string;
  output: string;
  count: number;
  shDegree: number;
  /** The georef.json beside the output (file name), or null. */
  georef: string | null;
}> {
  if (!MODEL_FORMATS.includes(options.format)) {
    throw new SplatbookError(
      `unknown format "${options.format}"; expected ${MODEL_FORMATS.join(", ")}`,
    );
  }
  const input = await resolveModelPath(options.model);
  const { params } = await readModel(input);
  const stem = input.slice(0, input.length - extname(input).length);
  const output = resolve(options.output ?? `${stem}.${options.format}`);
  // The georeference travels with the model: the sidecar beside the output, named in a PLY.
  const sidecar = await carryGeorefSidecar(input, output);
  const comments =
    sidecar && options.format === "ply"
      ? georefComments(await readGeorefSidecar(join(dirname(output), sidecar)), sidecar)
      : [];
  if (options.format === "ply") await writePly(output, params, comments);
  else await writeModel(output, params, options.format);
  return { input, output, count: params.count, shDegree: params.maxShDegree, georef: sidecar };
}
