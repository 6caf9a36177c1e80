/**
 * The views' exposure read through the SfM tracks: only the points a view observed (its track
 * entries) are read in it. Projecting every point instead reads a point behind a textureless
 * occluder (a sunlit wall, which has no points of its own to hide it) on the occluder: on a
 * fixed-exposure photo set four views read 1.3–1.65 × too bright that way. The gains then come
 * from one joint solve with the points' colours (exposureSolve.ts).
 */
import type { TrainingDataset, TrainingView } from "./dataset.js";
import { solveLogGains } from "./exposureSolve.js";

/** What the tracked estimate gives the caller: per view log r, g, b and usable sample counts. */
export interface TrackedExposure {
  logs: Float64Array;
  counts: number[][];
}

/** Observations of the training views: view index, point index and log r, g, b of the pixel. */
interface Observations {
  view: number[];
  point: number[];
  logPixel: number[];
}

/** Per image id, the indices of the points its track entries name; null without tracks. */
function pointsByImage(points: TrainingDataset["points"]): Map<number, number[]> | null {
  const { trackLength, trackImageIds } = points;
  if (!trackLength || !trackImageIds || trackImageIds.length === 0) return null;
  const out = new Map<number, number[]>();
  let at = 0;
  for (let i = 0; i < points.count; i++) {
    for (let k = 0; k < trackLength[i]!; k++) {
      const id = trackImageIds[at++]!;
      const list = out.get(id);
      if (list) {
        if (list[list.length - 1] !== i) list.push(i); // an image can observe a point twice
      } else out.set(id, [i]);
    }
  }
  return out;
}

/** Each view's observed points projected into it, with its pixel under each. */
function observe(
  views: readonly TrainingView[],
  points: TrainingDataset["points"],
  seen: Map<number, number[]>,
): Observations {
  const out: Observations = { view: [], point: [], logPixel: [] };
  views.forEach((view, k) => {
    const { camera: c, image } = view;
    const v = c.viewmat;
    for (const i of seen.get(view.imageId!) ?? []) {
      const [x, y, z] = [points.xyz[i * 3]!, points.xyz[i * 3 + 1]!, points.xyz[i * 3 + 2]!];
      const cz = v[8]! * x + v[9]! * y + v[10]! * z + v[11]!;
      if (cz <= 1e-6) continue;
      const u = (c.fx * (v[0]! * x + v[1]! * y + v[2]! * z + v[3]!)) / cz + c.cx;
      const w = (c.fy * (v[4]! * x + v[5]! * y + v[6]! * z + v[7]!)) / cz + c.cy;
      const [px, py] = [Math.floor(u), Math.floor(w)];
      if (px < 0 || py < 0 || px >= image.width || py >= image.height) continue;
      const p = (py * image.width + px) * 3;
      out.view.push(k);
      out.point.push(i);
      for (let ch = 0; ch < 3; ch++) {
        out.logPixel.push(Math.log(Math.max(image.data[p + ch]!, 1 / 255)));
      }
    }
  });
  return out;
}

/**
 * Per-view log gains from the tracks, or null when the model has none (a point cloud) or a view
 * has no image id. `usable(logGain, logColour)` says which observations count (unclipped).
 */
export function trackedExposure(
  dataset: TrainingDataset,
  usable: (logGain: number, logColour: number) => boolean,
): TrackedExposure | null {
  const seen = pointsByImage(dataset.points);
  if (!seen || !dataset.train.every((v) => v.imageId !== undefined)) return null;
  const obs = observe(dataset.train, dataset.points, seen);
  const n = dataset.train.length;
  const logs = new Float64Array(n * 3);
  const counts = [0, 1, 2].map((ch) => {
    const solved = solveLogGains(
      {
        view: obs.view,
        point: obs.point,
        logPixel: (o) => obs.logPixel[o * 3 + ch]!,
        usable: (o, logGain, logColour) => usable(logGain[obs.view[o]!]!, logColour(obs.point[o]!)),
      },
      n,
      (p) => Math.log(Math.max(dataset.points.rgb[p * 3 + ch]!, 1) / 255),
    );
    solved.logGain.forEach((g, k) => (logs[k * 3 + ch] = g));
    return solved.counts;
  });
  return { logs, counts };
}
