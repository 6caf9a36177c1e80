/** The `export` CLI command (commander, in-process) and format sniffing. */
import { mkdtemp, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test, vi } from "vitest";
import { exportCommand } from "../../../src/cli/commands/export.js";
import { readModel, writePly } from "../../../src/export/index.js";
import { testSeed } from "../../seed.js";
import { randomParams } from "../../export/randomParams.js";

async function run(args: string[]): Promise<string> {
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    await exportCommand().exitOverride().parseAsync(args, { from: "user" });
    return log.mock.calls.map((c) => String(c[0])).join("\n");
  } finally {
    log.mockRestore();
  }
}

describe("splatbook export", () => {
  test("converts an output folder's model.ply to splat and spz, and back to ply", async () => {
    const dir = await mkdtemp(join(tmpdir(), "export-cmd-"));
    const params = randomParams(testSeed(), 12, 2);
    await writePly(join(dir, "model.ply"), params);
    expect(await run([dir, "--format", "splat"])).toMatch(
      /12 splats \(SH degree 2\) → .*model\.splat/,
    );
    expect((await stat(join(dir, "model.splat"))).size).toBe(12 * 32);
    await run([join(dir, "model.ply"), "--format", "spz", "--output", join(dir, "out", "m.spz")]);
    const spz = await readModel(join(dir, "out", "m.spz"));
    expect(spz.format).toBe("spz");
    expect(spz.params.maxShDegree).toBe(2);
    await run([join(dir, "out", "m.spz"), "-f", "ply"]);
    const ply = await readModel(join(dir, "out", "m.ply"));
    expect(ply.format).toBe("ply");
    expect(ply.params.count).toBe(12);
  });

  test("bad arguments and inputs fail clearly", async () => {
    const dir = await mkdtemp(join(tmpdir(), "export-bad-"));
    await expect(run([dir, "--format", "obj"])).rejects.toThrow(
      /Allowed choices are ply, splat, spz/,
    );
    await expect(run([dir, "--format", "splat"])).rejects.toThrow(/the folder has no model\.ply/);
    await expect(run([join(dir, "nope.ply"), "--format", "splat"])).rejects.toThrow(
      /no such model file/,
    );
  });
});
