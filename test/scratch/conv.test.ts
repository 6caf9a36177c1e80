import { it } from "vitest";
import { loadTsHost, splitSourceMaps } from "../../src/kernel/tsHost.js";
import { prepareCellSource } from "../../src/kernel/cellSource.js";
import { ROOT } from "../kernel/helpers.js";
import { readFileSync } from "node:fs";

it("conv", () => {
  const host = loadTsHost(ROOT, "/tmp");
  const c = host.converterModule.createConverter({ isJS: false, isBrowser: false });
  const cells: string[] = JSON.parse(readFileSync(process.env.CELLS!, "utf8"));
  let prev = "";
  for (const cell of cells) {
    const p = prepareCellSource(host.ts, cell);
    if (!p.ok) { console.log("REFUSED", p.message); continue; }
    const r = c.convert(prev, p.code);
    console.log("=== CELL\n" + cell + "\n--- JS\n" + splitSourceMaps(r.output ?? "").code + "\n--- DECL\n" + r.declOutput + "\n--- DIAG " + JSON.stringify(r.diagnostics.map(d => d.messageText)));
    prev = r.declOutput ?? prev;
  }
  c.close();
});
