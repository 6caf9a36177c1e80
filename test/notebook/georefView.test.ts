import { describe, expect, it } from "vitest";
import { formatStatus } from "../../src/cli/commands/status.js";
import { EMPTY_COMPLETED_STAGES, type Checkpoint } from "../../src/contracts/index.js";
import { GEOREF_MIME, GeorefPayloadSchema } from "../../src/contracts/mime.js";
import { MIME_BUNDLE } from "../../src/jupyter/runtime.js";
import { distance, georeferenceResult } from "../../src/notebook/georefView.js";
import { corpusCapture } from "../../src/sample/corpus.js";
import { SITE_ORIGIN } from "../../src/sample/shots.js";
import { georeference } from "../../src/sfm/georef/georeference.js";
import type { Vec3 } from "../../src/sfm/georef/similarity.js";
import {
  noisyFixes,
  randomModelFrame,
  registeredCameras,
  truthCameras,
} from "../sfm/georef/synthetic.js";
import { makeRandom } from "../seed.js";

function record(name: string, withGps: boolean) {
  const cams = truthCameras(corpusCapture(name).truth());
  const truth = cams.map((c) => c.centre as Vec3);
  const { fixes } = noisyFixes(truth, {
    horizontal: 2,
    vertical: 4,
    outlierFraction: 0.1,
    seed: 4,
  });
  const M = randomModelFrame(makeRandom(4));
  const { cams: reg, infos } = registeredCameras(cams, M, {
    origin: SITE_ORIGIN,
    fixes: withGps ? fixes : cams.map(() => null),
  });
  return { georef: georeference(reg, infos, { seed: 4 }).georef, cams, truth };
}

describe("job.georeference()'s result", () => {
  it("measures the model in metres, by coordinates or image names", () => {
    const { georef, truth } = record("drone-survey", true);
    const geo = georeferenceResult({ job_id: "j", output_folder: "/o", georef });
    const a = geo.position("DJI_0001.JPG");
    const b = geo.position("DJI_0015.JPG"); // the end of the first 112 m row
    expect(geo.distance("DJI_0001.JPG", "DJI_0015.JPG")).toBeCloseTo(distance(a, b), 9);
    expect(Math.abs(geo.distance(a, b) - distance(truth[0]!, truth[14]!))).toBeLessThan(1.5);
    expect(geo.distance([0, 0, 0], [3, 4, 12])).toBe(13);
    expect(() => geo.position("nope.jpg")).toThrow(/no registered image "nope.jpg"/);
  });

  it("refuses metres when the scale is unknown (no GPS)", () => {
    const { georef } = record("sample", false);
    const geo = georeferenceResult({ job_id: "j", output_folder: "/o", georef });
    expect(() => geo.distance([0, 0, 0], [1, 0, 0])).toThrow(
      /no GPS: the model's scale is unknown/,
    );
  });

  it("displays the cameras top-down with their fixes, outliers and residuals", () => {
    const { georef } = record("drone-survey", true);
    const bundle = georeferenceResult({ job_id: "j", output_folder: "/o", georef })[MIME_BUNDLE]();
    expect(GeorefPayloadSchema.parse(bundle[GEOREF_MIME]).georef.cameras).toHaveLength(87);
    const html = String(bundle["text/html"]);
    expect(html).toContain("<svg");
    expect(html.match(/<circle [^>]*fill="#d62728"/g)?.length).toBe(georef.outliers.length);
    expect(html).toContain("largest residuals");
    const text = String(bundle["text/plain"]);
    expect(text).toMatch(/^georeference {2}GPS \(exif\): \d+\/87 fixes kept/);
    expect(text).toMatch(
      /origin {6}47\.\d+, 8\.\d+, \d+ m \(msl\); ENU: x east, y north, z up, metres/,
    );
    expect(text).toMatch(/outliers {4}9: /);
  });
});

describe("splatbook status", () => {
  it("prints the reconstruction's origin, scale and RMSE", () => {
    const { georef } = record("drone-survey", true);
    const cp = {
      ...{
        job_id: "j",
        stage: "Training",
        input_folder: "/i",
        output_folder: "/o",
        temp_folder: "/t",
      },
      ...{
        timestamp: Date.now() / 1000,
        completed_stages: EMPTY_COMPLETED_STAGES,
        schema_version: 1,
      },
      ...{ progress_percentage: 62.5, started_at: "2026-01-01T00:00:00Z", error: null },
      stages: {
        ColmapReconstruction: {
          ...{ state: "completed", fingerprint: "f", started_at: null, finished_at: null },
          ...{ duration_secs: 1, result: { registered_images: 87, georef } },
        },
      },
    } as Checkpoint;
    const text = formatStatus(cp, undefined);
    expect(text).toContain(`origin      ${georef.origin!.lat}, ${georef.origin!.lon}`);
    expect(text).toMatch(/scale {7}[\d.e-]+ m per COLMAP unit; RMSE \d+\.\d\d m/);
    expect(text).toContain("map         EPSG:32632");
    const none = record("sample", false).georef;
    const cp2 = structuredClone(cp);
    (cp2.stages.ColmapReconstruction!.result as { georef: unknown }).georef = none;
    expect(formatStatus(cp2, undefined)).toContain(
      "georeference  no GPS: scale unknown, z = gravity up estimated from cameras",
    );
  });
});
