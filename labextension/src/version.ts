/**
 * One version for the npm package (CLI and kernel) and the Python package (this extension, the
 * server extension, the kernelspec): the panel compares this extension's with what the server
 * extension reports about itself and about the Node kernel it would start, and says when they
 * differ or the kernel is missing.
 */

/** This extension's version; "development" outside a webpack build (unit tests). */
export const LAB_VERSION: string =
  typeof SPLATBOOK_VERSION === "string" ? SPLATBOOK_VERSION : "development";

/** `GET splatbook/api/version`. */
export interface VersionReport {
  /** The server extension's (Python package's) version. */
  version: string;
  /** The Node CLI the kernel launcher would start: its version, or why there is none. */
  kernel: { command: string[] | null; version: string | null; problem: string | null };
}

/** Sentences for the panel, one per disagreement or missing part; empty when all agree. */
export function versionNotices(lab: string, report: VersionReport): string[] {
  const notes: string[] = [];
  if (report.version !== lab) {
    notes.push(
      `The splatbook server extension is ${report.version} and this JupyterLab extension ` +
        `${lab}: reinstall the Python package splatbook-jupyter and reload the page.`,
    );
  }
  const kernel = report.kernel;
  if (kernel.problem) {
    notes.push(kernel.problem);
  } else if (kernel.version !== lab) {
    const where = kernel.command ? ` (${kernel.command.join(" ")})` : "";
    notes.push(
      `Version mismatch: the splatbook kernel${where} is ${kernel.version}, this JupyterLab ` +
        `extension ${lab}. Install the same version of both: npm install -g splatbook@${lab}, ` +
        `or pip install splatbook-jupyter==${kernel.version}.`,
    );
  }
  return notes;
}
