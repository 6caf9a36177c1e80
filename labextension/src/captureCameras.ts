/**
 * Capture cameras (`cameras.json`, OpenCV/COLMAP axes) as three.js poses and projections, so the
 * viewer draws the model exactly as the trainer rendered it from that camera.
 */
import type { ViewCamera } from "@splatbook/contracts";
import * as THREE from "three";

/** A capture camera as a three.js pose: centre, axes, and the orbit distance along its axis. */
export interface Pose {
  camera: ViewCamera;
  position: THREE.Vector3;
  quaternion: THREE.Quaternion;
  target: THREE.Vector3;
  distance: number;
}

/** The pose of an OpenCV/COLMAP camera (world→camera rows: right, down, forward). */
export function capturePose(cam: ViewCamera, lookAt: readonly number[]): Pose {
  const m = cam.viewmat;
  const right = new THREE.Vector3(m[0], m[1], m[2]);
  const down = new THREE.Vector3(m[4], m[5], m[6]);
  const forward = new THREE.Vector3(m[8], m[9], m[10]);
  const t = new THREE.Vector3(m[3], m[7], m[11]);
  // Centre C = −Rᵀt.
  const position = right
    .clone()
    .multiplyScalar(-t.x)
    .addScaledVector(down, -t.y)
    .addScaledVector(forward, -t.z);
  // three.js cameras look down −z with y up.
  const basis = new THREE.Matrix4().makeBasis(
    right,
    down.clone().negate(),
    forward.clone().negate(),
  );
  const quaternion = new THREE.Quaternion().setFromRotationMatrix(basis);
  const toLook = new THREE.Vector3(lookAt[0], lookAt[1], lookAt[2]).sub(position);
  const along = toLook.dot(forward);
  const distance = along > 1e-6 ? along : Math.max(toLook.length(), 1e-3);
  const target = position.clone().addScaledVector(forward, distance);
  return { camera: cam, position, quaternion, target, distance };
}

/**
 * OpenGL projection of a pinhole camera drawn on a `width`×`height` canvas: the vertical field of
 * view and the principal point's offset are the camera's, the horizontal one follows the canvas.
 */
export function pinholeProjection(
  cam: ViewCamera,
  width: number,
  height: number,
  near: number,
  far: number,
): THREE.Matrix4 {
  const s = height / cam.height;
  const fx = cam.fx * s;
  const fy = cam.fy * s;
  const cx = width / 2 + (cam.cx - cam.width / 2) * s;
  const cy = cam.cy * s;
  // prettier-ignore
  return new THREE.Matrix4().set(
    (2 * fx) / width, 0, 1 - (2 * cx) / width, 0,
    0, (2 * fy) / height, (2 * cy) / height - 1, 0,
    0, 0, -(far + near) / (far - near), (-2 * far * near) / (far - near),
    0, 0, -1, 0,
  );
}
