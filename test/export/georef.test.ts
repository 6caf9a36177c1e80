/**
 * The georeference beside exported models: georef.json with the export's CRS, PLY header comments
 * naming it (readers such as splat-transform still read the file), and conversions carrying it.
 * PlyExport runs with a fake StageContext (a test double for the engine); files are real.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  MemoryReadFileSystem,
  getInputFormat,
  readFile as splatTransformRead,
} from "@playcanvas/splat-transform";
import { describe, expect, test } from "vitest";
import { GeorefSchema, type Georef } from "../../src/contracts/georef.js";
import type { StageContext } from "../../src/contracts/stage.js";
import type { JobParams } from "../../src/contracts/params.js";
import {
  convertModel,
  exportRecord,
  plyComments,
  plyExportStage,
  readPly,
  writePly,
} from "../../src/export/index.js";
import { corpusCapture } from "../../src/sample/corpus.js";
import { SITE_ORIGIN } from "../../src/sample/shots.js";
import { georeference } from "../../src/sfm/georef/georeference.js";
import type { Vec3 } from "../../src/sfm/georef/similarity.js";
import { makeRandom, testSeed } from "../seed.js";
import { randomModelFrame, registeredCameras, truthCameras } from "../sfm/georef/synthetic.js";
import { randomParams } from "./randomParams.js";
import { resolvedParams, resultsOf } from "../stageContext.js";

/** The survey's georeference from its true cameras and exact fixes. */
function surveyGeoref(): Georef {
  const cams = truthCameras(corpusCapture("drone-survey").truth());
  const M = randomModelFrame(makeRandom(1));
  const fixes = cams.map((c) => c.centre as Vec3);
  const { cams: reg, infos } = registeredCameras(cams, M, { origin: SITE_ORIGIN, fixes });
  return georeference(reg, infos).georef;
}

function fakeContext(dir: string, georef: Georef | null, params: JobParams = {}): StageContext {
  const noop = () => {};
  return {
    ...{ jobId: "t", inputFolder: dir, outputFolder: dir, tempFolder: join(dir, "tmp") },
    params: resolvedParams(params),
    checkpoint: {} as StageContext["checkpoint"],
    log: { info: noop, warn: noop, debug: noop },
    signal: new AbortController().signal,
    resultOf: resultsOf({
      Training: { params_path: join(dir, "final.ply") },
      ColmapReconstruction: georef ? { georef } : {},
    }),
    progress: noop,
    saveStageProgress: async () => {},
  };
}

/** swisstopo's approximate WGS84 → LV95 formulas (about 1 m), an independent reference. */
function lv95(lat: number, lon: number): { x: number; y: number } {
  const p = (lat * 3600 - 169028.66) / 10000;
  const l = (lon * 3600 - 26782.5) / 10000;
  return {
    x: 2600072.37 + 211455.93 * l - 10938.51 * l * p - 0.36 * l * p * p - 44.54 * l ** 3,
    y:
      1200147.07 +
      308807.95 * p +
      3745.25 * l * l +
      76.63 * p * p -
      194.56 * l * l * p +
      119.79 * p ** 3,
  };
}

describe("georef.json for exports", () => {
  const georef = surveyGeoref();

  test("names the origin's UTM zone, with the origin on its grid, by default", async () => {
    const r = await exportRecord(georef);
    expect(r.epsg).toBe("EPSG:32632");
    expect(r.crs_name).toBe("WGS 84 / UTM zone 32N");
    const o = georef.origin!;
    // First-order convergence (λ − λ₀)·sin φ and scale k₀(1 + E²/2R²) on the central meridian 9°E.
    const gamma = (o.lon - 9) * Math.sin((o.lat * Math.PI) / 180);
    expect(r.projected!.convergence_deg).toBeCloseTo(-gamma, 3);
    const e = r.projected!.x - 500000;
    // Grid metres per local metre at the origin's height: point scale × elevation factor R/(R+h).
    const R = 6381000;
    const k = 0.9996 * (1 + e ** 2 / (2 * R ** 2)) * (R / (R + o.height));
    expect(r.projected!.scale_factor).toBeCloseTo(k, 5);
    expect(r.projected!.y).toBeGreaterThan(5.24e6);
    expect(r.projected!.y).toBeLessThan(5.26e6);
  });

  test("--crs names another projected CRS: Swiss LV95 against swisstopo's formulas", async () => {
    const r = await exportRecord(georef, "EPSG:2056");
    expect(r.epsg).toBe("EPSG:2056");
    const ref = lv95(georef.origin!.lat, georef.origin!.lon);
    expect(Math.abs(r.projected!.x - ref.x)).toBeLessThan(2);
    expect(Math.abs(r.projected!.y - ref.y)).toBeLessThan(2);
  });

  test("refuses a CRS that is not a projected one in metres, naming it", async () => {
    await expect(exportRecord(georef, "EPSG:4326")).rejects.toThrow(
      /EPSG:4326 \(WGS 84\) is not a projected CRS/,
    );
    await expect(exportRecord(georef, "EPSG:999999")).rejects.toThrow(
      /EPSG:999999: not a code of the EPSG registry/,
    );
    await expect(exportRecord(georef, "EPSG:2263")).rejects.toThrow(/not metres/); // US survey feet
  });

  test("PlyExport writes georef.json and names it in the header; splat-transform still reads the PLY", async () => {
    const dir = await mkdtemp(join(tmpdir(), "georef-export-"));
    const params = randomParams(testSeed(), 30, 1);
    await writePly(join(dir, "final.ply"), params);
    const result = await plyExportStage.run(fakeContext(dir, georef, { crs: "EPSG:2056" }));
    expect(result.georef_path).toBe(join(dir, "georef.json"));
    expect(result.epsg).toBe("EPSG:2056");
    const side = GeorefSchema.parse(JSON.parse(await readFile(join(dir, "georef.json"), "utf8")));
    expect(side.epsg).toBe("EPSG:2056");
    expect(side.cameras).toHaveLength(georef.cameras.length);
    expect(side.transform).toEqual(georef.transform);
    const bytes = new Uint8Array(await readFile(join(dir, "model.ply")));
    const comments = plyComments(bytes);
    expect(comments[0]).toBe("georef: georef.json");
    expect(comments[1]).toMatch(
      /^frame: ENU metres \(x east, y north, z up\) from 47\.\d+, 8\.\d+, \d+ m \(msl\); map: EPSG:2056$/,
    );
    const fs = new MemoryReadFileSystem();
    fs.set("model.ply", bytes);
    const [table] = await splatTransformRead({
      ...{ filename: "model.ply", inputFormat: getInputFormat("model.ply") },
      ...{ options: {} as never, params: [], fileSystem: fs },
    });
    expect(table!.numRows).toBe(30);
    expect(table!.getColumnByName("y")!.data[7]).toBe(params.means[7 * 3 + 1]);
    expect((await readPly(join(dir, "model.ply"))).count).toBe(30);
  });

  test("a reconstruction without georeference leaves no stale georef.json", async () => {
    const dir = await mkdtemp(join(tmpdir(), "georef-none-"));
    await writePly(join(dir, "final.ply"), randomParams(testSeed(), 5, 0));
    await writeFile(join(dir, "georef.json"), "{}");
    const result = await plyExportStage.run(fakeContext(dir, null));
    expect(result.georef_path).toBeNull();
    expect(existsSync(join(dir, "georef.json"))).toBe(false);
    expect(plyComments(new Uint8Array(await readFile(join(dir, "model.ply"))))).toEqual([]);
  });

  test("splatbook export carries the sidecar beside the converted model", async () => {
    const dir = await mkdtemp(join(tmpdir(), "georef-convert-"));
    await writePly(join(dir, "final.ply"), randomParams(testSeed(), 8, 0));
    await plyExportStage.run(fakeContext(dir, georef));
    const other = await mkdtemp(join(tmpdir(), "georef-convert-out-"));
    const spz = await convertModel({ model: dir, format: "spz", output: join(other, "m.spz") });
    expect(spz.georef).toBe("georef.json");
    expect(await readFile(join(other, "georef.json"), "utf8")).toBe(
      await readFile(join(dir, "georef.json"), "utf8"),
    );
    // Another model's different sidecar in the target folder is not overwritten.
    await writeFile(join(other, "georef.json"), '{"other":true}');
    const ply = await convertModel({
      model: join(dir, "model.ply"),
      format: "ply",
      output: join(other, "n.ply"),
    });
    expect(ply.georef).toBe("n.georef.json");
    expect(plyComments(new Uint8Array(await readFile(join(other, "n.ply"))))[0]).toBe(
      "georef: n.georef.json",
    );
    expect(await readFile(join(other, "georef.json"), "utf8")).toBe('{"other":true}');
  });
});
