import { createHash } from "node:crypto";
import { extname } from "node:path";

/** ASCII-only, shell- and URL-harmless version of a file name's stem ("Café été $1" → "Cafe_ete_1"). */
export function safeStem(filename: string): string {
  const stem = filename.slice(0, filename.length - extname(filename).length) || filename;
  const ascii = stem
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9._-]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^[._-]+|[._-]+$/g, "");
  return (ascii || "video").slice(0, 80);
}

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 8);
}

/**
 * One folder name per video, unique within the set and stable across runs: the safe stem, plus a
 * hash of the full file name when cleaning changed the name or two videos would collide
 * (clip.mp4 / clip.mov).
 */
export function assignStems(filenames: readonly string[]): Map<string, string> {
  const counts = new Map<string, number>();
  for (const f of filenames)
    counts.set(safeStem(f).toLowerCase(), (counts.get(safeStem(f).toLowerCase()) ?? 0) + 1);
  const out = new Map<string, string>();
  for (const f of filenames) {
    const stem = safeStem(f);
    const original = f.slice(0, f.length - extname(f).length);
    const unique = counts.get(stem.toLowerCase()) === 1 && stem === original;
    out.set(f, unique ? stem : `${stem}-${shortHash(f)}`);
  }
  return out;
}
