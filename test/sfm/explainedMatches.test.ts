/**
 * What a model explains of the verified matches, on a ring of photos whose far side repeats its
 * near side (test/sfm/ringScene.ts): the true poses explain every true match and few of the
 * look-alike ones; a group of photos flipped together to the far side explains its look-alike
 * matches and its matches with each other, but no longer those with its true neighbours, and
 * comes out behind.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { essential, explainedMatches, sampson2 } from "../../src/sfm/explainedMatches.js";
import { tempDir } from "../engine/helpers.js";
import { testSeed } from "../seed.js";
import { flipped, lookAt, ringScene, writeRingDatabase, writeRingModel } from "./ringScene.js";

const N = 16;

function viewmat(p: ReturnType<typeof lookAt>): number[] {
  const t = p.R.map((r) => -(r[0]! * p.C[0] + r[1]! * p.C[1] + r[2]! * p.C[2]));
  return [...p.R[0], t[0]!, ...p.R[1], t[1]!, ...p.R[2], t[2]!, 0, 0, 0, 1];
}

describe("verified matches explained by a model", () => {
  it("the Sampson distance is zero for a true correspondence and grows off the epipolar line", () => {
    const a = lookAt([0, -5, 1], [0, 0, 1]);
    const b = lookAt([2, -5, 1], [0, 0, 1]);
    const X = [0.3, 0.4, 1.2];
    const norm = (p: typeof a): [number, number] => {
      const d = X.map((x, i) => x - p.C[i]!);
      const [x, y, z] = p.R.map((r) => r[0]! * d[0]! + r[1]! * d[1]! + r[2]! * d[2]!);
      return [x! / z!, y! / z!];
    };
    const E = essential(viewmat(a), viewmat(b));
    expect(sampson2(E, norm(a), norm(b))).toBeLessThan(1e-20);
    const off: [number, number] = [norm(b)[0], norm(b)[1] + 0.01];
    // The baseline is horizontal, so epipolar lines are nearly horizontal: a vertical offset of
    // 0.01 in one image shows almost whole, shared by the two images (1/√2 of it each way).
    const d = Math.sqrt(sampson2(E, norm(a), off));
    expect(d).toBeGreaterThan(0.006);
    expect(d).toBeLessThan(0.0101);
    expect(sampson2(essential(viewmat(a), viewmat(a)), norm(a), off)).toBe(0); // no baseline
  });

  it("counts the true poses above a group of photos flipped together to the far side", async () => {
    const seed = testSeed();
    const scene = ringScene(N, seed);
    const dir = tempDir("explained");
    const db = join(dir, "database.db");
    writeRingDatabase(db, scene);
    const trueMatches = scene.pairs.filter((p) => !p.lookAlike);
    const lookAlike = scene.pairs.filter((p) => p.lookAlike);
    const count = (ps: typeof scene.pairs) => ps.reduce((n, p) => n + p.matches.length, 0);
    expect(lookAlike.length).toBeGreaterThan(0);

    writeRingModel(join(dir, "truth"), scene.poses);
    const truth = await explainedMatches(db, join(dir, "truth"));
    expect(truth.matches).toBe(count(scene.pairs));
    // Every true match, and those look-alike ones that fall near their epipolar line by chance
    // (the check is one-dimensional): a few percent of them.
    expect(truth.explained).toBeGreaterThanOrEqual(count(trueMatches));
    expect(truth.explained).toBeLessThan(count(trueMatches) + 0.25 * count(lookAlike));

    // Photos 3–6 flipped together: they still agree with each other and with the look-alike
    // views, which is why their tracks look sound.
    const group = new Set([3, 4, 5, 6]);
    const poses = scene.poses.map((p, i) => (group.has(i) ? flipped(p) : p));
    writeRingModel(join(dir, "group"), poses);
    const wrong = await explainedMatches(db, join(dir, "group"));
    const crossing = trueMatches.filter((p) => group.has(p.a) !== group.has(p.b));
    const gained = lookAlike.filter((p) => group.has(p.a) !== group.has(p.b));
    expect(crossing.length).toBeGreaterThan(0);
    expect(gained.length).toBeGreaterThan(0);
    expect(wrong.explained).toBeGreaterThanOrEqual(
      count(trueMatches) - count(crossing) + count(gained),
    );
    expect(wrong.explained).toBeLessThan(truth.explained);
    // The premise: the group's true neighbours share more matches with it than the far side.
    expect(count(crossing)).toBeGreaterThan(count(gained));
    // Per photo, the flipped ones lose, and a photo far from the group is untouched.
    const share = (e: typeof truth, id: number) => {
      const s = e.perImage.get(id + 1)!;
      return s.explained / s.matches;
    };
    for (const id of group) expect(share(wrong, id)).toBeLessThan(share(truth, id));
    expect(share(wrong, 10)).toBe(share(truth, 10)); // neighbours 7–13, far side 2
  });
});
