/**
 * The check for images registered in the wrong place, on a COLMAP database and images.bin written
 * here in COLMAP's formats: a suspect is an image whose matched keypoints mostly observe no 3D
 * point, and the pairs that carried it are those whose matches in it are mostly in tracks.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { readTrackedKeypoints } from "../../src/sfm/colmapBinary.js";
import { checkMisplaced, dropPairs, MIN_PAIR_INLIERS } from "../../src/sfm/misplaced.js";
import { tempDir } from "../engine/helpers.js";

const KEYPOINTS = 200;

/** images.bin with every image at the origin; `tracked[id]` lists keypoints observing a point. */
function writeImagesBin(dir: string, tracked: Map<number, Set<number>>): void {
  const parts: Buffer[] = [];
  const u64 = (n: number) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    return b;
  };
  parts.push(u64(tracked.size));
  for (const [id, set] of tracked) {
    const head = Buffer.alloc(4 + 7 * 8 + 4);
    head.writeUInt32LE(id, 0);
    head.writeDoubleLE(1, 4); // qw
    head.writeUInt32LE(1, 4 + 56);
    parts.push(head, Buffer.from(`img${id}.jpg\0`), u64(KEYPOINTS));
    for (let k = 0; k < KEYPOINTS; k++) {
      const p = Buffer.alloc(24);
      p.writeBigInt64LE(set.has(k) ? BigInt(k + 1000 * id) : -1n, 16);
      parts.push(p);
    }
  }
  writeFileSync(join(dir, "images.bin"), Buffer.concat(parts));
}

const pairId = (a: number, b: number) => Math.min(a, b) * 2147483647 + Math.max(a, b);

/** A database with verified pairs: [a, b, keypoints matched in a, keypoints matched in b]. */
function writeDatabase(path: string, pairs: [number, number, number[], number[]][]): void {
  const db = new Database(path);
  db.exec(
    "CREATE TABLE two_view_geometries (pair_id INTEGER PRIMARY KEY NOT NULL, rows INTEGER NOT NULL, " +
      "cols INTEGER NOT NULL, data BLOB, config INTEGER NOT NULL)",
  );
  const put = db.prepare("INSERT INTO two_view_geometries VALUES (?, ?, 2, ?, 2)");
  for (const [a, b, ka, kb] of pairs) {
    const data = new Uint32Array(ka.flatMap((k, i) => [k, kb[i]!]));
    put.run(pairId(a, b), ka.length, Buffer.from(data.buffer));
  }
  db.close();
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe("images registered in the wrong place", () => {
  it("flags the image whose matches stay out of its tracks and the pairs that carried it", async () => {
    const dir = tempDir("splatbook-misplaced-");
    // Images 1–3 agree: their matches with each other are in tracks. Image 4 was registered from
    // its pair with image 1 (matches 0–39 in tracks) while its 120 matches with images 2 and 3
    // (its true neighbours) are in none.
    const tracked = new Map<number, Set<number>>([
      [1, new Set(range(0, 150))],
      [2, new Set(range(0, 150))],
      [3, new Set(range(0, 150))],
      [4, new Set(range(0, 40))],
    ]);
    writeImagesBin(dir, tracked);
    const db = join(dir, "database.db");
    writeDatabase(db, [
      [1, 2, range(0, 100), range(0, 100)],
      [2, 3, range(50, 100), range(50, 100)],
      [1, 3, range(0, 60), range(0, 60)],
      [1, 4, range(100, 40), range(0, 40)],
      [2, 4, range(100, 60), range(40, 60)],
      [3, 4, range(100, 60), range(100, 60)],
      [3, 5, range(0, MIN_PAIR_INLIERS - 1), range(0, MIN_PAIR_INLIERS - 1)], // 5: unregistered
    ]);
    expect((await readTrackedKeypoints(dir)).get(4)).toEqual(new Set(range(0, 40)));
    const check = await checkMisplaced(db, dir);
    expect(check.suspects).toEqual([4]);
    expect(check.carrying).toEqual([pairId(1, 4)]);
    dropPairs(db, check.carrying);
    const after = await checkMisplaced(db, dir);
    // Without the pair that carried it, image 4 has no match in a track: still a suspect, and
    // no pair is left to drop (the caller stops there).
    expect(after.suspects).toEqual([4]);
    expect(after.carrying).toEqual([]);
  });

  it("flags nothing where every image's matches are mostly in tracks", async () => {
    const dir = tempDir("splatbook-misplaced-");
    const tracked = new Map([1, 2, 3].map((id) => [id, new Set(range(0, 90 + 10 * id))]));
    writeImagesBin(dir, tracked);
    const db = join(dir, "database.db");
    writeDatabase(db, [
      [1, 2, range(0, 100), range(0, 100)],
      [2, 3, range(0, 120), range(0, 120)],
    ]);
    expect(await checkMisplaced(db, dir)).toEqual({ suspects: [], carrying: [] });
  });
});
