// A COLMAP text model of an arc of cameras round a cloud of points, at the true cameras: the
// scene the residual trim's and the track test's tests observe, each with its own disturbance.
import type { TextModel } from "../../src/sfm/residualTrim.js";
import { mulberry32 } from "../../src/util/random.js";

/** Where view `view` observes point `point`, given its normalised coordinates (x/z, y/z). */
export type Observe = (
  u: number,
  v: number,
  at: { view: number; point: number; rand: () => number; gauss: () => number },
) => [number, number];

/**
 * `views` cameras 8° apart on an arc 6 units from the origin, looking at `count` points in a
 * 3 × 2 × 3 box round it, every point seen by every view where `observe` places it; one
 * SIMPLE_RADIAL camera (`camera`: "width height f cx cy k").
 */
export function arcModel(
  seed: number,
  o: { views: number; count: number; camera: string },
  observe: Observe,
): TextModel {
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const pts = Array.from({ length: o.count }, () => [
    3 * rand() - 1.5,
    2 * rand() - 1,
    3 * rand() - 1.5,
  ]);
  const tracks: [number, number][][] = pts.map(() => []);
  const lines: string[] = [];
  for (let i = 0; i < o.views; i++) {
    const a = ((i - (o.views - 1) / 2) * 8 * Math.PI) / 180;
    const R = [
      [Math.cos(a), 0, -Math.sin(a)],
      [0, 1, 0],
      [Math.sin(a), 0, Math.cos(a)],
    ];
    const q = [Math.cos(a / 2), 0, -Math.sin(a / 2), 0];
    const t = [0, 0.3, 6];
    const obs: string[] = [];
    for (const [j, X] of pts.entries()) {
      const c = R.map((r, k) => r[0]! * X[0]! + r[1]! * X[1]! + r[2]! * X[2]! + t[k]!);
      const [x, y] = observe(c[0]! / c[2]!, c[1]! / c[2]!, { view: i, point: j, rand, gauss });
      obs.push(`${x} ${y} ${j + 1}`);
      tracks[j]!.push([i + 1, j]);
    }
    lines.push(`${i + 1} ${q.join(" ")} ${t.join(" ")} 1 im${i}.jpg`, obs.join(" "));
  }
  return {
    cameras: `1 SIMPLE_RADIAL ${o.camera}\n`,
    images: lines.join("\n") + "\n",
    points:
      pts
        .map((X, j) => `${j + 1} ${X.join(" ")} 128 128 128 1 ${tracks[j]!.flat().join(" ")}`)
        .join("\n") + "\n",
  };
}
