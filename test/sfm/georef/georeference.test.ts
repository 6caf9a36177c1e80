import { describe, expect, it } from "vitest";
import { GeorefSchema } from "../../../src/contracts/georef.js";
import { corpusCapture } from "../../../src/sample/corpus.js";
import { SITE_ORIGIN } from "../../../src/sample/shots.js";
import { georeference, NO_GPS_SUMMARY } from "../../../src/sfm/georef/georeference.js";
import {
  applySimilarity,
  dot,
  mulMat,
  norm,
  sub,
  type Vec3,
} from "../../../src/sfm/georef/similarity.js";
import { enuToGeodetic, geodeticToEnu, utmEpsg } from "../../../src/util/geodesy.js";
import { makeRandom, testSeed } from "../../seed.js";
import { noisyFixes, randomModelFrame, registeredCameras, truthCameras } from "./synthetic.js";

const DEG = 180 / Math.PI;

/** Angle between the record's z axis and true up, degrees. */
function upError(transform: number[][], M: { R: number[][] }): number {
  // The record's rotation part (scale 1 here), applied to the model's true up.
  const upModel = mulMat(M.R as never, [0, 0, 1]);
  const local = [0, 1, 2].map((r) => dot(transform[r]!.slice(0, 3), upModel));
  return Math.acos(Math.min(1, local[2]! / norm(local))) * DEG;
}

describe("georeference without GPS", () => {
  for (const name of ["sample", "courtyard-duo", "studio-trio", "courtyard-phone"]) {
    it(`puts z within 5° of true up on ${name} (level orbits and walks)`, () => {
      const seed = testSeed();
      const M = randomModelFrame(makeRandom(seed));
      const cams = truthCameras(corpusCapture(name).truth());
      const { cams: reg, infos } = registeredCameras(cams, M, {
        origin: SITE_ORIGIN,
        fixes: cams.map(() => null),
      });
      const { georef } = georeference(reg, infos);
      expect(GeorefSchema.parse(georef)).toBeTruthy();
      expect(georef.method).toBe("gravity");
      expect(georef.frame).toBe("gravity-up");
      expect(georef.summary).toContain(NO_GPS_SUMMARY);
      expect(georef.scale).toBeNull();
      expect(georef.origin).toBeNull();
      expect(georef.epsg).toBeNull();
      expect(georef.gravity.method).toBe("cameras");
      expect(upError(georef.transform, M)).toBeLessThan(name === "courtyard-phone" ? 2 : 1);
      // Scale 1: distances stay COLMAP's.
      const d0 = norm(sub(georef.cameras[0]!.enu, georef.cameras[1]!.enu));
      const m0 = norm(
        sub(applySimilarity(M, cams[0]!.centre), applySimilarity(M, cams[1]!.centre)),
      );
      expect(d0).toBeCloseTo(m0, 2);
    });
  }

  it("says so when a straight pass at one heading leaves only the cameras' mean up", () => {
    const M = randomModelFrame(makeRandom(5));
    const cams = truthCameras(corpusCapture("drone-video-srt").truth());
    const { cams: reg, infos } = registeredCameras(cams, M, {
      origin: SITE_ORIGIN,
      fixes: cams.map(() => null),
    });
    const { georef } = georeference(reg, infos);
    expect(georef.gravity.method).toBe("mean_up");
    expect(georef.gravity.note).toMatch(/parallel/);
  });
});

describe("georeference with GPS", () => {
  it("fits the drone survey in ENU metres around the median fix and names its outliers", () => {
    const seed = testSeed();
    const M = randomModelFrame(makeRandom(seed));
    const cams = truthCameras(corpusCapture("drone-survey").truth());
    const truth = cams.map((c) => c.centre as Vec3);
    const { fixes, outliers } = noisyFixes(truth, {
      ...{ horizontal: 2, vertical: 4, outlierFraction: 0.1, seed },
    });
    const pitch = (i: number) => (cams[i]!.rotation[2]![2]! < -0.9 ? -90 : -40);
    const { cams: reg, infos } = registeredCameras(cams, M, { origin: SITE_ORIGIN, fixes, pitch });
    const { georef, T } = georeference(reg, infos, { seed });
    expect(GeorefSchema.parse(georef)).toBeTruthy();
    expect(georef.method).toBe("gps");
    expect(georef.frame).toBe("ENU");
    expect(georef.epsg).toBe("EPSG:32632"); // Zürich
    expect(georef.gps_source).toBe("exif");
    expect(georef.origin!.height_ref).toBe("msl");
    expect(georef.origin!.lat * 1e5).toBeCloseTo(Math.round(georef.origin!.lat * 1e5), 6);
    expect(Math.abs(georef.origin!.lat - SITE_ORIGIN.latitude)).toBeLessThan(1e-3);
    expect(georef.total).toBe(cams.length);
    expect(georef.inliers).toBe(cams.length - georef.outliers.length);
    expect(georef.outliers).toEqual(
      expect.arrayContaining([...outliers].map((i) => cams[i]!.name)),
    );
    expect(
      georef.cameras
        .filter((c) => c.outlier)
        .map((c) => c.image)
        .sort(),
    ).toEqual([...georef.outliers].sort());
    // Fitted positions against the truth, both in the record's ENU frame.
    const o = {
      latitude: georef.origin!.lat,
      longitude: georef.origin!.lon,
      altitude: georef.origin!.height,
    };
    const errs = georef.cameras.map((c, i) =>
      norm(sub(c.enu, geodeticToEnu(o, enuToGeodetic(SITE_ORIGIN, truth[i]!)))),
    );
    const rmse = Math.sqrt(errs.reduce((a, e) => a + e * e, 0) / errs.length);
    // The fit's own uncertainty: 7 parameters from ~70 inlier fixes of σ (2, 2, 4) m leave an
    // expected RMSE of √(24 · 7 / (3 · 70)) ≈ 0.9 m, a scaled χ² of 7 degrees of freedom whose
    // 99.99 % quantile is ≈ 1.9 m (1.5 m failed 3 seeds of 400: 53, 168, 319, at 1.62–1.74 m).
    expect(rmse).toBeLessThan(2);
    expect(georef.scale).toBeCloseTo(T.s, 12);
    expect(georef.transform[3]).toEqual([0, 0, 0, 1]);
  });

  it("takes the roll about a straight flight line from the cameras' horizons", () => {
    const seed = testSeed();
    const M = randomModelFrame(makeRandom(seed));
    const capture = corpusCapture("drone-video-srt").truth();
    const cams = truthCameras(capture);
    const truth = cams.map((c) => c.centre as Vec3);
    const { fixes } = noisyFixes(truth, { horizontal: 1.5, vertical: 3, outlierFraction: 0, seed });
    const { cams: reg, infos } = registeredCameras(cams, M, {
      ...{ origin: SITE_ORIGIN, fixes, source: "dji-srt" },
    });
    const { georef } = georeference(reg, infos, { seed });
    expect(georef.method).toBe("gps");
    expect(georef.gps_source).toBe("dji-srt");
    expect(georef.gravity.cameras).toBeGreaterThan(40);
    // One heading: the level horizons fix the roll about the line, the fixes the line's slope
    // (3 m altitudes over 40 m), so the tilt is known to a few degrees, as the record says.
    const tilt = georef.precision!.tilt_deg!;
    expect(tilt).toBeGreaterThan(0.5);
    expect(tilt).toBeLessThan(5);
    expect(upError(georef.transform, M)).toBeLessThan(4 * tilt);
    expect(georef.cameras[3]!.image).toBe("DJI_0012.MP4");
    expect(georef.cameras[3]!.frame).toBe(3);
  });

  it("falls back to gravity, saying why, when the fixes are too close together for their accuracy", () => {
    const M = randomModelFrame(makeRandom(9));
    const cams = truthCameras(corpusCapture("courtyard-duo").truth()); // a few metres across
    const truth = cams.map((c) => c.centre as Vec3);
    const { fixes } = noisyFixes(truth, {
      horizontal: 3,
      vertical: 6,
      outlierFraction: 0,
      seed: 9,
    });
    const { cams: reg, infos } = registeredCameras(cams, M, { origin: SITE_ORIGIN, fixes });
    const { georef } = georeference(reg, infos);
    expect(georef.method).toBe("gravity");
    expect(georef.summary).toMatch(
      /^no GPS: scale unknown, z = gravity up estimated from cameras \(the GPS fixes are too close together/,
    );
    expect(georef.total).toBe(cams.length);
  });

  it("needs three fixes: two video tags are not enough", () => {
    const M = randomModelFrame(makeRandom(3));
    const cams = truthCameras(corpusCapture("sample").truth());
    const fixes = cams.map((c, i) => (i === 0 || i === 60 ? (c.centre as Vec3) : null));
    const { cams: reg, infos } = registeredCameras(cams, M, { origin: SITE_ORIGIN, fixes });
    const { georef } = georeference(reg, infos);
    expect(georef.method).toBe("gravity");
    expect(georef.summary).toContain("2 registered image(s) with GPS (3 needed)");
  });
});

describe("utmEpsg", () => {
  it("names the zone, with Norway's and Svalbard's exceptions", () => {
    expect(utmEpsg(47.3769, 8.5417)).toBe("EPSG:32632");
    expect(utmEpsg(-33.86, 151.21)).toBe("EPSG:32756");
    expect(utmEpsg(51.5, -0.12)).toBe("EPSG:32630");
    expect(utmEpsg(60.39, 5.32)).toBe("EPSG:32632"); // Bergen: 32V
    expect(utmEpsg(78.22, 15.65)).toBe("EPSG:32633"); // Longyearbyen: 33X
    expect(utmEpsg(0, 180)).toBe("EPSG:32601");
  });
});
