/**
 * Images the mapper registered in the wrong place. On repeated structure (the same brick façade
 * on opposite sides of a courtyard) a photo can be registered from matches to the far side,
 * turned round, at a reprojection error as low as the rest: the model then explains only the
 * wrong matches, and the photo's matches with its true neighbours stay out of its tracks. So an
 * image whose verified matches mostly end in no track is suspect, and the pairs that carried its
 * registration are the ones to drop before mapping again (the caller keeps the new model only
 * where it registers as many images with fewer suspects).
 */
import Database from "better-sqlite3";
import { readTrackedKeypoints } from "./colmapBinary.js";

/** COLMAP's pair id: image_id1 · 2147483647 + image_id2 (id1 < id2). */
const PAIR_ID_BASE = 2147483647;
/** Pairs with fewer verified matches are not counted (COLMAP's default minimum for a pair). */
export const MIN_PAIR_INLIERS = 15;
/**
 * An image is suspect when the share of its matched keypoints that observe a 3D point is below
 * this fraction of the model's median share. handheld-photos at 1600 px, two mapper runs:
 * correctly placed photos 0.63–1.08 of the median, photos placed on the opposite façade
 * 0.11–0.43.
 */
export const SUSPECT_FRACTION_OF_MEDIAN = 0.5;
/** A pair carried a suspect's registration when more of its matches than this are in tracks. */
export const CARRIED_FRACTION = 0.5;

/** A verified pair: its id, both image ids and each side's matched keypoint indices. */
interface VerifiedPair {
  id: number;
  a: number;
  b: number;
  ka: Uint32Array;
  kb: Uint32Array;
}

function readVerifiedPairs(dbPath: string): VerifiedPair[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    const rows = db
      .prepare("SELECT pair_id, rows, data FROM two_view_geometries WHERE rows >= ?")
      .all(MIN_PAIR_INLIERS) as { pair_id: number; rows: number; data: Buffer }[];
    return rows.map((r) => {
      const all = new Uint32Array(new Uint8Array(r.data).buffer, 0, r.rows * 2);
      return {
        ...{ id: r.pair_id, a: Math.floor(r.pair_id / PAIR_ID_BASE), b: r.pair_id % PAIR_ID_BASE },
        ...{ ka: all.filter((_, i) => i % 2 === 0), kb: all.filter((_, i) => i % 2 === 1) },
      };
    });
  } finally {
    db.close();
  }
}

/** What a check of one model found. */
export interface MisplacedCheck {
  /** Image ids of the suspects. */
  suspects: number[];
  /** Pair ids that carried a suspect's registration (suspect with a trusted image). */
  carrying: number[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length === 0 ? NaN : s[s.length >> 1]!;
};

/** Finds the suspect images of the model in `modelDir` and the pairs that carried them. */
export async function checkMisplaced(dbPath: string, modelDir: string): Promise<MisplacedCheck> {
  const tracked = await readTrackedKeypoints(modelDir);
  const pairs = readVerifiedPairs(dbPath).filter((p) => tracked.has(p.a) && tracked.has(p.b));
  const matched = new Map<number, Set<number>>();
  for (const p of pairs) {
    for (const [id, ks] of [
      [p.a, p.ka],
      [p.b, p.kb],
    ] as const) {
      const set = matched.get(id) ?? new Set<number>();
      for (const k of ks) set.add(k);
      matched.set(id, set);
    }
  }
  const share = new Map<number, number>();
  for (const [id, set] of matched) {
    const t = tracked.get(id)!;
    let n = 0;
    for (const k of set) if (t.has(k)) n++;
    share.set(id, n / set.size);
  }
  const limit = SUSPECT_FRACTION_OF_MEDIAN * median([...share.values()]);
  const suspects = [...share].filter(([, s]) => s < limit).map(([id]) => id);
  const suspect = new Set(suspects);
  const carrying = pairs
    .filter((p) => {
      const side = suspect.has(p.a) ? p.ka : p.kb;
      const [id, other] = suspect.has(p.a) ? [p.a, p.b] : [p.b, p.a];
      if (!suspect.has(id) || suspect.has(other)) return false;
      const t = tracked.get(id)!;
      return side.filter((k) => t.has(k)).length > CARRIED_FRACTION * side.length;
    })
    .map((p) => p.id);
  return { suspects, carrying };
}

/** Removes the given pairs' verified matches from the database (a copy the caller made). */
export function dropPairs(dbPath: string, pairIds: readonly number[]): void {
  const db = new Database(dbPath);
  try {
    const del = db.prepare("DELETE FROM two_view_geometries WHERE pair_id = ?");
    db.transaction(() => pairIds.forEach((id) => del.run(id)))();
  } finally {
    db.close();
  }
}
