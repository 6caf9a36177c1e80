/**
 * PlyExport and SplatExport run with a fake StageContext (a test double for the engine: the real
 * engine is another module); files, results and errors are real.
 */
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  plyExportStage,
  readPly,
  readSplat,
  splatExportStage,
  writePly,
} from "../../src/export/index.js";
import type { StageContext } from "../../src/contracts/stage.js";
import { SplatbookError } from "../../src/util/errors.js";
import { testSeed } from "../seed.js";
import { randomParams } from "./randomParams.js";
import { resolvedParams, resultsOf } from "../stageContext.js";

function fakeContext(outputFolder: string, training: unknown): StageContext {
  const noop = () => {};
  return {
    jobId: "test",
    inputFolder: outputFolder,
    outputFolder,
    tempFolder: join(outputFolder, "tmp"),
    params: resolvedParams(),
    checkpoint: {} as StageContext["checkpoint"],
    log: { info: noop, warn: noop, debug: noop },
    signal: new AbortController().signal,
    resultOf: resultsOf({ Training: training }),
    progress: noop,
    saveStageProgress: async () => {},
  };
}

describe("export stages (fake-context)", () => {
  test("PlyExport then SplatExport write model.ply and model.splat", async () => {
    const dir = await mkdtemp(join(tmpdir(), "stages-"));
    const params = randomParams(testSeed(), 25, 3);
    await writePly(join(dir, "train", "final.ply"), params);
    const ctx = fakeContext(dir, { params_path: join(dir, "train", "final.ply") });
    const fp1 = await plyExportStage.fingerprintInputs(ctx);
    const ply = await plyExportStage.run(ctx);
    expect(ply).toEqual({
      ...{ ply_path: join(dir, "model.ply"), gaussian_count: 25, sh_degree: 3 },
      ...{ georef_path: null, epsg: null }, // no ColmapReconstruction result: no georeference
    });
    expect(plyExportStage.summarize!(ply)).toEqual({
      ply_path: join(dir, "model.ply"),
      gaussian_count: 25,
    });
    const back = await readPly(join(dir, "model.ply"));
    expect(Array.from(back.sh)).toEqual(Array.from(params.sh));

    const splat = await splatExportStage.run(ctx);
    expect(splat).toEqual({
      ...{ splat_path: join(dir, "model.splat"), gaussian_count: 25, georef_path: null },
    });
    expect(splatExportStage.summarize!(splat)).toEqual({ splat_path: join(dir, "model.splat") });
    expect((await stat(join(dir, "model.splat"))).size).toBe(25 * 32);
    expect((await readSplat(join(dir, "model.splat"))).count).toBe(25);

    // A retrained model (new file content) changes PlyExport's fingerprint.
    await new Promise((r) => setTimeout(r, 20));
    await writePly(join(dir, "train", "final.ply"), randomParams(testSeed(), 26, 3));
    expect(await plyExportStage.fingerprintInputs(ctx)).not.toEqual(fp1);
  });

  test("missing Training result, corrupt or empty trained model: clear errors", async () => {
    const dir = await mkdtemp(join(tmpdir(), "stages-bad-"));
    await expect(plyExportStage.run(fakeContext(dir, undefined))).rejects.toThrow(
      /PlyExport needs the Training stage's result \(params_path\)/,
    );
    const good = await (async () => {
      await writePly(join(dir, "ok.ply"), randomParams(testSeed(), 3, 0));
      return readFile(join(dir, "ok.ply"));
    })();
    await writeFile(join(dir, "cut.ply"), good.subarray(0, good.length - 7));
    const err = await plyExportStage
      .run(fakeContext(dir, { params_path: "cut.ply" }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SplatbookError);
    expect((err as Error).message).toMatch(new RegExp(`${join(dir, "cut.ply")}: truncated PLY`));
    await writePly(join(dir, "empty.ply"), randomParams(testSeed(), 0, 0));
    await expect(
      plyExportStage.run(fakeContext(dir, { params_path: "empty.ply" })),
    ).rejects.toThrow(/has no splats/);
    await expect(splatExportStage.run(fakeContext(dir, undefined))).rejects.toThrow(
      /model\.ply: cannot read \(ENOENT\)/,
    );
  });
});
