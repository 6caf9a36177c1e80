/**
 * Projected coordinate reference systems by EPSG code: the definition from the EPSG registry's
 * index (epsg-index, one small JSON file per code) and projection with proj4. Used to say where a
 * georeferenced model's origin lies on a map and how its east-north axes sit on the map's grid.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import proj4 from "proj4";
import { SplatbookError } from "./errors.js";
import { enuToGeodetic, type GeoPoint } from "./geodesy.js";

/** A projected CRS. */
export interface ProjectedCrs {
  /** "EPSG:<code>". */
  epsg: string;
  name: string;
  /** proj4 definition. */
  proj4: string;
}

/** Where a point lies on a projected grid, and how true north and metres look there. */
export interface GridPosition {
  /** Easting and northing in the CRS's unit (metres). */
  x: number;
  y: number;
  /** Angle from grid north to true north, degrees, clockwise positive. */
  convergence_deg: number;
  /** Grid distance per metre at the point's height (point scale × elevation factor R/(R+h)). */
  scale_factor: number;
}

const require = createRequire(import.meta.url);

/** The folder of per-code definitions inside the epsg-index package. */
function definitionsFolder(): string {
  return join(dirname(require.resolve("epsg-index/package.json")), "s");
}

/**
 * The projected CRS of an EPSG code ("EPSG:32632"); a clear error when the code is unknown, not a
 * projected CRS, or not in metres.
 */
export async function projectedCrs(epsg: string): Promise<ProjectedCrs> {
  const m = /^EPSG:(\d{4,6})$/i.exec(epsg.trim());
  if (!m) throw new SplatbookError(`--crs ${epsg}: expected "EPSG:<code>", e.g. EPSG:32632`);
  const code = m[1]!;
  let def: { kind?: string; name?: string; proj4?: string; unit?: string };
  try {
    def = JSON.parse(await readFile(join(definitionsFolder(), `${code}.json`), "utf8"));
  } catch {
    throw new SplatbookError(`--crs EPSG:${code}: not a code of the EPSG registry`);
  }
  if (def.kind !== "CRS-PROJCRS" || !def.proj4) {
    throw new SplatbookError(
      `--crs EPSG:${code} (${def.name ?? "?"}) is not a projected CRS (${def.kind ?? "unknown kind"})`,
    );
  }
  if (def.unit !== "metre") {
    throw new SplatbookError(
      `--crs EPSG:${code} (${def.name}) measures in ${def.unit ?? "an unknown unit"}, not metres`,
    );
  }
  return { epsg: `EPSG:${code}`, name: def.name ?? `EPSG:${code}`, proj4: def.proj4 };
}

/**
 * The grid position of `origin` in `crs`, with the grid convergence and scale factor there (from
 * projecting the point 100 m north of it at its height, so the scale includes the elevation).
 */
export function gridPosition(crs: ProjectedCrs, origin: GeoPoint): GridPosition {
  const convert = proj4("EPSG:4326", crs.proj4);
  const [x, y] = convert.forward([origin.longitude, origin.latitude]) as [number, number];
  const north = enuToGeodetic(origin, [0, 100, 0]);
  const [xn, yn] = convert.forward([north.longitude, north.latitude]) as [number, number];
  if (![x, y, xn, yn].every(Number.isFinite)) {
    throw new SplatbookError(
      `${crs.epsg} (${crs.name}): the origin ${origin.latitude}, ${origin.longitude} lies outside its area`,
    );
  }
  return {
    x,
    y,
    convergence_deg: (Math.atan2(xn - x, yn - y) * 180) / Math.PI,
    scale_factor: Math.hypot(xn - x, yn - y) / 100,
  };
}
