import { describe, expect, it } from "vitest";
import { fitSimilarity, poseAccuracy, type PosePair } from "../../src/bench/poseAccuracy.js";
import { truthIntrinsics, truthPose } from "../../src/sample/truth.js";
import { mulberry32 } from "../../src/util/random.js";
import { testSeed } from "../seed.js";

type V3 = [number, number, number];

/** A random rotation from a seeded unit quaternion. */
function rotation(rand: () => number): number[][] {
  const q = [rand() - 0.5, rand() - 0.5, rand() - 0.5, rand() - 0.5];
  const n = Math.hypot(...q);
  const [w, x, y, z] = q.map((v) => v / n) as [number, number, number, number];
  return [
    [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
    [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
    [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
  ];
}
const apply = (R: number[][], v: readonly number[]) =>
  R.map((r) => r[0]! * v[0]! + r[1]! * v[1]! + r[2]! * v[2]!) as V3;
const mul = (A: number[][], B: number[][]) =>
  A.map((r) => [0, 1, 2].map((j) => r[0]! * B[0]![j]! + r[1]! * B[1]![j]! + r[2]! * B[2]![j]!));
const T = (A: number[][]) => [0, 1, 2].map((i) => [A[0]![i]!, A[1]![i]!, A[2]![i]!]);

/** The truth pose as an estimate would give it after the similarity x ↦ s·R·x + t. */
function transformedPair(
  name: string,
  pose: ReturnType<typeof truthPose>,
  similarity: { s: number; R: number[][]; t: V3 },
  intrinsics: PosePair["intrinsics"],
): PosePair {
  const { s, R, t } = similarity;
  const estC = apply(R, pose.centre).map((x, j) => s * x + t[j]!) as V3;
  return { name, estR: mul(pose.rotation, T(R)), estC, truth: pose, intrinsics, cameraId: 1 };
}

describe("pose accuracy against the truth", () => {
  const seed = 20260514;
  it(`recovers a known similarity exactly and reports zero error for a transformed truth (seed ${seed})`, () => {
    const rand = mulberry32(seed);
    const [s, R] = [0.37, rotation(rand)];
    const t: V3 = [3, -2, 7];
    const k = truthIntrinsics(320, 240, 65);
    const pairs: PosePair[] = Array.from({ length: 12 }, (_, i) => {
      const pose = truthPose({
        location: [10 * rand() - 5, 2 + rand(), 10 * rand() - 5],
        lookAt: [rand() - 0.5, 0.5, rand() - 0.5],
        sky: [0, 1, 0],
      });
      return transformedPair(`f${i}`, pose, { s, R, t }, k);
    });
    const fit = fitSimilarity(
      pairs.map((p) => p.truth.centre),
      pairs.map((p) => p.estC),
    );
    expect(fit.s).toBeCloseTo(s, 9);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) expect(fit.R[i]![j]!).toBeCloseTo(R[i]![j]!, 9);
    const cameras = new Map([
      [
        1,
        {
          id: 1,
          model: "PINHOLE",
          width: 160,
          height: 120,
          params: [],
          fx: 100,
          fy: 101,
          cx: 80,
          cy: 60,
        },
      ],
    ]);
    const a = poseAccuracy(pairs, cameras);
    expect(a.rotationDeg.max).toBeLessThan(1e-4); // acos near 1 limits it
    expect(a.centrePct.max).toBeLessThan(1e-6);
    // The camera is half the truth's size: the true focal scales with it.
    expect(a.focal[0]!.f).toBeCloseTo(k.fx / 2, 9);
    expect(a.focal[0]!.fyErrPct).toBeCloseTo(100 * (101 / (k.fx / 2) - 1), 9);
    // A rotation error of one camera shows as that angle.
    const c1 = Math.cos(Math.PI / 180);
    const s1 = Math.sin(Math.PI / 180);
    pairs[0] = {
      ...pairs[0]!,
      estR: mul(
        [
          [c1, -s1, 0],
          [s1, c1, 0],
          [0, 0, 1],
        ],
        pairs[0]!.estR,
      ),
    };
    expect(poseAccuracy(pairs, cameras).rotationDeg.max).toBeCloseTo(1, 6);
    expect(poseAccuracy(pairs, cameras).misplaced).toBe(0);
    // Two images put on the far side of the scene, turned round: counted as misplaced and left
    // out of the fit, so the others still read back exactly.
    const half: number[][] = [
      [-1, 0, 0],
      [0, 1, 0],
      [0, 0, -1],
    ];
    for (const i of [1, 2]) {
      const p = pairs[i]!;
      const far = apply(R, apply(half, p.truth.centre)).map((x, j) => s * x + t[j]! + 9) as V3;
      pairs[i] = { ...p, estR: mul(p.estR, half), estC: far };
    }
    const b = poseAccuracy(pairs, cameras);
    expect(b.misplaced).toBe(2);
    expect(b.rotationDeg.median).toBeLessThan(1e-4);
    expect(b.centrePct.median).toBeLessThan(1e-6);
    expect(b.rotationDeg.max).toBeGreaterThan(90);
  });

  it(`aligns a straight pass by the cameras' rotations, which its centres leave free (seed ${seed})`, () => {
    const rand = mulberry32(seed + 1);
    const [s, R] = [2.5, rotation(rand)];
    const t: V3 = [-1, 4, 0.5];
    const k = truthIntrinsics(384, 216, 70);
    const pairs: PosePair[] = Array.from({ length: 16 }, (_, i) => {
      const x = -40 + (40 * i) / 15;
      // One line of centres; the gimbal wobbles a little, as a drone's does.
      const pose = truthPose({
        location: [x, 30, -12],
        lookAt: [x + 25 + rand(), 0, 8 + rand()],
        sky: [0, 1, 0],
      });
      return transformedPair(`f${i}`, pose, { s, R, t }, k);
    });
    const cameras = new Map([
      [
        1,
        {
          id: 1,
          model: "PINHOLE",
          width: 384,
          height: 216,
          params: [],
          fx: k.fx,
          fy: k.fx,
          cx: 192,
          cy: 108,
        },
      ],
    ]);
    const a = poseAccuracy(pairs, cameras);
    expect(a.rotationDeg.max).toBeLessThan(1e-4);
    expect(a.centrePct.max).toBeLessThan(1e-6);
    // Every camera turned 2° about the path: seen, where a fit to the centres alone cannot.
    const c2 = Math.cos(Math.PI / 90);
    const s2 = Math.sin(Math.PI / 90);
    const turn = [
      [1, 0, 0],
      [0, c2, -s2],
      [0, s2, c2],
    ];
    const turned = pairs.map((p, i) => (i % 2 ? p : { ...p, estR: mul(turn, p.estR) }));
    expect(poseAccuracy(turned, cameras).rotationDeg.max).toBeGreaterThan(0.9);
  });

  it("measures rotations in the rotations' own gauge on a walk, where a fit to the centres turns every camera", () => {
    const seed = testSeed();
    const rand = mulberry32(seed);
    const [s, R] = [0.8 + rand(), rotation(rand)];
    const t: V3 = [rand() * 10, rand() * 10, rand() * 10];
    const k = truthIntrinsics(320, 240, 65);
    const noise = 0.05; // degrees, about a random axis, on every camera
    /** A rotation of `deg` about a random unit axis (Rodrigues). */
    const turn = (deg: number) => {
      const a = [rand() - 0.5, rand() - 0.5, rand() - 0.5];
      const [x, y, z] = a.map((v) => v / Math.hypot(...a)) as [number, number, number];
      const [c, sn] = [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)];
      const K = [
        [0, -z, y],
        [z, 0, -x],
        [-y, x, 0],
      ];
      const K2 = mul(K, K);
      return [0, 1, 2].map((i) =>
        [0, 1, 2].map((j) => (i === j ? 1 : 0) + sn * K[i]![j]! + (1 - c) * K2[i]![j]!),
      );
    };
    // A 40 m walk at eye height, swaying ±1.5 m sideways (off the line by more than the bench's
    // straight-pass limit), looking ahead and a little aside.
    const pairs: PosePair[] = Array.from({ length: 30 }, (_, i) => {
      const x = -20 + (40 * i) / 29;
      const z = 1.5 * Math.sin(i * 0.7);
      const pose = truthPose({
        location: [x, 1.6, z],
        lookAt: [x + 10, 1.2, z + 4 * (rand() - 0.5)],
        sky: [0, 1, 0],
      });
      // The reconstruction's centres sit 2 cm (0.05 % of the extent) high on one side of the path
      // and low on the other: within any centre target, yet a centre fit turns about the path.
      // (The truth's world is z-up: POV's y is its z.)
      const pair = transformedPair(`f${i}`, pose, { s, R, t }, k);
      const side = Math.sign(z) * 0.02;
      const lifted = apply(R, [pose.centre[0], pose.centre[1], pose.centre[2] + side]);
      return {
        ...pair,
        estR: mul(turn(noise), pair.estR),
        estC: lifted.map((v, j) => s * v + t[j]!) as V3,
      };
    });
    const cameras = new Map([
      [
        1,
        {
          ...{ id: 1, model: "PINHOLE", width: 320, height: 240, params: [] },
          ...{ fx: k.fx, fy: k.fx, cx: 160, cy: 120 },
        },
      ],
    ]);
    const a = poseAccuracy(pairs, cameras);
    expect(a.centrePct.median).toBeLessThan(0.1);
    expect(a.rotationDeg.median).toBeGreaterThan(0.035);
    expect(a.rotationDeg.median).toBeLessThan(0.065);
    expect(a.rotationCentreFitDeg.median).toBeGreaterThan(0.5);
    // Relative rotations need no gauge: two independent 0.05° errors, ≈ 0.07°.
    expect(a.relativeRotationDeg.median).toBeGreaterThan(0.045);
    expect(a.relativeRotationDeg.median).toBeLessThan(0.095);
  });
});
