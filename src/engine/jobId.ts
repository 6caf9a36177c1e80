import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";

/**
 * A job id from a folder name: letters, digits, `.`, `_` and `-` kept, runs of anything else
 * become one `-`, at most 64 characters; `job` when nothing is left.
 */
export function sanitizeJobId(name: string): string {
  const cleaned = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 64)
    .replace(/[-.]+$/g, "");
  return cleaned || "job";
}

/** The job id of an output folder (its sanitized base name). */
export function jobIdForOutput(outputFolder: string): string {
  return sanitizeJobId(basename(resolve(outputFolder)));
}

/**
 * The job's scratch folder: `os.tmpdir()/splatbook-<job_id>-<8 hex>`, the hex from the output
 * folder's absolute path, so two jobs with one id (two outputs named `scene`) never share it.
 */
export function tempFolderFor(jobId: string, outputFolder: string): string {
  const tag = createHash("sha256").update(resolve(outputFolder)).digest("hex").slice(0, 8);
  return join(tmpdir(), `splatbook-${jobId}-${tag}`);
}
