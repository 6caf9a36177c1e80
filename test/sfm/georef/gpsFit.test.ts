import { describe, expect, it } from "vitest";
import { droneSurvey } from "../../../src/sample/photoCaptures.js";
import { fitGps, MIN_SIGMA } from "../../../src/sfm/georef/gpsFit.js";
import { constraintOf } from "../../../src/sfm/georef/gravity.js";
import { gaussian } from "../../../src/util/geodesy.js";
import {
  add,
  applySimilarity,
  matMul,
  mulMat,
  norm,
  sub,
  type Similarity,
  type Vec3,
} from "../../../src/sfm/georef/similarity.js";
import { makeRandom, testSeed } from "../../seed.js";
import { noisyFixes, randomModelFrame, rotationInModel, truthCameras } from "./synthetic.js";

const DEG = 180 / Math.PI;

/** Heading (°), tilt (°) and scale error (%) of a fit whose truth is the inverse of M. */
function errors(T: Similarity, M: Similarity) {
  const D = matMul(T.R, M.R); // identity when right
  const z = mulMat(D, [0, 0, 1]);
  return {
    heading: Math.abs(Math.atan2(D[1][0] - D[0][1], D[0][0] + D[1][1]) * DEG),
    tilt: Math.acos(Math.min(1, z[2])) * DEG,
    scale: Math.abs(T.s * M.s - 1) * 100,
  };
}

describe("fitGps on the drone survey's true cameras in a random model frame", () => {
  const cams = truthCameras(droneSurvey().truth());
  const truth = cams.map((c) => c.centre as Vec3);
  const nadir = (i: number) => (cams[i]!.rotation[2]![2]! < -0.9 ? -90 : -40);

  it("flags every 50 m outlier and stays within its own standard errors (σ 2 m / 4 m, 10 % outliers)", () => {
    const seed = testSeed();
    const M = randomModelFrame(makeRandom(seed));
    const model = truth.map((c) => applySimilarity(M, c));
    const noise = { horizontal: 2, vertical: 4, outlierFraction: 0.1, seed };
    const { fixes, outliers } = noisyFixes(truth, noise);
    const constraints = cams.map((c, i) =>
      constraintOf({ rotation: rotationInModel(c.rotation, M), pitchDeg: nadir(i) }),
    );
    const fit = fitGps({
      model,
      gps: fixes,
      seed,
      gravity: { constraints, up: mulMat(M.R, [0, 0, 1]) },
    })!;
    const e = errors(fit.T, M);
    const flagged = fit.inlier.flatMap((ok, i) => (ok ? [] : [i]));
    expect(flagged).toEqual(expect.arrayContaining([...outliers]));
    expect(flagged.length - outliers.size).toBeLessThanOrEqual(2); // χ² 99.9 %: ~0.1 % of inliers
    expect(fit.sigma.source).toBe("estimated");
    expect(fit.sigma.horizontal).toBeGreaterThan(1.4);
    expect(fit.sigma.horizontal).toBeLessThan(2.8);
    expect(fit.sigma.vertical).toBeGreaterThan(2.8);
    expect(fit.sigma.vertical).toBeLessThan(5.6);
    expect(fit.gravity.used).toBeGreaterThan(70);
    const p = fit.precision;
    expect(e.heading).toBeLessThanOrEqual(4 * p.heading_deg!);
    expect(e.tilt).toBeLessThanOrEqual(4 * p.tilt_deg!);
    expect(e.scale).toBeLessThanOrEqual(4 * p.scale_pct!);
    expect(e.heading).toBeLessThan(1.5);
    expect(e.tilt).toBeLessThan(0.5); // the gimbals' gravity, not the 4 m altitudes
  });

  it("without the cameras' gravity, tilt rests on the altitudes alone", () => {
    const seed = testSeed();
    const M = randomModelFrame(makeRandom(seed));
    const model = truth.map((c) => applySimilarity(M, c));
    const { fixes } = noisyFixes(truth, { horizontal: 2, vertical: 4, outlierFraction: 0, seed });
    const fit = fitGps({ model, gps: fixes, seed })!;
    expect(fit.gravity.used).toBe(0);
    expect(fit.precision.tilt_deg!).toBeGreaterThan(0.7); // 4 m / (≈30 m × √87)
    expect(errors(fit.T, M).tilt).toBeLessThanOrEqual(4 * fit.precision.tilt_deg!);
  });

  it("is exact with exact fixes, whatever the model frame", () => {
    const seed = testSeed();
    const M = randomModelFrame(makeRandom(seed));
    const model = truth.map((c) => applySimilarity(M, c));
    const fit = fitGps({ model, gps: truth, seed })!;
    const e = errors(fit.T, M);
    expect(e.heading).toBeLessThan(1e-4); // degrees
    expect(e.tilt).toBeLessThan(1e-4);
    expect(e.scale).toBeLessThan(1e-6); // percent
    expect(fit.inlier.every(Boolean)).toBe(true);
    const worst = Math.max(...model.map((c, i) => norm(sub(applySimilarity(fit.T, c), truth[i]!))));
    expect(worst).toBeLessThan(1e-6);
  });

  it("flags nothing on an RTK capture whose reconstruction is off by centimetres, and still flags a 1 m fix", () => {
    const seed = testSeed();
    const rand = makeRandom(seed);
    const M = randomModelFrame(rand);
    // SfM's camera centres scatter by ~2 cm per axis, three by 12 cm; RTK fixes by 1 / 1.5 cm.
    const off = (k: number): Vec3 => [gaussian(rand) * k, gaussian(rand) * k, gaussian(rand) * k];
    const sfm = truth.map((c, i) => add(c, i % 29 === 0 ? [0.12, 0, 0] : off(0.02)));
    const model = sfm.map((c) => applySimilarity(M, c));
    const rtk = truth.map((c) =>
      add(c, [gaussian(rand) * 0.01, gaussian(rand) * 0.01, gaussian(rand) * 0.015]),
    );
    const fit = fitGps({ model, gps: rtk, seed })!;
    expect(fit.inlier.every(Boolean)).toBe(true);
    expect(fit.sigma.horizontal).toBeGreaterThanOrEqual(MIN_SIGMA.horizontal);
    expect(fit.sigma.vertical).toBeGreaterThanOrEqual(MIN_SIGMA.vertical);
    const worst = Math.max(...model.map((c, i) => norm(sub(applySimilarity(fit.T, c), sfm[i]!))));
    expect(worst).toBeLessThan(0.05); // the fit itself is still at centimetres
    const jumped = rtk.map((g, i): Vec3 => (i === 40 ? add(g, [0.7, -0.7, 0]) : g));
    const again = fitGps({ model, gps: jumped, seed })!;
    expect(again.inlier.flatMap((ok, i) => (ok ? [] : [i]))).toEqual([40]);
  });

  it("needs three fixes", () => {
    expect(
      fitGps({
        model: [
          [0, 0, 0],
          [1, 0, 0],
        ],
        gps: [
          [0, 0, 0],
          [1, 0, 0],
        ],
        seed: 1,
      }),
    ).toBeNull();
  });
});
