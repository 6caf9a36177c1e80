import { mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import writeFileAtomic from "write-file-atomic";
import type { z } from "zod";
import { SplatbookError } from "./errors.js";

/**
 * Writes a file so a concurrent reader sees either the old or the new content, never a mix:
 * temp file in the same folder, fsync, rename.
 */
export async function writeFileAtomically(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const body =
    typeof data === "string" ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  await writeFileAtomic(path, body, { fsync: true });
}

/** JSON with two-space indent and a trailing newline, written atomically. */
export async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  await writeFileAtomically(path, JSON.stringify(value, null, 2) + "\n");
}

/** Reads and validates a JSON contract file; errors name the file and what is wrong. */
export async function readJsonFile<S extends z.ZodType>(
  path: string,
  schema: S,
): Promise<z.infer<S>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SplatbookError(`${path}: cannot read (${code ?? String(err)})`, { file: path });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SplatbookError(`${path}: not valid JSON (${(err as Error).message})`, { file: path });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "(root)";
    throw new SplatbookError(
      `${path}: invalid at ${where}: ${issue?.message ?? "schema mismatch"}`,
      {
        file: path,
      },
    );
  }
  return parsed.data;
}
