// cameras.json from posed cameras: the world's up and the point the cameras look at, on random
// orbits (every camera aimed at a known point, with roll) and on a forward walk.
import { describe, expect, it } from "vitest";
import { lookAtPoint, worldUp } from "../../src/train/viewCameras.js";
import { makeRandom, testSeed } from "../seed.js";
import { cross, sub, unit, type Vec3 } from "../../src/util/vec3.js";

/** World→camera (row-major 4×4, OpenCV axes) of a camera at `eye` looking at `at`, rolled. */
function lookAtViewmat(eye: Vec3, at: Vec3, up: Vec3, rollRad: number): number[] {
  const f = unit(sub(at, eye));
  const r0 = unit(cross(f, up)); // right = forward × up (y down)
  const d0 = cross(f, r0); // down
  const c = Math.cos(rollRad);
  const s = Math.sin(rollRad);
  const r = r0.map((v, i) => c * v + s * d0[i]!) as Vec3;
  const d = d0.map((v, i) => -s * r0[i]! + c * v) as Vec3;
  const t = [r, d, f].map((row) => -(row[0] * eye[0] + row[1] * eye[1] + row[2] * eye[2]));
  return [...r, t[0]!, ...d, t[1]!, ...f, t[2]!, 0, 0, 0, 1];
}

describe("view cameras", () => {
  it("find the world's up and the orbit's centre on random orbits", () => {
    const rand = makeRandom(testSeed());
    for (let trial = 0; trial < 10; trial++) {
      const up = unit([rand() - 0.5, rand() - 0.5, rand() - 0.5]);
      const centre: Vec3 = [rand() * 10 - 5, rand() * 10 - 5, rand() * 10 - 5];
      const a = unit(cross(up, [0.3, 0.5, 0.7]));
      const b = cross(up, a);
      const radius = 2 + rand() * 8;
      const viewmats = Array.from({ length: 40 }, (_, k) => {
        const th = (k / 40) * Math.PI * (1 + rand());
        const eye = [0, 1, 2].map(
          (i) =>
            centre[i]! +
            radius * (Math.cos(th) * a[i]! + Math.sin(th) * b[i]!) +
            0.4 * radius * up[i]!,
        ) as Vec3;
        return lookAtViewmat(eye, centre, up, (rand() - 0.5) * 0.1);
      });
      const found = worldUp(viewmats);
      // The cameras look down at the centre, so their mean up tilts, but stays near the world's.
      expect(found[0] * up[0] + found[1] * up[1] + found[2] * up[2]).toBeGreaterThan(0.9);
      // A wrong depth guess (twice the true distance) moves the point by ≤ 5 % of the radius.
      const p = lookAtPoint(viewmats, 2 * radius);
      expect(Math.hypot(...sub(p, centre))).toBeLessThan(0.05 * radius);
    }
  });

  it("puts the point in front of a forward walk, at the given depth", () => {
    const up: Vec3 = [0, -1, 0];
    const viewmats = Array.from({ length: 30 }, (_, k) =>
      lookAtViewmat([0.01 * Math.sin(k), 0, k * 0.2], [0, 0, k * 0.2 + 10], up, 0),
    );
    const p = lookAtPoint(viewmats, 4);
    // Mean camera z is 2.9: the point lies about 4 ahead of the cameras' centroid.
    expect(p[2]).toBeGreaterThan(2.9 + 2);
    expect(Math.abs(p[0])).toBeLessThan(0.5);
    expect(Math.abs(p[1])).toBeLessThan(0.5);
  });
});
