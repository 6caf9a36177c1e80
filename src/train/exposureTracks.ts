/**
 * The views' exposure read through the SfM tracks: only the points a view observed (its track
 * entries) are read in it. Projecting every point instead reads a point behind a textureless
 * occluder (a sunlit wall, which has no points of its own to hide it) on the occluder: on a
 * fixed-exposure photo set four views read 1.3–1.65 × too bright that way. The gains then come
 * from one joint solve with the points' colours (exposureSolve.ts).
 */
import type { TrainingDataset, TrainingView } from "./dataset.js";
import { solveLogGains } from "./exposureSolve.js";
import { logRgbAt, pointPixel } from "./pointPixel.js";

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
    for (const i of seen.get(view.imageId!) ?? []) {
      const p = pointPixel(view, points, i);
      if (p < 0) continue;
      out.view.push(k);
      out.point.push(i);
      out.logPixel.push(...logRgbAt(view, p));
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
