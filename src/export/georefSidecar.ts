/**
 * The georeference beside an exported model: `georef.json` (src/contracts/georef.ts), the record
 * ColmapReconstruction made with the projected CRS the export names (`--crs`, else the UTM zone of
 * the origin) and the origin's place on that CRS's grid. A PLY names it in its header comments;
 * SPLAT and SPZ files have no header, so the sidecar simply lies beside them.
 */
import { existsSync } from "node:fs";
import { copyFile, readFile, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { GEOREF_FILENAME, GeorefSchema, type Georef } from "../contracts/georef.js";
import { readJsonFile, writeJsonAtomically } from "../util/atomicFile.js";
import { gridPosition, projectedCrs } from "../util/projection.js";
import { plyComments } from "./ply.js";

/** The comment prefix naming the sidecar in a PLY header. */
export const GEOREF_COMMENT = "georef:";

/**
 * The record an export writes: `georef` with `epsg` set to `crs` when given, and the origin's grid
 * position in it. Without GPS (no origin) the record is kept as it is, with no CRS.
 */
export async function exportRecord(georef: Georef, crs?: string | null): Promise<Georef> {
  if (!georef.origin) return { ...georef, epsg: null, projected: null };
  const target = await projectedCrs(crs ?? georef.epsg ?? "");
  const o = georef.origin;
  const grid = gridPosition(target, { latitude: o.lat, longitude: o.lon, altitude: o.height });
  return { ...georef, epsg: target.epsg, crs_name: target.name, projected: { ...grid } };
}

/** One-line PLY header comments naming the sidecar and the frame. */
export function georefComments(record: Georef, sidecar: string): string[] {
  const frame =
    record.frame === "ENU" && record.origin
      ? `frame: ENU metres (x east, y north, z up) from ${record.origin.lat}, ${record.origin.lon}, ` +
        `${record.origin.height} m (${record.origin.height_ref})${record.epsg ? `; map: ${record.epsg}` : ""}`
      : "frame: z up (gravity from the cameras), x and y arbitrary, scale unknown (no GPS)";
  return [`${GEOREF_COMMENT} ${sidecar}`, frame];
}

/** Writes the sidecar into `folder` (atomically); returns its path. */
export async function writeGeorefSidecar(folder: string, record: Georef): Promise<string> {
  const path = join(resolve(folder), GEOREF_FILENAME);
  await writeJsonAtomically(path, GeorefSchema.parse(record));
  return path;
}

/** Removes a sidecar left by an earlier export (the model now has no georeference). */
export async function removeGeorefSidecar(folder: string): Promise<void> {
  await rm(join(resolve(folder), GEOREF_FILENAME), { force: true });
}

/**
 * The sidecar of a model file: the one its PLY header names, else `georef.json` beside it; null
 * when there is none.
 */
export async function findGeorefSidecar(model: string): Promise<string | null> {
  const bytes = new Uint8Array(await readFile(model));
  const named = plyComments(bytes)
    .find((c) => c.startsWith(GEOREF_COMMENT))
    ?.slice(GEOREF_COMMENT.length)
    .trim();
  const candidate = join(dirname(model), named || GEOREF_FILENAME);
  return existsSync(candidate) ? candidate : null;
}

/** Reads and checks a sidecar. */
export function readGeorefSidecar(path: string): Promise<Georef> {
  return readJsonFile(path, GeorefSchema);
}

/**
 * Puts the sidecar of `input` beside `output` for a conversion: nothing to do in the same folder;
 * elsewhere a copy named `georef.json`, or `<output name>.georef.json` when another model's
 * sidecar already has that name. Returns the sidecar's file name beside the output, or null.
 */
export async function carryGeorefSidecar(input: string, output: string): Promise<string | null> {
  const found = await findGeorefSidecar(input);
  if (!found) return null;
  if (resolve(dirname(found)) === resolve(dirname(output))) return basename(found);
  const plain = join(dirname(output), GEOREF_FILENAME);
  const same =
    existsSync(plain) && (await readFile(plain, "utf8")) === (await readFile(found, "utf8"));
  const target =
    existsSync(plain) && !same ? `${output.replace(/\.[^./]+$/, "")}.${GEOREF_FILENAME}` : plain;
  await copyFile(found, target);
  return basename(target);
}
