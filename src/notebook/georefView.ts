/**
 * `job.georeference()`'s result and display: the georeference record with a `distance` helper,
 * shown as the cameras top-down in metres (north up), GPS fixes beside the fitted positions,
 * outliers marked, and the residuals. The lab extension draws it with plotly; the bundle's HTML
 * is an inline SVG of the same, readable without it.
 */
import { describeGeoref, type Georef, type GeorefCamera } from "../contracts/georef.js";
import { GEOREF_MIME, type GeorefPayload } from "../contracts/mime.js";
import { MIME_BUNDLE, type MimeBundle } from "../jupyter/runtime.js";
import { SplatbookError } from "../util/errors.js";
import { escapeHtml } from "./bundles.js";

/** A point of the model: local coordinates `[x, y, z]`, or a registered image's name. */
export type ModelPoint = readonly [number, number, number] | string;

/** What `job.georeference()` returns: the record's fields, `distance`, and its display. */
export type GeoreferenceResult = Georef & {
  /**
   * Distance between two points of the model in metres (the model's coordinates are metres when
   * GPS georeferenced it). A point is `[x, y, z]` or an image name (its fitted camera position;
   * a video frame as "<file>#<frame>"). Throws when the scale is unknown (no GPS).
   */
  distance(a: ModelPoint, b: ModelPoint): number;
  /** The fitted position of an image ("<file>" or "<file>#<frame>"). */
  position(image: string): [number, number, number];
  [MIME_BUNDLE](): MimeBundle;
};

/** Euclidean distance of two points; in a georeferenced model's coordinates, metres. */
export function distance(a: readonly number[], b: readonly number[]): number {
  return Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);
}

const cameraLabel = (c: GeorefCamera) =>
  c.frame === undefined ? c.image : `${c.image}#${c.frame}`;

/** The result object for a record. */
export function georeferenceResult(payload: GeorefPayload): GeoreferenceResult {
  const g = payload.georef;
  const byName = new Map(g.cameras.map((c) => [cameraLabel(c), c]));
  const position = (image: string): [number, number, number] => {
    const c = byName.get(image);
    if (!c) {
      throw new SplatbookError(
        `no registered image "${image}" (names are input files, video frames "<file>#<frame>")`,
      );
    }
    return [...c.enu];
  };
  const point = (p: ModelPoint) => (typeof p === "string" ? position(p) : p);
  return {
    ...g,
    position,
    distance(a, b) {
      if (g.scale === null) {
        throw new SplatbookError(
          "no GPS: the model's scale is unknown, so its distances are not metres " +
            "(the model is in COLMAP's units, z gravity up)",
        );
      }
      return distance(point(a), point(b));
    },
    [MIME_BUNDLE]: () => georefBundle(payload),
  };
}

/** Top-down SVG: fitted positions, GPS fixes joined to them, outliers in red; north up. */
function topDownSvg(g: Georef): string {
  const pts = g.cameras.flatMap((c) => [c.enu, ...(c.gps ? [c.gps] : [])]);
  if (pts.length === 0) return "";
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const span = Math.max(x1 - x0, y1 - y0, 1e-9);
  const size = 300;
  const X = (x: number) => (8 + ((x - x0) / span) * (size - 16)).toFixed(1);
  const Y = (y: number) => (size - 8 - ((y - y0) / span) * (size - 16)).toFixed(1);
  const marks = g.cameras.map((c) => {
    const colour = c.outlier ? "#d62728" : "#1f77b4";
    const fix = c.gps
      ? `<line x1="${X(c.enu[0])}" y1="${Y(c.enu[1])}" x2="${X(c.gps[0])}" y2="${Y(c.gps[1])}" stroke="${colour}" stroke-opacity="0.5"/>` +
        `<circle cx="${X(c.gps[0])}" cy="${Y(c.gps[1])}" r="1.8" fill="none" stroke="${colour}"/>`
      : "";
    return `${fix}<circle cx="${X(c.enu[0])}" cy="${Y(c.enu[1])}" r="2.2" fill="${colour}"><title>${escapeHtml(cameraLabel(c))}</title></circle>`;
  });
  const unit = g.scale === null ? "model units" : "m";
  return (
    `<svg width="${size}" height="${size + 16}" style="font:10px sans-serif">` +
    `<rect width="${size}" height="${size}" fill="none" stroke="#ccc"/>${marks.join("")}` +
    `<text x="${size - 4}" y="12" text-anchor="end">N ↑</text>` +
    `<text x="0" y="${size + 12}">${span.toPrecision(3)} ${unit} across; ● fitted, ○ GPS, red: rejected</text></svg>`
  );
}

/** The bundle: the lab extension's MIME type, an SVG with a residual table, and text. */
export function georefBundle(payload: GeorefPayload): MimeBundle {
  const g = payload.georef;
  const lines = describeGeoref(g);
  const worst = g.cameras
    .filter((c) => c.residual_m !== null && c.residual_m !== undefined)
    .sort((a, b) => b.residual_m! - a.residual_m!)
    .slice(0, 8);
  const rows = worst
    .map(
      (c) =>
        `<tr><td>${escapeHtml(cameraLabel(c))}</td><td>${c.residual_m!.toFixed(2)} m</td>` +
        `<td>${c.outlier ? "rejected" : ""}</td></tr>`,
    )
    .join("");
  const html =
    `<div class="splatbook-georef"><pre>${escapeHtml(lines.join("\n"))}</pre>` +
    `<div style="display:flex;gap:12px;align-items:flex-start">${topDownSvg(g)}` +
    (rows ? `<table><tr><th>largest residuals</th><th></th><th></th></tr>${rows}</table>` : "") +
    `</div></div>`;
  return { [GEOREF_MIME]: payload, "text/html": html, "text/plain": lines.join("\n") };
}
