/**
 * Whether a reconstruction's camera path can fix its focal lengths, and the decision to refine
 * them or hold them at their priors.
 *
 * A camera's images are x ~ K·R·(X − C). When every R is one R0 turned about the common optical
 * axis (one viewing direction: a drone flying straight with a fixed gimbal, a nadir survey
 * without obliques), A = diag(a, a, 1) commutes with those turns, so K·A with the scene and the
 * centres stretched by R0ᵀ·A⁻¹·R0 (across the viewing direction) fits the same pictures exactly:
 * focal length and depth trade off whatever the path of the centres (a line, a plane or a
 * lawnmower grid). Only a variety of viewing directions pins the focal length, so that is what
 * is measured: the RMS angle of the optical axes about their mean, over the registered images
 * (a tenth of them, the farthest, left out as possibly misplaced).
 */
import type { FocalRecord } from "../contracts/stageResults.js";
import { add, dot, unit, type Vec3 } from "../util/vec3.js";
import type { RawImage } from "./colmapBinary.js";
import type { SceneCamera } from "./sceneModel.js";

/**
 * Below this RMS spread of viewing directions (degrees) the focal length is held at its prior.
 * The corpus spans 0° (a straight drone pass, focal drifted +136 % when refined) to 5.8° (a
 * hand-held walk) and 19–81° (surveys with obliques, orbits, photo rings).
 */
export const MIN_VIEW_SPREAD_DEG = 3;
/** A refined focal this far from a firm (metadata) prior proposes a hold too. */
export const MAX_FIRM_DRIFT = 0.15;
/** The held model is kept when its mean reprojection error is at most this factor higher. */
export const HELD_ERROR_TOLERANCE = 1.1;

/**
 * Share of the images left out of the spread as outliers: a frame the mapper placed wildly wrong
 * (one of 48 of the straight drone pass looked 95° away) must not pass for a variety of views.
 * A survey's obliques are more than this share (12 of 87).
 */
export const SPREAD_TRIM = 0.1;

/** Sum of `of`: its direction is their mean direction. */
const sumOf = (of: readonly (readonly number[])[]): Vec3 =>
  of.reduce<Vec3>((m, a) => add(m, a), [0, 0, 0]);

/** Angles (degrees) of directions from the mean direction of `of`. */
function anglesFromMean(axes: readonly (readonly number[])[], of: readonly (readonly number[])[]) {
  const m = unit(sumOf(of));
  return axes.map((a) => {
    const c = dot(unit(a), m);
    return (Math.acos(Math.max(-1, Math.min(1, c))) * 180) / Math.PI;
  });
}

/**
 * RMS angle (degrees) of unit directions about their mean direction, the SPREAD_TRIM share
 * farthest from it left out (and the mean taken again without them); 0 for fewer than two.
 */
export function viewSpreadDeg(axes: readonly (readonly number[])[]): number {
  if (axes.length < 2) return 0;
  const kept = trimmed(axes);
  const angles = anglesFromMean(kept, kept);
  return Math.sqrt(angles.reduce((sum, d) => sum + d * d, 0) / angles.length);
}

/** The directions without the SPREAD_TRIM share farthest from their mean. */
function trimmed(axes: readonly (readonly number[])[]): (readonly number[])[] {
  const first = anglesFromMean(axes, axes);
  const drop = Math.floor(SPREAD_TRIM * axes.length);
  const order = first.map((_, i) => i).sort((a, b) => first[a]! - first[b]!);
  return order.slice(0, axes.length - drop).map((i) => axes[i]!);
}

/** The mean of unit directions (the farthest SPREAD_TRIM share left out), unit length. */
export function meanDirection(axes: readonly (readonly number[])[]): Vec3 {
  return unit(sumOf(trimmed(axes).map((a) => unit(a))));
}

/** The world direction a camera looks along: the third row of its world→camera rotation. */
export function opticalAxis(viewmat: ArrayLike<number>): [number, number, number] {
  return [viewmat[8]!, viewmat[9]!, viewmat[10]!];
}

/** One camera group as the decision sees it. */
export interface FocalGroup {
  /** Camera group id (manifest), or a generated name. */
  id: string;
  /** Focal prior in frame pixels (null: none given, COLMAP guessed one). */
  priorPx: number | null;
  /** True when the prior came from the file's metadata (EXIF, container, .SRT), not a default. */
  firm: boolean;
  /** Focal length the mapper refined it to (null: the group has no registered image). */
  refinedPx: number | null;
  /** RMS spread of the group's viewing directions (degrees). */
  spreadDeg: number;
  /** The group's COLMAP camera in the model (null: no registered image). */
  cameraId?: number | null;
}

/** The decision for one reconstruction. */
export interface FocalDecision {
  decision: "refine" | "hold";
  reason: string;
  /** RMS spread of all registered images' viewing directions (degrees). */
  spreadDeg: number;
}

const pct = (x: number) => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)} %`;

/**
 * Hold the focal lengths (COLMAP holds all cameras or none) when the model's viewing directions
 * cannot fix them, or when every prior is firm and a refined focal drifted far from its prior;
 * else refine. A hold is a proposal: the caller builds the held model and keeps it only
 * when it fits about as well (HELD_ERROR_TOLERANCE).
 */
export function decideFocal(groups: readonly FocalGroup[], spreadDeg: number): FocalDecision {
  if (spreadDeg < MIN_VIEW_SPREAD_DEG) {
    const weak = groups.filter((g) => !g.firm).map((g) => g.id);
    return {
      decision: "hold",
      spreadDeg,
      reason:
        `viewing directions within ${spreadDeg.toFixed(2)}° RMS (< ${MIN_VIEW_SPREAD_DEG}°): ` +
        "focal length and depth trade off" +
        (weak.length ? `; ${weak.join(", ")} held at a default field of view` : ""),
    };
  }
  const drift = (g: FocalGroup) =>
    g.refinedPx === null || g.priorPx === null ? 0 : g.refinedPx / g.priorPx - 1;
  const drifted = groups.filter((g) => g.firm && Math.abs(drift(g)) > MAX_FIRM_DRIFT);
  if (drifted.length && groups.every((g) => g.firm)) {
    const g = drifted[0]!;
    return {
      decision: "hold",
      spreadDeg,
      reason:
        `${g.id}: refined focal ${pct(drift(g))} from its metadata prior ` +
        `(more than ${MAX_FIRM_DRIFT * 100} %)`,
    };
  }
  return {
    decision: "refine",
    spreadDeg,
    reason:
      `viewing directions spread ${spreadDeg.toFixed(1)}° RMS` +
      (drifted.length ? "; a drifted group has no firm prior to hold" : ""),
  };
}

/** Per group of images (by name), its viewing-direction spread and refined focal in a model. */
export function groupFigures(
  groups: readonly {
    id: string;
    images: readonly string[];
    priorPx: number | null;
    firm: boolean;
  }[],
  images: readonly RawImage[],
  cameras: ReadonlyMap<number, SceneCamera>,
): { groups: FocalGroup[]; spreadDeg: number; direction: [number, number, number] } {
  const byName = new Map(images.map((im) => [im.name, im]));
  const out = groups.map((g): FocalGroup => {
    const own = g.images.map((n) => byName.get(n)).filter((im): im is RawImage => im !== undefined);
    const cam = own[0] ? cameras.get(own[0].cameraId) : undefined;
    return {
      ...{ id: g.id, priorPx: g.priorPx, firm: g.firm },
      refinedPx: cam ? (cam.fx + cam.fy) / 2 : null,
      cameraId: cam ? cam.id : null,
      spreadDeg: viewSpreadDeg(own.map((im) => opticalAxis(im.viewmat))),
    };
  });
  const axes = images.map((im) => opticalAxis(im.viewmat));
  return { groups: out, spreadDeg: viewSpreadDeg(axes), direction: meanDirection(axes) };
}

/** The log lines of a decision: the decision and reason, then one line per camera group. */
export function focalLines(r: FocalRecord): string[] {
  const px = (x: number | null) => (x === null ? "–" : `${x.toFixed(1)} px`);
  const held = r.held_run
    ? ` (held model: ${r.held_run.registered} registered, ` +
      `${r.held_run.mean_reprojection_error?.toFixed(3) ?? "–"} px${r.held_run.kept ? ", kept" : ""})`
    : "";
  return [
    `focal lengths ${r.decision === "hold" ? "held at their priors" : "refined"}: ${r.reason}${held}`,
    ...r.groups.map(
      (g) =>
        `camera group ${g.id}: prior ${px(g.prior_px)} (${g.firm ? "metadata" : "default"}), ` +
        `refined ${px(g.refined_px)}, kept ${px(g.final_px)}, ` +
        `viewing directions ${g.view_spread_deg.toFixed(2)}° RMS → ${r.decision}`,
    ),
  ];
}
