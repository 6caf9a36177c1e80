import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCamerasBin, readPoints3DBin } from "../../src/sfm/colmapBinary.js";
import { runColmap } from "../../src/sfm/colmapSteps.js";
import { quaternionFromRotation } from "../../src/sfm/georef/similarity.js";
import {
  MAPPER_FILTER_PX,
  OUTLIER_FACTOR,
  outlierThresholdPx,
  refineWithoutOutliers,
} from "../../src/sfm/outlierRefine.js";
import { gaussian } from "../../src/util/geodesy.js";
import { mulberry32 } from "../../src/util/random.js";
import { testSeed } from "../seed.js";
import { lookAt } from "./ringScene.js";

const [F, W, H] = [300, 320, 240];

/**
 * A model as the mapper leaves it, in COLMAP's binary format: 10 cameras on a 60° arc round a
 * cloud of points, observations with 0.3 px of noise, and 8 % of them moved 3.5 px outward from
 * the image centre (within the mapper's 4 px, as mismatches and blurred features are): a
 * least-squares adjustment reads that push as a shorter focal length. Returns how many were
 * pushed.
 */
async function writeModel(dir: string, seed: number): Promise<number> {
  const rand = mulberry32(seed);
  const points = Array.from(
    { length: 400 },
    () => [4 * rand() - 2, 4 * rand() - 2, 3 * rand()] as [number, number, number],
  );
  const poses = Array.from({ length: 10 }, (_, i) => {
    const a = (Math.PI / 3) * (i / 9);
    return lookAt([9 * Math.cos(a), 9 * Math.sin(a), 2], [0, 0, 1.5]);
  });
  let pushed = 0;
  const tracks = points.map(() => [] as [number, number, number][]); // image, index, error
  const images = poses.map((p, i) => {
    const obs: string[] = [];
    points.forEach((X, k) => {
      const d = [X[0] - p.C[0], X[1] - p.C[1], X[2] - p.C[2]];
      const [x, y, z] = p.R.map((r) => r[0]! * d[0]! + r[1]! * d[1]! + r[2]! * d[2]!);
      let [u, v] = [(F * x!) / z! + W / 2, (F * y!) / z! + H / 2];
      if (u < 0 || u >= W || v < 0 || v >= H) return;
      const [nu, nv] = [0.3 * gaussian(rand), 0.3 * gaussian(rand)];
      let [eu, ev] = [nu, nv];
      if (rand() < 0.08) {
        const r = Math.hypot(u - W / 2, v - H / 2) || 1;
        pushed++;
        // The push replaces the noise: with noise added, a −3σ draw along the push left one
        // pushed observation in ~2000 at 2.6 px, under the limit (seed 1832521679).
        [eu, ev] = [(3.5 * (u - W / 2)) / r, (3.5 * (v - H / 2)) / r];
      }
      [u, v] = [u + eu, v + ev];
      tracks[k]!.push([i + 1, obs.length, Math.hypot(eu, ev)]);
      obs.push(`${u} ${v} ${k + 1}`);
    });
    const q = quaternionFromRotation(p.R);
    const t = p.R.map((r) => -(r[0]! * p.C[0] + r[1]! * p.C[1] + r[2]! * p.C[2]));
    return `${i + 1} ${[...q, ...t].join(" ")} 1 img${i + 1}.jpg\n${obs.join(" ")}`;
  });
  const text = join(dir, "text");
  await mkdir(text, { recursive: true });
  await writeFile(
    join(text, "cameras.txt"),
    `1 SIMPLE_RADIAL ${W} ${H} ${F} ${W / 2} ${H / 2} 0\n`,
  );
  await writeFile(join(text, "images.txt"), images.join("\n") + "\n");
  const lines = points.map((X, k) => {
    const t = tracks[k]!;
    const err = t.reduce((s, o) => s + o[2], 0) / t.length;
    return `${k + 1} ${X.join(" ")} 128 128 128 ${err} ${t.map((o) => `${o[0]} ${o[1]}`).join(" ")}`;
  });
  await writeFile(join(text, "points3D.txt"), lines.join("\n") + "\n");
  await mkdir(join(dir, "model"), { recursive: true });
  await runColmap(
    [
      "model_converter",
      ...["--input_path", text, "--output_path", join(dir, "model"), "--output_type", "BIN"],
    ],
    "model conversion",
    undefined,
  );
  return pushed;
}

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "splatbook-outliers-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the last bundle adjustment without outlying observations (real COLMAP)", () => {
  it("sets its limit from the median point error", () => {
    expect(outlierThresholdPx([0.2, 0.3, 0.4, -1])).toBeCloseTo(OUTLIER_FACTOR * 0.3, 12);
  });

  it("drops the observations the noise does not explain, and holds the focal length when told", async () => {
    const seed = testSeed();
    const work = join(dir, String(seed));
    const pushed = await writeModel(work, seed);
    const model = join(work, "model");
    const observations = async (d: string) =>
      (await readPoints3DBin(d)).trackLength.reduce((n, k) => n + k, 0);
    const { dir: out, record } = await refineWithoutOutliers(
      model,
      join(work, "refined"),
      false,
      {},
    );
    expect(out).not.toBeNull();
    expect(record.kept).toBe(true);
    expect(record.threshold_px).toBeLessThan(MAPPER_FILTER_PX);
    // Every pushed observation goes (3.5 px against a limit near 2.5 px), no clean one
    // (0.3 px of noise: beyond 2 px once in 10^9).
    const dropped = (await observations(model)) - (await observations(out!));
    expect(dropped).toBe(pushed);
    expect(record.points_after).toBe(record.points_before);
    expect(record.mean_reprojection_error_after).toBeLessThan(
      record.mean_reprojection_error_before / 1.5,
    );
    const focal = async (d: string) => [...(await readCamerasBin(d)).values()][0]!.fx;
    expect(await focal(out!)).not.toBe(F); // refined
    const held = await refineWithoutOutliers(model, join(work, "held"), true, {});
    expect(await focal(held.dir!)).toBe(F);
    expect((await observations(held.dir!)) - (await observations(model))).toBe(-pushed);
  });
});
