/**
 * The splat viewer's scene: three.js with Spark's SplatMesh and orbit controls. This module is
 * only imported when a viewer is shown, so three.js and Spark land in their own chunk.
 */
import { SparkRenderer, SplatFileType, SplatMesh } from "@sparkjsdev/spark";
import * as THREE from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";

/** A running viewer. */
export interface SplatScene {
  /** Puts the camera back where it started. */
  reset(): void;
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

/** Loads `bytes` (a .splat/.ply/.spz file) into a new scene drawn on `canvas`. */
export async function createSplatScene(
  canvas: HTMLCanvasElement,
  bytes: ArrayBuffer,
  fileName: string,
): Promise<SplatScene> {
  const renderer = new THREE.WebGLRenderer({
    canvas,
    antialias: false,
    preserveDrawingBuffer: true,
  });
  renderer.setPixelRatio(1);
  const scene = new THREE.Scene();
  const camera = new THREE.PerspectiveCamera(55, 1, 0.01, 1000);
  scene.add(new SparkRenderer({ renderer }));
  const ext = fileName.split(".").pop()?.toLowerCase();
  const fileType =
    ext === "ply" ? SplatFileType.PLY : ext === "spz" ? SplatFileType.SPZ : SplatFileType.SPLAT;
  const mesh = new SplatMesh({ fileBytes: bytes, fileType, fileName });
  // COLMAP's frame (y down, z forward) to three.js's (y up, z towards the viewer).
  mesh.quaternion.set(1, 0, 0, 0);
  scene.add(mesh);
  await mesh.initialized;
  mesh.updateMatrixWorld(true);
  const count = mesh.packedSplats?.numSplats ?? 0;
  const { centre, radius } = frame(mesh, count);
  const home = centre.clone().add(new THREE.Vector3(0, radius * 0.4, radius * 2.2));
  camera.near = radius / 100;
  camera.far = radius * 100;
  camera.position.copy(home);
  camera.lookAt(centre);
  const controls = new OrbitControls(camera, canvas);
  controls.target.copy(centre);
  controls.update();
  renderer.setAnimationLoop(() => {
    controls.update();
    renderer.render(scene, camera);
  });
  return {
    count,
    reset() {
      camera.position.copy(home);
      controls.target.copy(centre);
      controls.update();
    },
    resize(width, height) {
      if (width <= 0 || height <= 0) return;
      renderer.setSize(width, height, false);
      camera.aspect = width / height;
      camera.updateProjectionMatrix();
    },
    dispose() {
      renderer.setAnimationLoop(null);
      controls.dispose();
      mesh.dispose();
      renderer.dispose();
    },
  };
}
