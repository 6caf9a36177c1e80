/**
 * Georeferencing end to end on a small drone survey (4 rows × 8 nadir photos and 4 oblique ones,
 * rendered with their EXIF GPS and DJI XMP): the real eight stages with a short training, then
 * the exported model read back (our reader and splat-transform) against the renderer's scene,
 * the bench's noise on this reconstruction, a resume after an interruption during
 * georeferencing, a --crs change, and a training snapshot from another frame.
 */
import { cp, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import {
  MemoryReadFileSystem,
  getInputFormat,
  readFile as splatTransformRead,
} from "@playcanvas/splat-transform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { georefAccuracy } from "../../../src/bench/georefAccuracy.js";
import { BENCH_NOISE, noisyFixes } from "../../../src/bench/gpsNoise.js";
import { matchToTruth } from "../../../src/bench/poseAccuracy.js";
import { MIN_VIEW_SPREAD_DEG } from "../../../src/sfm/focalHold.js";
import { GeorefSchema, type Georef } from "../../../src/contracts/georef.js";
import { ManifestSchema } from "../../../src/contracts/manifest.js";
import type { JobParams } from "../../../src/contracts/params.js";
import { loadStageTable, runJob } from "../../../src/engine/index.js";
import { plyComments, readPly } from "../../../src/export/index.js";
import { cachedRender, contentOf } from "../../../src/sample/corpus.js";
import { droneSurvey } from "../../../src/sample/photoCaptures.js";
import { SITE_ORIGIN } from "../../../src/sample/shots.js";
import { worldSource } from "../../../src/sample/worlds.js";
import type { CaptureTruth } from "../../../src/sample/truth.js";
import type { ColmapReconstructionResult } from "../../../src/contracts/stageResults.js";
import { colmapReconstructionStage } from "../../../src/sfm/colmapReconstruction.stage.js";
import { georeference } from "../../../src/sfm/georef/georeference.js";
import { imageInfos } from "../../../src/sfm/georef/imageInfo.js";
import { writeModelInFrame } from "../../../src/sfm/georef/modelTransform.js";
import { loadColmapModel, loadSceneModel } from "../../../src/sfm/load.js";
import { buildTrainingDataset, trainingDataFingerprint } from "../../../src/train/index.js";
import { resumeMismatch, snapshotConfigKey } from "../../../src/train/resume.js";
import { enuToGeodetic, geodeticToEnu } from "../../../src/util/geodesy.js";
import { InterruptedError } from "../../../src/util/errors.js";
import { recordingLogger, tempDir } from "../../engine/helpers.js";
import { testSeed } from "../../seed.js";
import { stageContext } from "../helpers.js";
import { planeNormal } from "./planes.js";
import { SMALL_SURVEY } from "./synthetic.js";

const PARAMS: JobParams = {
  ...{ steps: 40, maxResolution: 120, maxSplats: 30000, shDegree: 0 },
  ...{ evalEvery: 0, previewEvery: 0, snapshotEvery: 0 },
};

let input = "";
let output = "";
let truth: CaptureTruth;
let georef: Georef;
let colmap: ColmapReconstructionResult;

beforeAll(async () => {
  const survey = droneSurvey(SMALL_SURVEY);
  truth = survey.truth();
  const capture = await cachedRender(survey.name, contentOf(survey));
  input = capture.dir;
  output = join(tempDir("survey"), "out");
  const r = await runJob({
    ...{ input: capture.dir, output, stages: await loadStageTable(), params: PARAMS },
    logger: recordingLogger(),
  });
  expect(r.completed).toBe(true);
  colmap = r.checkpoint.stages.ColmapReconstruction!.result as ColmapReconstructionResult;
  georef = GeorefSchema.parse(JSON.parse(await readFile(join(output, "georef.json"), "utf8")));
}, 1_500_000);
afterAll(() => rm(join(output, ".."), { recursive: true, force: true }));

/** A local-frame point in the renderer's world (ENU at the site's origin, z = 0 on the ground). */
function toWorld(p: readonly number[]): [number, number, number] {
  const o = georef.origin!;
  const geo = enuToGeodetic({ latitude: o.lat, longitude: o.lon, altitude: o.height }, p);
  return geodeticToEnu(SITE_ORIGIN, geo);
}

/** Where the site's raised objects stand (world e, n) and how far from that their splats may lie. */
interface Raised {
  e: number;
  n: number;
  r: number;
}

/**
 * The site world's houses (parsed from its POV-Ray source: House(X, Z, W, D, …)) and tree crowns
 * (its loop of 22: x = −70 + (37T mod 140), z = 8 + (23T mod 14) − 28 for odd T, radius
 * 2.4 + 0.05·(7T mod 13)); a scene point (x, y, z) is world (x, z, y). Radii get 1.5 m (houses:
 * half the diagonal, eaves 0.4 m) and 1 m of slack for a short training's splat spread.
 */
function raisedObjects(): Raised[] {
  const houses = [...worldSource("site").matchAll(/object \{ House\(([^)]*)\)/g)].map((m) => {
    const [x, z, w, d] = m[1]!.split(",").map(Number) as [number, number, number, number];
    return { e: x, n: z, r: Math.hypot(w, d) / 2 + 1.5 };
  });
  expect(houses.length).toBe(6);
  const trees = Array.from({ length: 22 }, (_, t) => ({
    e: -70 + ((t * 37) % 140),
    n: 8 + ((t * 23) % 14) + (t % 2 === 0 ? 0 : -28),
    r: 2.4 + 0.05 * ((t * 7) % 13) + 1,
  }));
  return [...houses, ...trees];
}

/** Fraction of the points (e, n), moved by `f`, that lie on one of the raised objects. */
function onRaised(points: readonly number[][], f: (p: readonly number[]) => number[]): number {
  const objects = raisedObjects();
  const hits = points.filter((p) => {
    const [e, n] = f(p);
    return objects.some((o) => Math.hypot(e! - o.e, n! - o.n) < o.r);
  });
  return hits.length / points.length;
}

describe("a georeferenced drone survey, end to end", () => {
  it("georef.json: ENU metres from the survey's GPS, cameras where the renderer put them", () => {
    expect(georef.method).toBe("gps");
    expect(georef.frame).toBe("ENU");
    expect(georef.epsg).toBe("EPSG:32632");
    expect(georef.gps_source).toBe("exif");
    expect(georef.origin!.height_ref).toBe("msl");
    expect(georef.total).toBe(colmap.registered_images);
    expect(georef.gravity.method).toBe("cameras"); // gimbal pitch from the DJI XMP
    // Nadir rows and obliques look many ways, and EXIF gives a firm prior: the focal is refined.
    const focal = colmap.attempts.at(-1)!.focal!;
    expect(focal.decision).toBe("refine");
    expect(focal.held_run).toBeNull();
    expect(focal.view_spread_deg).toBeGreaterThan(MIN_VIEW_SPREAD_DEG);
    expect(focal.groups.every((g) => g.firm)).toBe(true);
    const errs = georef.cameras.map((c) => {
      const t = truth.photos.find((p) => p.file === c.image)!;
      const w = toWorld(c.enu);
      return Math.hypot(w[0] - t.centre[0], w[1] - t.centre[1], w[2] - t.centre[2]);
    });
    const rmse = Math.sqrt(errs.reduce((a, e) => a + e * e, 0) / errs.length);
    console.log(
      `survey (files' GPS, σ 1.5/3 m): camera RMSE ${rmse.toFixed(2)} m; ${georef.summary}`,
    );
    expect(rmse).toBeLessThan(2); // the vertical datum of 36 fixes at σ 3 m alone is ±0.5 m
    // The nadir cameras flew level: their fitted positions lie in a horizontal plane.
    const nadir = georef.cameras.filter(
      (c) => truth.photos.find((p) => p.file === c.image)!.centre[2] > 38,
    );
    const n = planeNormal(nadir.map((c) => c.enu));
    expect((Math.acos(Math.abs(n[2])) * 180) / Math.PI).toBeLessThan(1);
  });

  it("the exported PLY, read back by us and by splat-transform, has the ground level and north along +y", async () => {
    const bytes = new Uint8Array(await readFile(join(output, "model.ply")));
    expect(plyComments(bytes)[0]).toBe("georef: georef.json");
    const ours = await readPly(join(output, "model.ply"));
    const fs = new MemoryReadFileSystem();
    fs.set("model.ply", bytes);
    const [table] = await splatTransformRead({
      ...{ filename: "model.ply", inputFormat: getInputFormat("model.ply") },
      ...{ options: {} as never, params: [], fileSystem: fs },
    });
    expect(table!.numRows).toBe(ours.count);
    const [x, y, z] = ["x", "y", "z"].map((k) => table!.getColumnByName(k)!.data);
    const world = Array.from({ length: ours.count }, (_, i) => {
      expect(x![i]).toBe(ours.means[i * 3]);
      return toWorld([x![i]!, y![i]!, z![i]!]);
    });
    // The roads are flat at the renderer's z = 0: east-west at n ∈ [−4.5, 2.5], north-south at
    // e ∈ [14, 20]. A short training leaves a few floaters over them, so each 8 m stretch of
    // road stands for its splats' median; those medians fit a level plane at 0.
    const stretch = (p: readonly number[]): string | null => {
      if (p[1]! > -4 && p[1]! < 2 && Math.abs(p[0]!) < 50 && Math.abs(p[0]! - 17) > 4)
        return `ew${Math.floor(p[0]! / 8)}`;
      if (p[0]! > 14.5 && p[0]! < 19.5 && Math.abs(p[1]!) > 8 && Math.abs(p[1]!) < 45)
        return `ns${Math.floor(p[1]! / 8)}`;
      return null;
    };
    const stretches = new Map<string, number[][]>();
    for (const p of world) {
      const k = stretch(p);
      if (k !== null) stretches.set(k, [...(stretches.get(k) ?? []), p]);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const road = [...stretches.values()]
      .filter((ps) => ps.length >= 3)
      .map((ps) => [0, 1, 2].map((k) => median(ps.map((p) => p[k]!))));
    expect(road.length).toBeGreaterThan(8);
    const normal = planeNormal(road);
    const roadTilt = (Math.acos(Math.abs(normal[2])) * 180) / Math.PI;
    console.log(
      `${road.length} stretches of road: plane ${roadTilt.toFixed(2)}° from level, heights ` +
        road.map((p) => p[2]!.toFixed(2)).join(" "),
    );
    expect(roadTilt).toBeLessThan(2);
    for (const p of road) expect(Math.abs(p[2]!)).toBeLessThan(1.5);
    // North is +y: what stands above the mound's top (4 m) is houses and tree crowns, in the
    // scene's places; mirrored or turned by a quarter, most of it would fall on open ground.
    const raised = world.filter((p) => p[2] > 4.5);
    expect(raised.length).toBeGreaterThan(30);
    const turns: Record<string, (p: readonly number[]) => number[]> = {
      mirrored: (p) => [p[0]!, -p[1]!],
      "half turn": (p) => [-p[0]!, -p[1]!],
      "quarter turn": (p) => [p[1]!, -p[0]!],
      "three quarters": (p) => [-p[1]!, p[0]!],
    };
    const asIs = onRaised(raised, (p) => [...p]);
    const wrong = Object.entries(turns).map(([k, f]) => `${k} ${onRaised(raised, f).toFixed(2)}`);
    console.log(
      `${raised.length} splats above 4.5 m: ${asIs.toFixed(2)} on raised objects; ${wrong}`,
    );
    expect(asIs).toBeGreaterThan(0.9);
    for (const f of Object.values(turns)) expect(onRaised(raised, f)).toBeLessThan(0.5);
  });

  it("under the bench's noise (σ 2 m / 4 m, 10 % × 50 m) every outlier is flagged and the frame holds", async () => {
    const seed = testSeed();
    const manifest = ManifestSchema.parse(
      JSON.parse(await readFile(join(output, "manifest.json"), "utf8")),
    );
    const metadata = JSON.parse(await readFile(join(output, "metadata.json"), "utf8"));
    const model = await loadColmapModel(colmap.sparse_path, join(output, "frames"));
    const pairs = matchToTruth(model, manifest, truth).map((p) => ({
      ...p,
      viewmat: model.images.find((i) => i.name === p.name)!.viewmat,
    }));
    const infos = imageInfos(manifest, metadata);
    const { fixes, outliers } = noisyFixes(
      pairs.map((p) => p.truth.centre),
      { ...BENCH_NOISE, seed },
    );
    pairs.forEach((p, i) => {
      infos.set(p.name, { ...infos.get(p.name)!, gps: enuToGeodetic(SITE_ORIGIN, fixes[i]!) });
    });
    const cams = pairs.map((p) => ({ name: p.name, viewmat: p.viewmat }));
    const out = georeference(cams, infos, { seed });
    const a = georefAccuracy(out.georef, out.T, truth, pairs);
    const injected = [...outliers].map((i) => infos.get(pairs[i]!.name)!.file);
    console.log(
      `small survey, bench noise (seed ${seed}): RMSE ${a.rmse.toFixed(2)} m, heading ${a.headingDeg.toFixed(3)}°, ` +
        `tilt ${a.tiltDeg.toFixed(3)}°, scale ${a.scalePct!.toFixed(3)} %, flagged ${out.georef.outliers.length} for ${injected.length} injected`,
    );
    expect(out.georef.outliers).toEqual(expect.arrayContaining(injected));
    const p = out.georef.precision!;
    expect(Math.abs(a.headingDeg)).toBeLessThan(Math.max(1, 4 * p.heading_deg!));
    expect(a.tiltDeg).toBeLessThan(0.5);
    expect(Math.abs(a.scalePct!)).toBeLessThan(4 * p.scale_pct! + 0.2);
    const kept = out.georef.inliers;
    const s = out.georef.gps_sigma_m!;
    expect(a.rmse).toBeLessThan(
      4 * Math.sqrt((2 * s.horizontal ** 2 + s.vertical ** 2) / kept) + 0.3,
    );
  });

  it("a run interrupted while georeferencing resumes from its saved COLMAP step", async () => {
    const copy = join(output, "..", "resume");
    await cp(output, copy, { recursive: true });
    const sfm = { ...colmap, georef: undefined };
    for (const place of ["sparse_path", "undistorted_path"] as const) {
      sfm[place] = colmap[place].replace(output, copy);
    }
    const before = await readFile(join(sfm.undistorted_path, "sparse", "images.bin"));
    // Killed during georeferencing: the COLMAP step was saved, the stage interrupted.
    const killed = stageContext(copy, join(copy, "tmp"));
    const controller = new AbortController();
    controller.abort();
    const ctx = { ...killed.ctx, signal: controller.signal, savedStep: <T>() => sfm as T };
    await expect(colmapReconstructionStage.run(ctx)).rejects.toBeInstanceOf(InterruptedError);
    // The rerun reuses the reconstruction and georeferences it as the first run did.
    const again = stageContext(copy, join(copy, "tmp"));
    const result = await colmapReconstructionStage.run({
      ...again.ctx,
      savedStep: <T>() => sfm as T,
    });
    expect(again.lines.join("\n")).toContain("the interrupted run's reconstruction is reused");
    expect(again.lines.join("\n")).not.toMatch(/COLMAP attempt/);
    expect(result.georef!.transform).toEqual(georef.transform);
    expect(
      Buffer.compare(before, await readFile(join(sfm.undistorted_path, "sparse", "images.bin"))),
    ).toBe(0);
  });

  it("--crs reruns only the exports; Training stays", async () => {
    const again = await runJob({
      ...{ input, output, stages: await loadStageTable(), logger: recordingLogger() },
      params: { ...PARAMS, crs: "EPSG:2056" },
    });
    const status = Object.fromEntries(again.outcomes.map((o) => [o.stage, o.status]));
    expect(status).toMatchObject({
      ...{ ColmapReconstruction: "cached", Training: "cached" },
      ...{ PlyExport: "completed", SplatExport: "completed" },
    });
    const side = GeorefSchema.parse(
      JSON.parse(await readFile(join(output, "georef.json"), "utf8")),
    );
    expect(side.epsg).toBe("EPSG:2056");
    expect(side.projected!.x).toBeGreaterThan(2.6e6);
    expect(side.transform).toEqual(georef.transform);
  });

  it("a training snapshot from another frame is never resumed", async () => {
    const dir = colmap.undistorted_path;
    const a = await buildTrainingDataset(await loadSceneModel(dir), dir, { maxResolution: 48 });
    const moved = join(output, "..", "moved");
    await cp(dir, moved, { recursive: true });
    const other = {
      s: 2,
      R: [
        [0, -1, 0],
        [1, 0, 0],
        [0, 0, 1],
      ] as never,
      t: [5, 0, 0] as never,
    };
    await writeModelInFrame(colmap.sparse_path, join(moved, "sparse"), other);
    const b = await buildTrainingDataset(await loadSceneModel(moved), moved, { maxResolution: 48 });
    const settings = {
      steps: 40,
      shDegree: 0,
      maxSplats: 1000,
      seed: 1,
      maxResolution: 48,
    };
    const snap = {
      meta: {
        ...{ step: 20, configKey: snapshotConfigKey(settings as never), settings },
        dataFingerprint: trainingDataFingerprint(a),
      },
    };
    expect(resumeMismatch(snap as never, settings as never, trainingDataFingerprint(a))).toBeNull();
    expect(resumeMismatch(snap as never, settings as never, trainingDataFingerprint(b))).toMatch(
      /the training data changed since it was made \(the camera poses, the sparse point cloud/,
    );
  });
});
