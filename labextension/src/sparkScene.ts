/**
 * The splat viewer's scene: three.js with Spark's SplatMesh and orbit controls. This module is
 * only imported when a viewer is shown, so three.js and Spark land in their own chunk.
 *
 * With the capture's cameras (`cameras.json`) the view opens exactly at the first one (the
 * held-out view the training previews show), with its intrinsics, and orbits about the point on
 * its optical axis nearest to where all the cameras look, with the cameras' up as up. Without
 * them it frames the bulk of the splats from outside.
 */
import { SparkRenderer, SplatFileType, SplatMesh } from "@sparkjsdev/spark";
import type { ViewCameras } from "@splatbook/contracts";
import * as THREE from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import { capturePose, pinholeProjection, type Pose } from "./captureCameras";

/** A running viewer. */
export interface SplatScene {
  /** Puts the camera back where it started. */
  reset(): void;
  /** Moves to capture camera `index` (modulo their number); returns its name, or null. */
  showCamera(index: number): string | null;
  /** Capture cameras known (0 without `cameras.json`). */
  readonly cameraCount: number;
  /** Follows the canvas' container size. */
  resize(width: number, height: number): void;
  /** Splats loaded. */
  readonly count: number;
  dispose(): void;
}

function quantile(sorted: Float32Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** Centre and radius of the bulk of the splats (5th–95th percentile per axis, so floaters don't
 * push the camera away). */
function frame(mesh: SplatMesh, count: number): { centre: THREE.Vector3; radius: number } {
  const axes = [new Float32Array(count), new Float32Array(count), new Float32Array(count)];
  mesh.forEachSplat((i, c) => {
    axes[0]![i] = c.x;
    axes[1]![i] = c.y;
    axes[2]![i] = c.z;
  });
  const lo = new THREE.Vector3();
  const hi = new THREE.Vector3();
  axes.forEach((a, k) => {
    a.sort();
    lo.setComponent(k, quantile(a, 0.05));
    hi.setComponent(k, quantile(a, 0.95));
  });
  const box = new THREE.Box3(lo, hi).applyMatrix4(mesh.matrixWorld);
  const centre = box.getCenter(new THREE.Vector3());
  return { centre, radius: Math.max(1e-3, box.getSize(new THREE.Vector3()).length() / 2) };
}

/** The splats of a .splat/.ply/.spz file, added to `scene` once parsed. */
async function loadMesh(scene: THREE.Scene, bytes: ArrayBuffer, fileName: string) {
  const ext = fileName.split(".").pop()?.toLowerCase();
  const fileType =
    ext === "ply" ? SplatFileType.PLY : ext === "spz" ? SplatFileType.SPZ : SplatFileType.SPLAT;
  const mesh = new SplatMesh({ fileBytes: bytes, fileType, fileName });
  scene.add(mesh);
  await mesh.initialized;
  mesh.updateMatrixWorld(true);
  return { mesh, count: mesh.packedSplats?.numSplats ?? 0 };
}

/**
 * Where the viewer looks from: the capture cameras (exact pose and intrinsics, orbiting about a
 * point on the optical axis), or without them a view framing the bulk of the splats.
 */
class CameraRig {
  private current = 0;
  private size = { width: 1, height: 1 };
  readonly controls: OrbitControls;

  constructor(
    readonly camera: THREE.PerspectiveCamera,
    canvas: HTMLCanvasElement,
    private readonly poses: Pose[],
    private readonly bulk: { centre: THREE.Vector3; radius: number },
    up: readonly number[],
  ) {
    // OrbitControls reads the up direction when it is made.
    camera.up.set(up[0]!, up[1]!, up[2]!);
    this.controls = new OrbitControls(camera, canvas);
    this.controls.addEventListener("change", () => this.project());
  }

  get count(): number {
    return this.poses.length;
  }

  setSize(width: number, height: number): void {
    this.size = { width, height };
    this.project();
  }

  project(): void {
    const { camera, size } = this;
    const pose = this.poses[this.current];
    if (!pose) {
      camera.aspect = size.width / size.height;
      camera.updateProjectionMatrix();
      return;
    }
    camera.near = pose.distance / 200;
    camera.far = pose.distance * 200;
    const p = pinholeProjection(pose.camera, size.width, size.height, camera.near, camera.far);
    camera.projectionMatrix.copy(p);
    camera.projectionMatrixInverse.copy(p).invert();
  }

  showCamera(index: number): string | null {
    const n = this.poses.length;
    if (n === 0) return null;
    this.current = ((index % n) + n) % n;
    const pose = this.poses[this.current]!;
    this.camera.position.copy(pose.position);
    this.camera.quaternion.copy(pose.quaternion);
    this.controls.target.copy(pose.target);
    // No controls.update() here: it would level the camera's roll; the first drag does.
    this.project();
    return pose.camera.name;
  }

  reset(): void {
    if (this.poses.length > 0) {
      this.showCamera(0);
      return;
    }
    const { centre, radius } = this.bulk;
    this.camera.near = radius / 100;
    this.camera.far = radius * 100;
    // COLMAP's y points down: look from "above" the bulk's centre, back along +z.
    this.camera.position.copy(centre).add(new THREE.Vector3(0, -radius * 0.4, -radius * 2.2));
    this.controls.target.copy(centre);
    this.controls.update();
    this.project();
  }
}

/** Loads `bytes` (a .splat/.ply/.spz file) into a new scene drawn on `canvas`. */
export async function createSplatScene(
  canvas: HTMLCanvasElement,
  bytes: ArrayBuffer,
  fileName: string,
  cameras?: ViewCameras,
): Promise<SplatScene> {
  const renderer = new THREE.WebGLRenderer({
    canvas,
    antialias: false,
    preserveDrawingBuffer: true,
  });
  renderer.setPixelRatio(1);
  // The trainer composites on black: the viewer shows the model as training saw it.
  renderer.setClearColor(0x000000, 1);
  const scene = new THREE.Scene();
  const camera = new THREE.PerspectiveCamera(55, 1, 0.01, 1000);
  scene.add(new SparkRenderer({ renderer }));
  const { mesh, count } = await loadMesh(scene, bytes, fileName);
  const poses = (cameras?.cameras ?? []).map((c) => capturePose(c, cameras!.look_at));
  // Without cameras: COLMAP's y points down, so the world's up is −y.
  const rig = new CameraRig(camera, canvas, poses, frame(mesh, count), cameras?.up ?? [0, -1, 0]);
  rig.reset();
  renderer.setAnimationLoop(() => renderer.render(scene, camera));
  return {
    count,
    cameraCount: rig.count,
    reset: () => rig.reset(),
    showCamera: (i) => rig.showCamera(i),
    resize(width, height) {
      if (width <= 0 || height <= 0) return;
      renderer.setSize(width, height, false);
      rig.setSize(width, height);
    },
    dispose() {
      renderer.setAnimationLoop(null);
      rig.controls.dispose();
      mesh.dispose();
      renderer.dispose();
    },
  };
}
