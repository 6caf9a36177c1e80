import { it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureKernelBuilt, launchTestKernel } from "../kernel/helpers.js";

it("k", async () => {
  ensureKernelBuilt();
  const cwd = mkdtempSync(join(tmpdir(), "sbk-"));
  let t = performance.now();
  const k = await launchTestKernel(cwd);
  console.log("start ms", performance.now() - t, k.kernelInfoMs);
  const cells = JSON.parse(process.env.CELLS_JSON!);
  for (const c of cells) {
    t = performance.now();
    const r = await k.client.execute(c);
    const out = r.outputs.map((m) => m.header.msg_type === "stream" ? m.content.text : m.header.msg_type === "execute_result" ? "=> " + m.content.data["text/plain"] : m.header.msg_type === "error" ? "" : "").join("");
    console.log(`--- ${c}\n${out}${r.reply?.content.status} ${r.reply?.content.ename ?? ""} ${r.reply?.content.evalue ?? ""} (${Math.round(performance.now() - t)} ms)`);
  }
  t = performance.now();
  await k.shutdown();
  console.log("shutdown ms", performance.now() - t);
}, 300000);
