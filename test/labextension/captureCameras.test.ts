// The viewer's capture cameras against the trainer's pinhole convention (differential: a world
// point drawn by three.js with the pose and projection lands on the pixel the OpenCV/COLMAP
// formula u = fx·x/z + cx gives), and the viewer opening where training previews look.
import * as THREE from "three";
import { describe, expect, it } from "vitest";
import { capturePose, pinholeProjection } from "../../labextension/src/captureCameras.js";
import type { ViewCamera } from "../../src/contracts/viewCameras.js";
import { makeRandom, testSeed } from "../seed.js";

/** A random rotation (row-major) from a random unit quaternion. */
function randomRotation(rand: () => number): number[] {
  const q = [rand() - 0.5, rand() - 0.5, rand() - 0.5, rand() - 0.5];
  const n = Math.hypot(...q);
  const [w, x, y, z] = q.map((v) => v / n) as [number, number, number, number];
  return [
    ...[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
    ...[2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
    ...[2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
  ];
}

function randomCamera(rand: () => number): ViewCamera {
  const r = randomRotation(rand);
  const t = [rand() * 4 - 2, rand() * 4 - 2, rand() * 4 - 2];
  const width = 100 + Math.floor(rand() * 300);
  const height = 100 + Math.floor(rand() * 300);
  return {
    name: "view",
    held_out: true,
    ...{ width, height, fx: 80 + rand() * 300, fy: 80 + rand() * 300 },
    ...{ cx: width * (0.4 + rand() * 0.2), cy: height * (0.4 + rand() * 0.2) },
    viewmat: [...r.slice(0, 3), t[0]!, ...r.slice(3, 6), t[1]!, ...r.slice(6, 9), t[2]!],
  };
}

describe("capture cameras in three.js", () => {
  it("draw every point on the pixel the pinhole model puts it", () => {
    const rand = makeRandom(testSeed());
    for (let trial = 0; trial < 20; trial++) {
      const cam = randomCamera(rand);
      const pose = capturePose(cam, [0, 0, 0]);
      const camera = new THREE.PerspectiveCamera();
      camera.position.copy(pose.position);
      camera.quaternion.copy(pose.quaternion);
      camera.updateMatrixWorld(true);
      // The canvas has the camera's own size here: every pixel must match.
      const proj = pinholeProjection(cam, cam.width, cam.height, 0.01, 100);
      const m = cam.viewmat;
      for (let k = 0; k < 10; k++) {
        // A point at camera coordinates (x, y, z), then to the world: p = Rᵀ(c − t).
        const c = [rand() * 2 - 1, rand() * 2 - 1, 0.5 + rand() * 5];
        const d = [c[0]! - m[3]!, c[1]! - m[7]!, c[2]! - m[11]!];
        const world = new THREE.Vector3(
          m[0]! * d[0]! + m[4]! * d[1]! + m[8]! * d[2]!,
          m[1]! * d[0]! + m[5]! * d[1]! + m[9]! * d[2]!,
          m[2]! * d[0]! + m[6]! * d[1]! + m[10]! * d[2]!,
        );
        const ndc = world.clone().applyMatrix4(camera.matrixWorldInverse).applyMatrix4(proj);
        const u = ((ndc.x + 1) / 2) * cam.width;
        const v = ((1 - ndc.y) / 2) * cam.height;
        expect(u).toBeCloseTo((cam.fx * c[0]!) / c[2]! + cam.cx, 6);
        expect(v).toBeCloseTo((cam.fy * c[1]!) / c[2]! + cam.cy, 6);
        expect(ndc.z).toBeGreaterThan(-1);
        expect(ndc.z).toBeLessThan(1);
      }
    }
  });

  it("keeps the vertical field of view on a canvas of another shape", () => {
    const cam: ViewCamera = {
      name: "v",
      held_out: false,
      ...{ width: 320, height: 240, fx: 250, fy: 250, cx: 160, cy: 120 },
      viewmat: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
    };
    const p = pinholeProjection(cam, 640, 240, 0.1, 10);
    // Same vertical scale as the camera at its own size; the horizontal follows the canvas.
    expect(p.elements[5]).toBeCloseTo((2 * 250) / 240, 9);
    expect(p.elements[0]).toBeCloseTo((2 * 250) / 640, 9);
  });

  it("orbits about the point on the camera's axis nearest to where the cameras look", () => {
    const cam: ViewCamera = {
      name: "v",
      held_out: true,
      ...{ width: 320, height: 240, fx: 250, fy: 250, cx: 160, cy: 120 },
      // At the origin, looking down +z.
      viewmat: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
    };
    const pose = capturePose(cam, [0.5, 0.2, 4]);
    expect(pose.distance).toBeCloseTo(4, 9);
    expect(pose.target.toArray()).toEqual([0, 0, 4]);
    // A look-at point behind the camera: the orbit centre stays in front.
    const behind = capturePose(cam, [0, 0, -3]);
    expect(behind.target.z).toBeGreaterThan(0);
  });
});
