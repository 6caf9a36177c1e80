/**
 * Robust final adjustment: drop the observations far out in the tail of the model's own
 * reprojection residuals and bundle-adjust again, until the tail stops moving.
 *
 * COLMAP's mapper filters observations at a fixed 4 px and its global bundle adjustment weighs
 * every kept one by its square. On small frames, whose features sit ~0.4 px from the model, 4 px
 * is about ten sigma: a heavy tail of inconsistent features (silhouettes, aliased texture, a
 * match one repeat away) stays in and pulls the poses and the focal length. On courtyard-phone
 * (240×320) a bundle adjustment started from the renderer's true cameras with the true focal
 * length held moved 0.63° median away from them on the mapper's observations. One round
 * (src/sfm/outlierRefine.ts, 4 × the median point error) took the pipeline's model there from
 * 0.64° to 0.38° and its focal length from +2.8 % to +1.1 % of the truth; these rounds after it
 * to 0.12° and +0.2 % (README, pose accuracy).
 *
 * The limit scales with the data: TRIM_FACTOR × the median residual. For Gaussian noise of sigma
 * σ per axis the residual length is Rayleigh-distributed, its median 1.18 σ, so 3 × median is
 * 3.5 σ, which Gaussian noise exceeds once in 450 observations.
 */
import { adjustInRounds, type Cut, type RoundsRecord, type TextModel } from "./adjustRounds.js";
import type { StepContext } from "./colmapSteps.js";

export type { TextModel };

/** Observations beyond this many times the median residual are dropped. */
export const TRIM_FACTOR = 3;
/** Rounds stop once a round drops less than this share of the observations. */
export const TRIM_CONVERGED = 0.005;
/** At most this many rounds. */
export const TRIM_MAX_ROUNDS = 8;
/**
 * Trimming stops before it would have dropped more than this share of the observations in all:
 * a guard against a model so wrong that its tail is most of it. Converged trims dropped 15 %
 * (sample), 17 % (handheld-photos), 19 % and 21 % (courtyard-phone: 13 %, 4 %, 2 %, 1 % a round
 * as the median fell from 0.38 to 0.26 px).
 */
export const TRIM_MAX_DROPPED = 0.3;

/** What one round of trimming did. */
export interface TrimRound {
  median_px: number;
  limit_px: number;
  observations: number;
  dropped: number;
}

type Project = (x: number, y: number, z: number) => [number, number];

/** Projection of camera coordinates by a camera line of cameras.txt; null for other models. */
function projector(model: string, p: readonly number[]): Project | null {
  switch (model) {
    case "SIMPLE_PINHOLE":
      return (x, y, z) => [(p[0]! * x) / z + p[1]!, (p[0]! * y) / z + p[2]!];
    case "PINHOLE":
      return (x, y, z) => [(p[0]! * x) / z + p[2]!, (p[1]! * y) / z + p[3]!];
    case "SIMPLE_RADIAL":
    case "RADIAL": {
      const [k1, k2] = [p[3] ?? 0, model === "RADIAL" ? p[4]! : 0];
      return (x, y, z) => {
        const [u, v] = [x / z, y / z];
        const r2 = u * u + v * v;
        const d = 1 + k1 * r2 + k2 * r2 * r2;
        return [p[0]! * u * d + p[1]!, p[0]! * v * d + p[2]!];
      };
    }
    default:
      return null;
  }
}

/** World → camera rotation of a unit quaternion (w, x, y, z). */
function rotation([w, x, y, z]: readonly number[]): number[][] {
  return [
    [1 - 2 * (y! * y! + z! * z!), 2 * (x! * y! - w! * z!), 2 * (x! * z! + w! * y!)],
    [2 * (x! * y! + w! * z!), 1 - 2 * (x! * x! + z! * z!), 2 * (y! * z! - w! * x!)],
    [2 * (x! * z! - w! * y!), 2 * (y! * z! + w! * x!), 1 - 2 * (x! * x! + y! * y!)],
  ];
}

const isData = (l: string) => l.trim() !== "" && !l.startsWith("#");

/**
 * The model without the observations whose residual exceeds TRIM_FACTOR × the median residual
 * (points left with fewer than two observations go too); null when a camera model is not one
 * this can project (nothing is dropped then).
 */
export function trimText(m: TextModel): Cut<TrimRound> | null {
  const images = residualsOf(m);
  if (!images) return null;
  const all = images.flatMap((im) => im.residuals.filter((e) => !Number.isNaN(e)));
  const sorted = [...all].sort((a, b) => a - b);
  const median = sorted.length ? sorted[sorted.length >> 1]! : 0;
  const limit = TRIM_FACTOR * median;
  // Observations kept per point, then points with fewer than two go as a whole.
  const tracks = new Map<number, [number, number][]>();
  for (const im of images) {
    const imageId = Number(im.pose.split(" ")[0]);
    for (const [k, e] of im.residuals.entries()) {
      if (Number.isNaN(e) || e > limit) continue;
      const pid = im.obs[3 * k + 2]!;
      if (!tracks.has(pid)) tracks.set(pid, []);
      tracks.get(pid)!.push([imageId, k]);
    }
  }
  const alive = (pid: number) => (tracks.get(pid)?.length ?? 0) >= 2;
  let kept = 0;
  const imageLines = images.map((im) => {
    const triples: string[] = [];
    for (let k = 0; 3 * k + 2 < im.obs.length; k++) {
      const e = im.residuals[k]!;
      const pid = im.obs[3 * k + 2]!;
      const keep = !Number.isNaN(e) && e <= limit && alive(pid);
      if (keep) kept++;
      triples.push(`${im.obs[3 * k]} ${im.obs[3 * k + 1]} ${keep ? pid : -1}`);
    }
    return `${im.pose}\n${triples.join(" ")}`;
  });
  const pointLines = m.points
    .split("\n")
    .filter(isData)
    .flatMap((l) => {
      const t = l.split(" ");
      const pid = Number(t[0]);
      if (!alive(pid)) return [];
      // POINT3D_ID X Y Z R G B ERROR TRACK[]; the error is recomputed by COLMAP.
      return [[...t.slice(0, 8), ...tracks.get(pid)!.flat()].join(" ")];
    });
  return {
    model: {
      cameras: m.cameras,
      images: imageLines.join("\n") + "\n",
      points: pointLines.join("\n") + "\n",
    },
    round: {
      median_px: median,
      limit_px: limit,
      observations: all.length,
      dropped: all.length - kept,
    },
    dropped: all.length - kept,
    total: all.length,
  };
}

/**
 * Every image of the model: its pose line, its (x, y, point3D_id) triples and the residual of
 * each (NaN where it observes no point); null for a camera model this cannot project.
 */
export function residualsOf(
  m: TextModel,
): { pose: string; obs: number[]; residuals: number[] }[] | null {
  const cams = new Map<number, Project>();
  for (const l of m.cameras.split("\n").filter(isData)) {
    const t = l.trim().split(/\s+/);
    const proj = projector(t[1]!, t.slice(4).map(Number));
    if (!proj) return null;
    cams.set(Number(t[0]), proj);
  }
  const points = new Map<number, number[]>();
  for (const l of m.points.split("\n").filter(isData)) {
    const t = l.split(" ");
    points.set(Number(t[0]), t.slice(1, 4).map(Number));
  }
  // images.txt: a pose line, then a line of (x, y, point3D_id) triples.
  const lines = m.images.split("\n").filter((l) => !l.startsWith("#"));
  const images: { pose: string; obs: number[]; residuals: number[] }[] = [];
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const t = lines[i]!.split(" ");
    if (t.length < 10) break;
    const R = rotation(t.slice(1, 5).map(Number));
    const tr = t.slice(5, 8).map(Number);
    const proj = cams.get(Number(t[8]))!;
    const obs = lines[i + 1]!.trim() === "" ? [] : lines[i + 1]!.trim().split(" ").map(Number);
    const residuals: number[] = [];
    for (let k = 0; k + 2 < obs.length; k += 3) {
      const X = obs[k + 2]! >= 0 ? points.get(obs[k + 2]!) : undefined;
      if (!X) {
        residuals.push(NaN);
        continue;
      }
      const c = R.map((r, j) => r[0]! * X[0]! + r[1]! * X[1]! + r[2]! * X[2]! + tr[j]!);
      const [u, v] = proj(c[0]!, c[1]!, c[2]!);
      residuals.push(c[2]! > 0 ? Math.hypot(obs[k]! - u, obs[k + 1]! - v) : Infinity);
    }
    images.push({ pose: lines[i]!, obs, residuals });
  }
  return images;
}

/** When the trim's rounds stop, and where they work. */
const TRIM_ROUNDS = {
  maxRounds: TRIM_MAX_ROUNDS,
  converged: TRIM_CONVERGED,
  maxDropped: TRIM_MAX_DROPPED,
  scratchName: "trim_rounds",
};

/** The record of a trim: its rounds, and whether the trimmed model was kept. */
export type TrimRecord = RoundsRecord<TrimRound>;

/**
 * Trims the binary model in `modelDir` round by round (each round: drop the tail, bundle-adjust
 * with the focal lengths refined unless `holdFocal`), writing the result in `outDir`. Returns
 * null when nothing could be trimmed (a camera model it cannot project).
 */
export async function trimResiduals(
  modelDir: string,
  outDir: string,
  holdFocal: boolean,
  c: StepContext,
): Promise<TrimRecord | null> {
  return adjustInRounds(modelDir, outDir, holdFocal, c, TRIM_ROUNDS, trimText);
}

/** The log line of a trim. */
export function trimLine(r: TrimRecord): string {
  const first = r.rounds[0];
  if (!first || !r.kept) return "residual tail: nothing to trim";
  const last = r.rounds.at(-1)!;
  const dropped = r.rounds.reduce((n, x) => n + x.dropped, 0);
  return (
    `residual tail trimmed in ${r.rounds.length} round${r.rounds.length === 1 ? "" : "s"} ` +
    `(beyond ${TRIM_FACTOR} × the median residual, ${first.limit_px.toFixed(2)} → ` +
    `${last.limit_px.toFixed(2)} px): ${dropped} of ${first.observations} observations dropped`
  );
}
