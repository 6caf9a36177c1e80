// The track test: which whole points it drops from a COLMAP text model (those whose observations
// do not agree with one point within the noise), and what that does to a bundle adjustment.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCamerasBin, readImagesBin, readPoints3DBin } from "../../src/sfm/colmapBinary.js";
import { runColmap } from "../../src/sfm/colmapSteps.js";
import { trimResiduals, trimText } from "../../src/sfm/residualTrim.js";
import { chiSquareQuantile, testTracks, trackTestText } from "../../src/sfm/trackTest.js";
import { arcModel } from "./arcModel.js";
import { testSeed } from "../seed.js";

const [F, CX, CY] = [230, 120, 160];

/**
 * An arc of `views` cameras looking at a cloud of `count` points, every point seen by every view
 * with Gaussian noise of 0.3 px; the points for which `slides(j)` holds are features that are no
 * fixed point: each of their observations is moved `slide` px, outwards from the image centre
 * (`outwards`) or alternately right and left. A COLMAP text model at the true cameras.
 */
function arc(
  seed: number,
  o: { views: number; count: number; slide: number; outwards: boolean },
  slides: (j: number) => boolean,
) {
  const camera = `240 320 ${F} ${CX} ${CY} 0`;
  return arcModel(
    seed,
    { views: o.views, count: o.count, camera },
    (x, y, { view, point, gauss }) => {
      let [u, v] = [F * x, F * y];
      if (slides(point)) {
        const r = Math.hypot(u, v) || 1;
        if (o.outwards) [u, v] = [u + (o.slide * u) / r, v + (o.slide * v) / r];
        else u += view % 2 === 0 ? o.slide : -o.slide;
      }
      return [u + CX + 0.3 * gauss(), v + CY + 0.3 * gauss()];
    },
  );
}

/** The point ids left in a text model's points3D. */
const pointIds = (points: string) =>
  new Set(
    points
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => Number(l.split(" ")[0])),
  );

describe("chiSquareQuantile", () => {
  it("matches the 99 % quantiles of χ² within 1 %", () => {
    // Tabulated: 1 → 6.635, 5 → 15.086, 9 → 21.666, 29 → 49.588 degrees of freedom.
    for (const [k, q] of [
      [1, 6.635],
      [5, 15.086],
      [9, 21.666],
      [29, 49.588],
    ] as const) {
      expect(Math.abs(chiSquareQuantile(k, 2.326) / q - 1)).toBeLessThan(0.01);
    }
  });
});

describe("trackTestText", () => {
  it("drops the points that slide under the trim's limit, and few others", () => {
    const sliding = (j: number) => j % 10 === 0;
    const m = arc(testSeed(), { views: 12, count: 200, slide: 0.8, outwards: false }, sliding);
    // Each sliding observation sits near 0.8 px, under 3 × the median residual (~1.15 px): the
    // trim keeps most of them.
    const trimmed = trimText(m)!;
    expect(trimmed.round.dropped).toBeLessThan(0.3 * 20 * 12);
    const r = trackTestText(m)!;
    expect(r.round.points).toBe(200);
    expect(r.round.sigma_px).toBeGreaterThan(0.25);
    expect(r.round.sigma_px).toBeLessThan(0.45);
    const kept = pointIds(r.model.points);
    const slidingKept = [...kept].filter((id) => sliding(id - 1)).length;
    // A sliding point's SSR / σ² sits near 75 against the quantile's 39: ~2.8 of its spreads.
    expect(slidingKept).toBeLessThanOrEqual(1);
    // 180 true points at the 99 % quantile: about 2 go; more than 8 would be far off.
    expect(180 - (kept.size - slidingKept)).toBeLessThanOrEqual(8);
    expect(r.round.dropped).toBe(200 - kept.size);
    // images.txt no longer names a dropped point.
    const named = r.model.images
      .split("\n")
      .filter((_, n) => n % 2 === 1)
      .flatMap((l) =>
        l
          .split(" ")
          .filter((_, k) => k % 3 === 2)
          .map(Number),
      );
    expect(named.every((id) => id === -1 || kept.has(id))).toBe(true);
  });

  it("leaves models of camera models it cannot project", () => {
    const m = arc(testSeed(), { views: 4, count: 20, slide: 0, outwards: false }, () => false);
    expect(
      trackTestText({ ...m, cameras: "1 OPENCV 240 320 230 230 120 160 0 0 0 0\n" }),
    ).toBeNull();
  });
});

/** Median over consecutive views of the angle between the model's and the truth's relative turn. */
async function relativeTurnErrorDeg(dir: string, views: number): Promise<number> {
  const images = (await readImagesBin(dir)).sort((a, b) => a.id - b.id);
  // Truth: view i turned by a_i about y (as `arc` makes them), so view i+1 is 8° on from view i.
  const errs: number[] = [];
  for (let i = 0; i + 1 < images.length; i++) {
    const [A, B] = [images[i]!.viewmat, images[i + 1]!.viewmat];
    // Relative turn B·Aᵀ (row-major 4 × 4 view matrices), compared with the true turn about y.
    const rel = (r: number, c: number) =>
      B[4 * r]! * A[4 * c]! + B[4 * r + 1]! * A[4 * c + 1]! + B[4 * r + 2]! * A[4 * c + 2]!;
    const b = (8 * Math.PI) / 180;
    const T = [
      [Math.cos(b), 0, -Math.sin(b)],
      [0, 1, 0],
      [Math.sin(b), 0, Math.cos(b)],
    ];
    let tr = 0;
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) tr += rel(r, c) * T[r]![c]!;
    errs.push((Math.acos(Math.min(1, Math.max(-1, (tr - 1) / 2))) * 180) / Math.PI);
  }
  expect(errs).toHaveLength(views - 1);
  return errs.sort((a, b) => a - b)[errs.length >> 1]!;
}

/** Writes a text model as a COLMAP binary model in `dir`. */
async function writeBinary(m: { cameras: string; images: string; points: string }, dir: string) {
  const text = `${dir}_text`;
  await mkdir(text, { recursive: true });
  await writeFile(join(text, "cameras.txt"), m.cameras);
  await writeFile(join(text, "images.txt"), m.images);
  await writeFile(join(text, "points3D.txt"), m.points);
  await mkdir(dir, { recursive: true });
  const convert = ["model_converter", "--input_path", text, "--output_path", dir];
  await runColmap([...convert, "--output_type", "BIN"], "model conversion", undefined);
}

describe("testTracks (COLMAP's bundle adjuster)", () => {
  it("takes out the turn that sliding tracks leave after the trim", async () => {
    const dir = await mkdtemp(join(tmpdir(), "splatbook-tracks-"));
    try {
      // A quarter of the points slide 0.8 px right in even views and left in odd ones: each
      // observation stays within the trim's limit, together they turn the views apart.
      const views = 16;
      const sliding = (j: number) => j % 4 === 0;
      const m = arc(testSeed(), { views, count: 400, slide: 0.8, outwards: false }, sliding);
      await writeBinary(m, join(dir, "bin"));
      // The oracle: the same observations without the sliding points, adjusted once.
      const sole = (l: string) => !sliding(Number(l.split(" ")[0]) - 1);
      const named = (l: string, n: number) =>
        n % 2 === 0
          ? l
          : l
              .split(" ")
              .map((v, k) => (k % 3 === 2 && sliding(Number(v) - 1) ? "-1" : v))
              .join(" ");
      const clean = {
        cameras: m.cameras,
        images: m.images.split("\n").map(named).join("\n"),
        points: m.points
          .split("\n")
          .filter((l) => l === "" || sole(l))
          .join("\n"),
      };
      await writeBinary(clean, join(dir, "clean"));
      await mkdir(join(dir, "oracle"), { recursive: true });
      await runColmap(
        [
          ...["bundle_adjuster", "--input_path", join(dir, "clean")],
          ...["--output_path", join(dir, "oracle")],
          ...["--BundleAdjustment.refine_principal_point", "0"],
          ...["--BundleAdjustment.refine_extra_params", "0"],
        ],
        "bundle adjustment",
        undefined,
      );
      const oracleErr = await relativeTurnErrorDeg(join(dir, "oracle"), views);
      await trimResiduals(join(dir, "bin"), join(dir, "trimmed"), false, {});
      const trimmedIds = Array.from((await readPoints3DBin(join(dir, "trimmed"))).ids, Number);
      // The trim alone leaves the sliding points: each of their observations is under its limit.
      expect(trimmedIds.filter((id) => sliding(id - 1)).length).toBeGreaterThanOrEqual(90);
      const r = await testTracks(join(dir, "trimmed"), join(dir, "tested"), false, {});
      expect(r?.kept).toBe(true);
      const ids = Array.from((await readPoints3DBin(join(dir, "tested"))).ids, Number);
      expect(ids.filter((id) => sliding(id - 1)).length).toBeLessThanOrEqual(3);
      // Of the 300 true points about 1 % a round may go.
      expect(ids.length).toBeGreaterThanOrEqual(300 - 20);
      const testedErr = await relativeTurnErrorDeg(join(dir, "tested"), views);
      // The views' relative turns come out as well as without the sliding points at all (the
      // noise and the free focal length leave ~0.05° in this arc). Whether the trim's own turn
      // is worse depends on the draw (one seed in ~20 left it under the oracle's), so the test's
      // gain is shown by the points above, not by comparing the two turns.
      expect(testedErr).toBeLessThan(oracleErr * 1.25 + 0.005);
      expect((await readImagesBin(join(dir, "tested"))).length).toBe(views);
      // The focal length held stays where it was.
      const held = await testTracks(join(dir, "trimmed"), join(dir, "held"), true, {});
      expect(held?.kept).toBe(true);
      const fx = async (d: string) => [...(await readCamerasBin(d)).values()][0]!.fx;
      expect(await fx(join(dir, "held"))).toBeCloseTo(await fx(join(dir, "trimmed")), 9);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
