/**
 * Validation's side of the precalibrated-input rule (src/contracts/precalibrated.ts): the
 * decision on the job's input folder, and the identities of the calibration's files.
 */
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { calibrationFiles, findPrecalibrated } from "../contracts/precalibrated.js";
import type { Precalibrated } from "../contracts/stageResults.js";

export type { Precalibrated } from "../contracts/stageResults.js";

/** The calibration shipped in the input folder, or null (see `findPrecalibrated`). */
export async function detectPrecalibrated(inputFolder: string): Promise<Precalibrated | null> {
  return findPrecalibrated(resolve(inputFolder), existsSync);
}

/** Identities (path, size, mtime) of the model files, so editing them changes the fingerprint. */
export async function precalibratedFiles(
  found: Precalibrated,
): Promise<{ name: string; size: number; mtimeMs: number }[]> {
  const out = [];
  for (const p of calibrationFiles(found, existsSync)) {
    try {
      const s = await stat(p);
      out.push({ name: p, size: s.size, mtimeMs: s.mtimeMs });
    } catch {
      // removed since it was listed: the next Validation names what is missing
    }
  }
  return out;
}
