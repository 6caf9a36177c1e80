/**
 * The TypeScript cell corpus (cellCorpus.ts) through the real kernel process over ZeroMQ: every
 * form's cells run in order in one kernel and must show the expected values (or errors).
 */
import { describe, expect, it } from "vitest";
import { CELL_CORPUS, type CorpusCell } from "./cellCorpus.js";
import { kernelForSuite } from "./helpers.js";

describe("TypeScript cell corpus through the kernel", () => {
  const kernel = kernelForSuite();

  /** Runs one cell and checks what it showed; `where` names it in failure messages. */
  async function check(cell: CorpusCell, where: string) {
    const { reply, outputs } = await kernel().client.execute(cell.code);
    expect(reply, `${where}: no execute_reply`).toBeDefined();
    const content = reply!.content;
    if (cell.error) {
      expect(content.status, `${where}: expected an error`).toBe("error");
      expect(content.ename, where).toBe(cell.error.ename);
      expect(String(content.evalue), where).toMatch(cell.error.evalue);
      if (cell.error.traceback) {
        expect((content.traceback as string[]).join("\n"), where).toMatch(cell.error.traceback);
      }
      return;
    }
    expect(content.status, `${where}: ${content.ename}: ${content.evalue}`).toBe("ok");
    const result = outputs.find((m) => m.header.msg_type === "execute_result");
    const shown = result?.content.data["text/plain"] as string | undefined;
    if (cell.value === undefined) expect(shown, `${where}: no value expected`).toBeUndefined();
    else expect(shown, where).toBe(cell.value);
  }

  for (const { form, cells } of CELL_CORPUS) {
    it(form, async () => {
      for (const [i, cell] of cells.entries()) {
        await check(cell, `${form}, cell ${i + 1}:\n${cell.code}\n`);
      }
    });
  }
});
