import { it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchTestKernel } from "../kernel/helpers.js";

const cpu = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" "); return (Number(f[11]) + Number(f[12])) * 10; };
it("start", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "sbk-"));
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const k = await launchTestKernel(cwd);
    const t1 = performance.now();
    const c1 = cpu(k.process.pid!);
    await k.client.execute("const a = 1; console.log(a)");
    const t2 = performance.now();
    console.log(`launch ${Math.round(t1 - t)} ms wall, ${c1} ms cpu; first cell ${Math.round(t2 - t1)} ms, cpu total ${cpu(k.process.pid!)} ms`);
    await k.shutdown();
  }
}, 300000);
