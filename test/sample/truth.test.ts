import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Vec3 } from "../../src/contracts/sceneModel.js";
import type { CameraPose } from "../../src/sample/cameraPaths.js";
import { CORPUS } from "../../src/sample/corpus.js";
import { contentOf } from "../../src/sample/corpus.js";
import { posedCameraBlock } from "../../src/sample/povCamera.js";
import { truthIntrinsics, truthPose, povToWorld } from "../../src/sample/truth.js";
import { enuToGeodetic, geodeticToEnu } from "../../src/util/geodesy.js";
import { runTool } from "../../src/util/exec.js";

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** Where the truth camera projects a world point, in pixels (centres at +0.5). */
function project(pose: CameraPose, k: ReturnType<typeof truthIntrinsics>, p: Vec3): number[] {
  const t = truthPose(pose);
  const w = povToWorld(p);
  const c = t.rotation.map(
    (row, i) => row[0]! * w[0] + row[1]! * w[1] + row[2]! * w[2] + t.translation[i]!,
  );
  return [k.fx * (c[0]! / c[2]!) + k.cx, k.fy * (c[1]! / c[2]!) + k.cy];
}

describe("the renderer's true cameras", () => {
  it("project a marker where POV-Ray draws it (any pose, roll included)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "splatbook-truth-"));
    dirs.push(dir);
    const [width, height, fov] = [160, 120, 58];
    const pose: CameraPose = {
      location: [1.5, 2.2, -4],
      lookAt: [0.2, 0.4, 0.5],
      sky: [0.15, 1, 0.05],
    };
    const marker: Vec3 = [0.9, 1.1, 0.3];
    const scene = [
      "#version 3.7;",
      "global_settings { assumed_gamma 1.0 }",
      posedCameraBlock([pose, pose], width, height, fov),
      "background { rgb 0 }",
      `sphere { <${marker.join(",")}>, 0.04 pigment { rgb 1 } finish { ambient 1 diffuse 0 } }`,
    ].join("\n");
    await writeFile(join(dir, "m.pov"), scene);
    const r = await runTool(
      "povray",
      [
        "+Im.pov",
        "+Om.png",
        "+FN",
        `+W${width}`,
        `+H${height}`,
        "-D",
        "+A0.0",
        "+AM2",
        "+R3",
        "-GA",
        "+KFI1",
        "+KFF2",
        "+SF1",
        "+EF1",
      ],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const png = (await runTool("ls", [dir])).stdout.split("\n").find((n) => n.endsWith(".png"))!;
    const raw = join(dir, "m.gray");
    const d = await runTool("ffmpeg", [
      "-v",
      "error",
      "-i",
      join(dir, png),
      "-f",
      "rawvideo",
      "-pix_fmt",
      "gray",
      raw,
    ]);
    expect(d.code).toBe(0);
    const px = await readFile(raw);
    let [s, sx, sy] = [0, 0, 0];
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const v = px[y * width + x]!;
        [s, sx, sy] = [s + v, sx + v * (x + 0.5), sy + v * (y + 0.5)];
      }
    const [u, v] = project(pose, truthIntrinsics(width, height, fov), marker);
    console.log(
      `marker drawn at ${(sx / s).toFixed(3)}, ${(sy / s).toFixed(3)}; truth ${u!.toFixed(3)}, ${v!.toFixed(3)}`,
    );
    expect(s).toBeGreaterThan(0);
    expect(Math.hypot(sx / s - u!, sy / s - v!)).toBeLessThan(0.1);
  });

  it("are proper rotations in a right-handed world (x east, y north, z up)", () => {
    const t = truthPose({ location: [0, 0, 0], lookAt: [0, 0, 1], sky: [0, 1, 0] });
    // Looking north, level: camera x east, y down, z north.
    const want = [
      [1, 0, 0],
      [0, 0, -1],
      [0, 1, 0],
    ];
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) expect(t.rotation[i]![j]!).toBeCloseTo(want[i]![j]!, 12);
    const q = t.qvec;
    expect(Math.hypot(...q)).toBeCloseTo(1, 12);
    const det = (m: number[][]) =>
      m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) -
      m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) +
      m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!);
    const r = truthPose({ location: [3, 2, 1], lookAt: [-1, 0, 4], sky: [0.2, 1, 0] }).rotation;
    expect(det(r)).toBeCloseTo(1, 12);
  });

  it("list every file and frame of every capture", () => {
    for (const c of CORPUS) {
      const truth = c.truth();
      const content = contentOf(c);
      expect(truth.videos.map((v) => v.file)).toEqual(content.videos.map((v) => v.fileName));
      for (const [i, v] of truth.videos.entries()) {
        expect(v.frames.length).toBe(content.videos[i]!.frames);
        expect([v.intrinsics.width, v.intrinsics.height]).toEqual([
          content.videos[i]!.width,
          content.videos[i]!.height,
        ]);
      }
      const photos = (content.photos ?? []).flatMap((s) =>
        s.photos.map((p) => ({ file: p.fileName, w: s.width, h: s.height, o: p.orientation ?? 1 })),
      );
      expect(truth.photos.map((p) => p.file).sort()).toEqual(photos.map((p) => p.file).sort());
      for (const p of photos) {
        const t = truth.photos.find((x) => x.file === p.file)!;
        expect([t.intrinsics.width, t.intrinsics.height, t.orientation]).toEqual([p.w, p.h, p.o]);
      }
      if (truth.geo) {
        const gps = [
          ...truth.photos.map((p) => p.gps),
          ...truth.videos.flatMap((v) => v.frames.map((f) => f.gps)),
        ];
        expect(gps.every((g) => g !== null)).toBe(true);
      }
    }
  });
});

describe("geodesy", () => {
  it("round-trips east-north-up metres through latitude and longitude", () => {
    const origin = { latitude: 47.3769, longitude: 8.5417, altitude: 410 };
    for (const enu of [
      [0, 0, 0],
      [120.5, -80.25, 42],
      [-3000, 2500, -10],
    ]) {
      const back = geodeticToEnu(origin, enuToGeodetic(origin, enu));
      for (let i = 0; i < 3; i++) expect(Math.abs(back[i]! - enu[i]!)).toBeLessThan(1e-6);
    }
    // At the equator a degree of longitude is 2πa/360 = 111 319.49 m (1 km: curvature negligible).
    const east = enuToGeodetic({ latitude: 0, longitude: 0, altitude: 0 }, [1000, 0, 0]);
    expect(Math.abs(east.longitude - 1000 / 111319.49)).toBeLessThan(1e-8);
  });
});
