import { stat } from "node:fs/promises";

/** Path and identity (size, mtime) of a file, for fingerprints; null fields if it is missing. */
export async function fileIdentity(
  path: string,
): Promise<{ path: string; size: number | null; mtimeMs: number | null }> {
  try {
    const s = await stat(path);
    return { path, size: s.size, mtimeMs: s.mtimeMs };
  } catch {
    return { path, size: null, mtimeMs: null };
  }
}
