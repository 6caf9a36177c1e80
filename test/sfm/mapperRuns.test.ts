/**
 * The choice among mapper runs: more registered images first, then centres that agree with the
 * GPS fixes within their noise (through the georeference's robust fit, on a flight line written
 * as a COLMAP model here), then more verified matches explained, then the reprojection error.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixesByName, gpsAgreement } from "../../src/sfm/gpsAgreement.js";
import { compareRuns, gpsDisagrees, type Mapping } from "../../src/sfm/mapperRuns.js";
import { enuToGeodetic, gaussian } from "../../src/util/geodesy.js";
import { mulberry32 } from "../../src/util/random.js";
import type { VideoFrames } from "../../src/sfm/colmapSteps.js";
import { tempDir } from "../engine/helpers.js";
import { testSeed } from "../seed.js";
import { lookAt, writeRingModel, type Pose } from "./ringScene.js";

const ORIGIN = { latitude: 47.3769, longitude: 8.5417, altitude: 410 };

/** A mapping with just the figures the choice reads. */
function mapping(registered: number, explained: number, mre: number, gps: Mapping["gps"] = null) {
  return {
    ...{ models: [], merged: null, points: null, matches: 1000 },
    ...{ kept: { dir: "", registered }, explained, mre, gps },
  } satisfies Mapping;
}

const agreeing = { fixes: 40, inliers: 40, median_residual_m: 2, rmse_m: 2.3, sigma_m: 1.5 };

describe("choosing among mapper runs", () => {
  it("ranks by registered images, GPS disagreement, matches explained, reprojection error", () => {
    const broken = { ...agreeing, inliers: 30 };
    expect(compareRuns(mapping(24, 100, 0.5), mapping(23, 900, 0.3))).toEqual({
      aBetter: true,
      by: "registered",
    });
    // A run whose centres leave a quarter of the fixes out loses, whatever it explains.
    expect(compareRuns(mapping(24, 900, 0.3, broken), mapping(24, 100, 0.5, agreeing))).toEqual({
      aBetter: false,
      by: "gps",
    });
    // Within the noise GPS does not rank: the matches do.
    const closer = { ...agreeing, median_residual_m: 1.5 };
    expect(compareRuns(mapping(24, 900, 0.5, agreeing), mapping(24, 800, 0.3, closer))).toEqual({
      aBetter: true,
      by: "explained",
    });
    expect(compareRuns(mapping(24, 900, 0.5), mapping(24, 900, 0.3))).toEqual({
      aBetter: false,
      by: "reprojection",
    });
    expect(gpsDisagrees(null)).toBe(false);
    expect(gpsDisagrees(agreeing)).toBe(false);
    expect(gpsDisagrees(broken)).toBe(true);
    expect(gpsDisagrees({ ...agreeing, sigma_m: 8 })).toBe(true);
  });

  it("measures a model's centres against the fixes: a straight line agrees, a broken one not", async () => {
    const seed = testSeed();
    const rand = mulberry32(seed);
    const n = 40;
    // A flight line 80 m long at 30 m, the camera pitched down; fixes with 1.5 m / 3 m of noise.
    const truth: Pose[] = Array.from({ length: n }, (_, i) => {
      const x = -40 + (80 * i) / (n - 1);
      return lookAt([x, 0, 30], [x + 25, 8, 0]);
    });
    const names = truth.map((_, i) => `clip/frame_${String(i + 1).padStart(6, "0")}.jpg`);
    const gps = truth.map((p) => {
      const g = enuToGeodetic(ORIGIN, [
        p.C[0] + 1.5 * gaussian(rand),
        p.C[1] + 1.5 * gaussian(rand),
        p.C[2] + 3 * gaussian(rand),
      ]);
      return { latitude: g.latitude, longitude: g.longitude, altitude: g.altitude };
    });
    const video: VideoFrames = { images: names, camera: null, gps };
    const fixes = fixesByName([video]);
    expect(fixes.size).toBe(n);
    // COLMAP's frame: a tenth of the scale, turned and moved (the fit finds the similarity).
    const a = 2 * Math.PI * rand();
    const [c, s] = [Math.cos(a), Math.sin(a)];
    const toModel = (p: Pose): Pose => ({
      R: p.R.map((r) => [c * r[0]! - s * r[1]!, s * r[0]! + c * r[1]!, r[2]!]) as Pose["R"],
      C: [0.1 * (c * p.C[0] - s * p.C[1]) + 3, 0.1 * (s * p.C[0] + c * p.C[1]) - 1, 0.1 * p.C[2]],
    });
    const dir = tempDir("gps-agreement");
    const write = (sub: string, poses: Pose[]) => {
      writeRingModel(join(dir, sub), poses.map(toModel));
      return join(dir, sub);
    };
    // writeRingModel names images img<id>.jpg: give the fixes those names.
    const byId = new Map([...fixes.values()].map((info, i) => [`img${i + 1}.jpg`, info]));
    const straight = await gpsAgreement(write("straight", truth), byId, seed);
    expect(straight).not.toBeNull();
    expect(straight!.fixes).toBe(n);
    expect(straight!.inliers).toBeGreaterThanOrEqual(0.9 * n);
    expect(straight!.median_residual_m).toBeLessThan(6);
    expect(gpsDisagrees(straight)).toBe(false);
    // The last third of the line joined 40 m off to the side (a chunk merged wrongly).
    const broken = truth.map((p, i) =>
      i < (2 * n) / 3 ? p : { ...p, C: [p.C[0], p.C[1] + 40, p.C[2]] as Pose["C"] },
    );
    const off = await gpsAgreement(write("broken", broken), byId, seed);
    expect(off).not.toBeNull();
    expect(gpsDisagrees(off)).toBe(true);
    // Too few fixes: no figure (left to the matches).
    const few = new Map([...byId].slice(0, 5));
    expect(await gpsAgreement(join(dir, "straight"), few, seed)).toBeNull();
  });
});
