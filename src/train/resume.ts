/**
 * Which snapshot a run may resume from. A snapshot is tied to the settings that shape the
 * optimisation (steps, SH degree, splat cap, seed, resolution) and to a fingerprint of the
 * training data (the set of views, their poses, intrinsics, image contents and size, and the
 * sparse points). A snapshot made on other data — say after the reconstruction was redone — would
 * export splats fitted to another coordinate frame, so it is set aside with the reason logged.
 */
import { createHash } from "node:crypto";
import type { Logger } from "../contracts/logger.js";
import { oneLine } from "../util/errors.js";
import type { TrainingDataset, TrainingView } from "./dataset.js";
import { COARSE_SHARE } from "./pyramid.js";
import { readSnapshot, type Snapshot } from "./snapshot.js";
import type { RunSettings } from "./runContext.js";

/**
 * The settings a resumed run must share with its snapshot. The key hashes their values in this
 * order (not their names), so snapshots written before the settings took the schema's names
 * still match.
 */
export const RESUME_SETTINGS = [
  "steps",
  "shDegree",
  "maxSplats",
  "seed",
  "maxResolution",
  "appearance",
  "antiAliasing",
  "resolutionSchedule",
  "densification",
  "learningRates",
] as const;

/** What each part of the data fingerprint covers, for the log line when one differs. */
const DATA_PARTS = {
  views: "the set of training images",
  poses: "the camera poses",
  intrinsics: "the camera intrinsics",
  images: "the image contents",
  resolution: "the training resolution",
  points: "the sparse point cloud",
} as const;

/** Hashes of the training data, one per part (16 hex digits each). */
export type DataFingerprint = Record<keyof typeof DATA_PARTS, string>;

function digest(update: (h: ReturnType<typeof createHash>) => void): string {
  const h = createHash("sha256");
  update(h);
  return h.digest("hex").slice(0, 16);
}

function bytesOf(a: ArrayLike<number>): Uint8Array {
  const f = a instanceof Float64Array ? a : Float64Array.from(a);
  return new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
}

/** The fingerprint of a dataset (views in their train/held-out order). */
export function trainingDataFingerprint(d: TrainingDataset): DataFingerprint {
  const views: TrainingView[] = [...d.train, ...d.eval];
  const each = (f: (h: ReturnType<typeof createHash>, v: TrainingView) => void) =>
    digest((h) => views.forEach((v) => f(h, v)));
  return {
    views: digest((h) => h.update(JSON.stringify([d.train.length, views.map((v) => v.name)]))),
    poses: each((h, v) => h.update(bytesOf(v.camera.viewmat))),
    intrinsics: each((h, v) => {
      const c = v.camera;
      h.update(bytesOf([c.fx, c.fy, c.cx, c.cy]));
    }),
    images: each((h, v) => {
      const px = v.image.data;
      h.update(new Uint8Array(px.buffer, px.byteOffset, px.byteLength));
    }),
    resolution: each((h, v) => h.update(`${v.camera.width}x${v.camera.height};`)),
    points: digest((h) => {
      h.update(bytesOf(d.points.xyz));
      h.update(bytesOf(d.points.rgb));
    }),
  };
}

/** The settings part of a snapshot's key. */
export function resumeSettings(s: RunSettings): Record<string, number | string> {
  const out: Record<string, number | string> = Object.fromEntries(
    RESUME_SETTINGS.map((k) => [k, s[k]]),
  );
  if (s.coarseShare !== undefined && s.coarseShare !== COARSE_SHARE)
    out.coarseShare = s.coarseShare;
  return out;
}

/** Hash of {@link resumeSettings}. */
export function snapshotConfigKey(s: RunSettings): string {
  const values: unknown[] = RESUME_SETTINGS.map((k) => s[k]);
  // The coarse share joins the key only where the plan chose another than the default, so
  // snapshots of runs with the default share keep their keys.
  if ((s.coarseShare ?? COARSE_SHARE) !== COARSE_SHARE) values.push(s.coarseShare);
  return digest((h) => h.update(JSON.stringify(values)));
}

/** Why `snap` cannot be resumed by a run with these settings and data, or null if it can. */
export function resumeMismatch(
  snap: Snapshot,
  settings: RunSettings,
  data: DataFingerprint,
): string | null {
  const m = snap.meta;
  if (m.configKey !== snapshotConfigKey(settings)) {
    const now = resumeSettings(settings);
    const diffs = Object.entries(now)
      .filter(([k, v]) => m.settings && m.settings[k] !== v)
      .map(([k, v]) => `${k} ${m.settings![k]} → ${v}`);
    return `the training settings differ (${diffs.join(", ") || "settings of an older release"})`;
  }
  if (!m.dataFingerprint) return "it records no fingerprint of its training data";
  const changed = (Object.keys(DATA_PARTS) as (keyof DataFingerprint)[]).filter(
    (k) => m.dataFingerprint![k] !== data[k],
  );
  if (changed.length) {
    return `the training data changed since it was made (${changed.map((k) => DATA_PARTS[k]).join(", ")}; the upstream stages were rerun)`;
  }
  if (m.step > settings.steps) return `it is past the run's ${settings.steps} steps`;
  return null;
}

/**
 * The snapshot in `dir` this run may resume, or null. An unreadable snapshot (e.g. from an older
 * release) and a mismatched one are reported and set aside, never fatal.
 */
export async function findResumableSnapshot(
  dir: string,
  settings: RunSettings,
  data: DataFingerprint,
  opts: { fresh?: boolean; log: Logger },
): Promise<Snapshot | null> {
  if (opts.fresh) return null;
  const snap = await readSnapshot(dir).catch((err: unknown) => {
    opts.log.warn(`${oneLine(err)}; starting from step 0`);
    return null;
  });
  if (!snap) return null;
  const why = resumeMismatch(snap, settings, data);
  if (why) {
    opts.log.warn(
      `the training snapshot at step ${snap.meta.step} is not used: ${why}; starting from step 0`,
    );
    return null;
  }
  return snap;
}
