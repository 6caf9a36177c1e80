// Whether a camera path pins the focal length (the viewing-direction spread), and the decision to
// refine the focal lengths or hold them at their priors. The paths are the corpus captures' true
// cameras (the renderer's), so the measure is checked on the poses the bench reconstructs.
import { describe, expect, it } from "vitest";
import { corpusCapture } from "../../src/sample/corpus.js";
import type { CaptureTruth } from "../../src/sample/truth.js";
import { reseatText } from "../../src/sfm/focalReseat.js";
import {
  decideFocal,
  MAX_FIRM_DRIFT,
  MIN_VIEW_SPREAD_DEG,
  viewSpreadDeg,
  type FocalGroup,
} from "../../src/sfm/focalHold.js";

type M3 = number[][];

/** Optical axes (third rotation rows) of every true camera of a capture. */
function axes(t: CaptureTruth): number[][] {
  return [
    ...t.photos.map((p) => p.rotation[2]!),
    ...t.videos.flatMap((v) => v.frames.map((f) => f.rotation[2]!)),
  ];
}

const mul = (a: M3, b: M3): M3 =>
  a.map((r) => b[0]!.map((_, j) => r.reduce((s, x, k) => s + x * b[k]![j]!, 0)));
const apply = (a: M3, v: number[]) => a.map((r) => r.reduce((s, x, k) => s + x * v[k]!, 0));
const transpose = (a: M3): M3 => a[0]!.map((_, j) => a.map((r) => r[j]!));

/** Pixel of world point X through a camera of focal f (principal point 0), rotation R, centre C. */
function project(f: number, r: M3, c: number[], x: number[]): [number, number] {
  const p = apply(
    r,
    x.map((v, i) => v - c[i]!),
  );
  return [(f * p[0]!) / p[2]!, (f * p[1]!) / p[2]!];
}

describe("viewing-direction spread", () => {
  it("is 0 for one direction and the RMS angle about the mean otherwise", () => {
    expect(
      viewSpreadDeg([
        [0, 0, 1],
        [0, 0, 2],
        [0, 0, 1],
      ]),
    ).toBe(0);
    const t = (deg: number) => [
      Math.sin((deg * Math.PI) / 180),
      0,
      Math.cos((deg * Math.PI) / 180),
    ];
    expect(viewSpreadDeg([t(-10), t(10)])).toBeCloseTo(10, 9);
    expect(viewSpreadDeg([t(0)])).toBe(0);
    // One frame of twenty misplaced by the mapper (95° away) is left out; three are not.
    const pass = Array.from({ length: 20 }, (_, i) => t(i === 13 ? 95 : 0.1 * (i % 2)));
    expect(viewSpreadDeg(pass)).toBeLessThan(0.1);
    const three = pass.map((a, i) => (i < 3 ? t(60) : a));
    expect(viewSpreadDeg(three)).toBeGreaterThan(MIN_VIEW_SPREAD_DEG);
  });

  it("calls the straight drone pass degenerate and the surveys, orbits and walks not", () => {
    const drone = viewSpreadDeg(axes(corpusCapture("drone-video-srt").truth()));
    expect(drone).toBeLessThan(0.01);
    const survey = corpusCapture("drone-survey").truth();
    // Nadir rows flown back and forth only turn about the optical axis: no help to the focal.
    const nadir = survey.photos.map((p) => p.rotation[2]!).filter((a) => a[2]! < -0.99);
    expect(nadir.length).toBe(75);
    expect(viewSpreadDeg(nadir)).toBeLessThan(MIN_VIEW_SPREAD_DEG);
    // Its 12 oblique photos give the variety that pins it.
    expect(viewSpreadDeg(axes(survey))).toBeGreaterThan(3 * MIN_VIEW_SPREAD_DEG);
    for (const name of ["sample", "handheld-photos", "mixed-courtyard", "garden-walk"])
      expect(viewSpreadDeg(axes(corpusCapture(name).truth())), name).toBeGreaterThan(
        MIN_VIEW_SPREAD_DEG,
      );
  });

  it("is the exact focal/depth ambiguity: one viewing direction fits any focal length", () => {
    // Cameras with one viewing direction, turned about it, on a non-planar path over a 3D scene:
    // focal a·f with the scene and centres stretched by R0ᵀ·diag(1/a, 1/a, 1)·R0 gives the same
    // pixels.
    const c = Math.cos(0.7);
    const s = Math.sin(0.7);
    const r0: M3 = [
      [1, 0, 0],
      [0, c, -s],
      [0, s, c],
    ];
    const turn = (g: number): M3 => [
      [Math.cos(g), -Math.sin(g), 0],
      [Math.sin(g), Math.cos(g), 0],
      [0, 0, 1],
    ];
    const a = 1.8;
    const stretch = mul(
      transpose(r0),
      mul(
        [
          [1 / a, 0, 0],
          [0, 1 / a, 0],
          [0, 0, 1],
        ],
        r0,
      ),
    );
    const points = [
      [1, 2, 30],
      [-3, 1, 25],
      [4, -2, 40],
      [0, 5, 33],
    ];
    for (const [i, centre] of [
      [0, 0, 0],
      [3, 1, -2],
      [6, -1, 1],
      [2, 4, 3],
    ].entries()) {
      const r = mul(turn(0.4 * i), r0);
      for (const x of points) {
        const p = project(300, r, centre!, x);
        const q = project(300 * a, r, apply(stretch, centre!), apply(stretch, x));
        expect(q[0]).toBeCloseTo(p[0], 9);
        expect(q[1]).toBeCloseTo(p[1], 9);
      }
    }
  });
});

describe("refine or hold", () => {
  const group = (o: Partial<FocalGroup>): FocalGroup => ({
    ...{ id: "video:DJI_0012.MP4", priorPx: 274, firm: true, refinedPx: 274, spreadDeg: 0 },
    ...o,
  });

  it("holds on a degenerate path, firm prior or not, and says which prior is a default", () => {
    expect(decideFocal([group({ refinedPx: 646 })], 0.001).decision).toBe("hold");
    const weak = decideFocal([group({ firm: false })], 1);
    expect(weak.decision).toBe("hold");
    expect(weak.reason).toMatch(/default field of view/);
  });

  it("refines where the viewing directions vary, unless a firm prior was left far behind", () => {
    expect(decideFocal([group({ refinedPx: 280 })], 19).decision).toBe("refine");
    const far = 274 * (1 + 2 * MAX_FIRM_DRIFT);
    expect(decideFocal([group({ refinedPx: far })], 19).decision).toBe("hold");
    // With a default prior in the model, holding it would hold a guess: refine.
    const mixed = [group({ refinedPx: far }), group({ id: "photos", firm: false })];
    expect(decideFocal(mixed, 19).decision).toBe("refine");
  });
});

describe("reseating a refined model on its prior", () => {
  /** Quaternion (w, x, y, z) of a turn by g about the camera's z axis after a tilt t about x. */
  const quat = (t: number, g: number) => {
    // R = Rz(g)·Rx(t): q = qz ⊗ qx.
    const [cz, sz, cx, sx] = [Math.cos(g / 2), Math.sin(g / 2), Math.cos(t / 2), Math.sin(t / 2)];
    return [cz * cx, cz * sx, sz * sx, sz * cx];
  };
  const rot = (q: number[]): M3 => {
    const [w, x, y, z] = q as [number, number, number, number];
    return [
      [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
      [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
      [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
    ];
  };

  it("keeps every pixel while the focal moves to the prior (one viewing direction)", () => {
    const [fr, fp] = [929.4, 274.2];
    const poses = [0, 1, 2, 3].map((i) => {
      const q = quat(0.7, 0.3 * i);
      const c = [2 * i, 0.5 * i, -0.2 * i];
      const r = rot(q);
      return { q, c, t: r.map((row) => -(row[0]! * c[0]! + row[1]! * c[1]! + row[2]! * c[2]!)) };
    });
    const points = [
      [1, -20, 30],
      [-3, -18, 25],
      [4, -25, 40],
    ];
    const text = {
      cameras: `# cameras\n1 SIMPLE_RADIAL 384 216 ${fr} 192 108 0\n`,
      images:
        "# images\n" +
        poses.map((p, i) => `${i + 1} ${[...p.q, ...p.t].join(" ")} 1 f${i}.jpg\n\n`).join(""),
      points: "# points\n" + points.map((x, i) => `${i + 1} ${x.join(" ")} 9 9 9 0.1\n`).join(""),
    };
    const d = rot(quat(0.7, 0))[2]!; // the common optical axis in the world
    const out = reseatText(text, new Map([[1, fp]]), d, fp / fr);
    expect(out.cameras.split("\n")[1]).toBe(`1 SIMPLE_RADIAL 384 216 ${fp} 192 108 0`);
    const imgs = out.images.split("\n").filter((l) => /^\d/.test(l));
    const pts = out.points.split("\n").filter((l) => /^\d/.test(l));
    expect(imgs.length).toBe(4);
    for (const [i, p] of poses.entries()) {
      const t2 = imgs[i]!.split(" ").slice(5, 8).map(Number);
      const r = rot(p.q);
      const c2 = [0, 1, 2].map(
        (k) => -(r[0]![k]! * t2[0]! + r[1]![k]! * t2[1]! + r[2]![k]! * t2[2]!),
      );
      for (const [j, x] of points.entries()) {
        const x2 = pts[j]!.split(" ").slice(1, 4).map(Number);
        const before = project(fr, r, p.c, x);
        const after = project(fp, r, c2, x2);
        expect(after[0]).toBeCloseTo(before[0], 8);
        expect(after[1]).toBeCloseTo(before[1], 8);
      }
    }
    // Colours, errors and the image names are carried over.
    expect(pts[0]!.endsWith(" 9 9 9 0.1")).toBe(true);
    expect(imgs[3]!.endsWith(" 1 f3.jpg")).toBe(true);
  });
});
