/**
 * ColmapReconstruction's last step: georeference the reconstruction and put the training model
 * (the undistorted one) in the local frame. COLMAP's own model (`colmap/sparse`) stays in COLMAP's
 * frame; the record's transform maps it to the local one.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Georef } from "../../contracts/georef.js";
import type { Logger } from "../../contracts/logger.js";
import type { Manifest } from "../../contracts/manifest.js";
import { InterruptedError } from "../../util/errors.js";
import { readColmapBinary } from "../colmapBinary.js";
import { georeference } from "./georeference.js";
import { imageInfos } from "./imageInfo.js";
import { writeModelInFrame } from "./modelTransform.js";

/** Options of {@link georeferenceStep}. */
export interface GeoreferenceStepOptions {
  manifest: Manifest;
  /** metadata.json (gimbal pitch, GPS sources), when there is one. */
  metadataPath: string | null;
  /** COLMAP's model (COLMAP's frame). */
  sparsePath: string;
  /** The undistorted workspace whose `sparse/` is rewritten in the local frame. */
  undistortedPath: string;
  log: Logger;
  signal?: AbortSignal;
}

async function readMetadata(
  path: string | null,
  log: Logger,
): Promise<Record<string, unknown> | null> {
  if (!path || !existsSync(path)) return null;
  try {
    return JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  } catch (err) {
    log.warn(`${path}: not read for georeferencing (${(err as Error).message})`);
    return null;
  }
}

/** One line per fact worth a log line. */
function logGeoref(g: Georef, log: Logger): void {
  log.info(`Georeference: ${g.summary}`);
  if (g.method === "gps") {
    const s = g.gps_sigma_m!;
    const th = g.threshold_m!;
    log.info(
      `Georeference: GPS accuracy ${s.horizontal.toFixed(2)} m horizontal, ${s.vertical.toFixed(2)} m ` +
        `vertical (${s.source}); inlier threshold ${th.horizontal.toFixed(1)} m / ${th.vertical.toFixed(1)} m; ` +
        `scale ${g.scale!.toPrecision(6)} m per COLMAP unit, max residual ${g.max_m!.toFixed(2)} m`,
    );
    if (g.outliers.length) {
      log.warn(
        `Georeference: GPS rejected as outlier for ${g.outliers.length} image(s): ${g.outliers.join(", ")}`,
      );
    }
  }
  for (const w of g.warnings) log.warn(`Georeference: ${w}`);
}

/** Georeferences the reconstruction, rewrites the training model in the local frame, logs it. */
export async function georeferenceStep(o: GeoreferenceStepOptions): Promise<Georef> {
  const raw = await readColmapBinary(o.sparsePath);
  const metadata = await readMetadata(o.metadataPath, o.log);
  const cams = raw.images.map((i) => ({ name: i.name, viewmat: i.viewmat }));
  const { georef, T } = georeference(cams, imageInfos(o.manifest, metadata));
  if (o.signal?.aborted) throw new InterruptedError("interrupt");
  await writeModelInFrame(o.sparsePath, join(o.undistortedPath, "sparse"), T);
  logGeoref(georef, o.log);
  return georef;
}
