/**
 * The declared-skips list (test/declared-skips.json): every test that may be skipped, with why.
 * A JSON array of `{ "file", "test", "reason" }`; see README.md, "Tests".
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import type { DeclaredSkip } from "./verdict.js";

const DeclaredSkipsSchema = z.array(
  z.strictObject({
    file: z.string().regex(/\.test\.ts$|\.fixture\.ts$/, "a test file path"),
    test: z.string().min(1),
    reason: z.string().min(8, "say why, e.g. 'needs a hardware GPU'"),
  }),
);

/** Reads and checks the list; throws an Error naming the file and the bad entry. */
export function readDeclaredSkips(path: string, root: string): DeclaredSkip[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`${path}: cannot read the declared skips: ${(err as Error).message}`);
  }
  const parsed = DeclaredSkipsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${path}: entry ${issue.path.join(".")}: ${issue.message}`);
  }
  for (const [i, d] of parsed.data.entries()) {
    if (!existsSync(resolve(root, d.file))) {
      throw new Error(`${path}: entry ${i}: no such test file ${d.file}`);
    }
  }
  return parsed.data;
}
