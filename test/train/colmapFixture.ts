/**
 * Writes a synthetic scene as a COLMAP text model (cameras.txt, images.txt, points3D.txt) with
 * PNG images, the layout `image_undistorter` leaves: <root>/images/*.png, <root>/sparse/*.txt.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodePng } from "../../src/train/preview.js";
import type { SyntheticScene } from "./syntheticScene.js";

type Nine = [number, number, number, number, number, number, number, number, number];

/** Rotation matrix (row-major 3×3) → unit quaternion (w, x, y, z). */
function matToQuat(m: number[]): [number, number, number, number] {
  const [a, b, c, d, e, f, g, h, i] = m as Nine;
  const tr = a + e + i;
  let w: number, x: number, y: number, z: number;
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    w = 0.25 * s;
    x = (h - f) / s;
    y = (c - g) / s;
    z = (d - b) / s;
  } else if (a > e && a > i) {
    const s = Math.sqrt(1 + a - e - i) * 2;
    w = (h - f) / s;
    x = 0.25 * s;
    y = (b + d) / s;
    z = (c + g) / s;
  } else if (e > i) {
    const s = Math.sqrt(1 + e - a - i) * 2;
    w = (c - g) / s;
    x = (b + d) / s;
    y = 0.25 * s;
    z = (f + h) / s;
  } else {
    const s = Math.sqrt(1 + i - a - e) * 2;
    w = (d - b) / s;
    x = (c + g) / s;
    y = (f + h) / s;
    z = 0.25 * s;
  }
  return [w, x, y, z];
}

/** Writes the scene's views (train and held-out) and points under `root`; returns the model dir. */
export function writeColmapTextModel(root: string, scene: SyntheticScene): string {
  const views = [...scene.dataset.train, ...scene.dataset.eval].sort((p, q) =>
    p.name < q.name ? -1 : 1,
  );
  const imagesDir = join(root, "images");
  const sparse = join(root, "sparse");
  mkdirSync(imagesDir, { recursive: true });
  mkdirSync(sparse, { recursive: true });
  const cam = views[0]!.camera;
  writeFileSync(
    join(sparse, "cameras.txt"),
    `# Camera list\n1 PINHOLE ${cam.width} ${cam.height} ${cam.fx} ${cam.fy} ${cam.cx} ${cam.cy}\n`,
  );
  const lines = ["# Image list"];
  views.forEach((v, k) => {
    writeFileSync(join(imagesDir, v.name), encodePng(v.image));
    const m = Array.from(v.camera.viewmat);
    const q = matToQuat([m[0]!, m[1]!, m[2]!, m[4]!, m[5]!, m[6]!, m[8]!, m[9]!, m[10]!]);
    lines.push(`${k + 1} ${q.join(" ")} ${m[3]} ${m[7]} ${m[11]} 1 ${v.name}`, "");
  });
  writeFileSync(join(sparse, "images.txt"), lines.join("\n") + "\n");
  const p = scene.dataset.points;
  const pts = ["# 3D point list"];
  for (let i = 0; i < p.count; i++) {
    pts.push(
      `${i + 1} ${p.xyz[i * 3]} ${p.xyz[i * 3 + 1]} ${p.xyz[i * 3 + 2]} ${p.rgb[i * 3]} ${p.rgb[i * 3 + 1]} ${p.rgb[i * 3 + 2]} 0.5`,
    );
  }
  writeFileSync(join(sparse, "points3D.txt"), pts.join("\n") + "\n");
  return root;
}
