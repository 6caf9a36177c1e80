// notebooks/batch.ipynb headless on the real splatbook kernel: the Pipeline API over three
// example captures (one junk) with worker processes and a live display; a second run of the
// notebook reuses the ledger and only retries the failed capture.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runNotebook } from "../../src/runner/runNotebook.js";
import { ROOT, splatbookKernelDataDir } from "../runner/helpers.js";
import { onlyLedger, query } from "./helpers.js";

const dataDir = await splatbookKernelDataDir();
const work = mkdtempSync(join(tmpdir(), "splatbook-batch-notebook-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function textOf(notebook: any): string {
  return notebook.cells
    .flatMap((c: any) => c.outputs ?? [])
    .map((o: any) => (o.text ?? "") + JSON.stringify(o.data ?? {}))
    .join("\n");
}

describe("notebooks/batch.ipynb", () => {
  it("runs a batch through the Pipeline API with a live display, then resumes it", async () => {
    expect(dataDir, "a splatbook kernelspec").toBeDefined();
    const parameters = {
      scenesRoot: join(work, "scenes"),
      outputsRoot: join(work, "out"),
      dbDir: join(work, "db"),
      jobs: 2,
    };
    const common = {
      input: join(ROOT, "notebooks", "batch.ipynb"),
      parameters,
      cwd: work,
      progress: "none" as const,
      dataPaths: [dataDir!],
    };
    const first = await runNotebook({ ...common, output: join(work, "first.ipynb") });
    expect(first.failure).toBeUndefined();
    const text = textOf(first.notebook);
    expect(text).toContain("ran now: [0,1,2], reused from the ledger: []");
    expect(text).toMatch(/batch: 2\/3 completed, 1 failed/);
    expect(text).toMatch(/<progress/);
    expect(text).toMatch(/shed.*no usable video/);
    const db = onlyLedger(join(work, "db"));
    const rows = query(db, "SELECT scene, status FROM index_results ORDER BY idx");
    expect(rows).toEqual([
      { scene: "garden", status: "completed" },
      { scene: "porch", status: "completed" },
      { scene: "shed", status: "error" },
    ]);
    expect(query(db, "SELECT COUNT(*) AS n FROM workers")[0].n).toBe(2);

    const second = await runNotebook({ ...common, output: join(work, "second.ipynb") });
    expect(second.failure).toBeUndefined();
    expect(textOf(second.notebook)).toContain("ran now: [2], reused from the ledger: [0,1]");
  }, 600_000);
});
