import type { TrainingDataset, TrainingView } from "./dataset.js";

/**
 * Where sparse point `i` lands in a view: the offset of its pixel's r in the view's RGB data, or
 * −1 when the point is behind the camera or outside the image.
 */
export function pointPixel(
  view: TrainingView,
  points: TrainingDataset["points"],
  i: number,
): number {
  const { camera: c, image } = view;
  const v = c.viewmat;
  const [x, y, z] = [points.xyz[i * 3]!, points.xyz[i * 3 + 1]!, points.xyz[i * 3 + 2]!];
  const cz = v[8]! * x + v[9]! * y + v[10]! * z + v[11]!;
  if (cz <= 1e-6) return -1;
  const px = Math.floor((c.fx * (v[0]! * x + v[1]! * y + v[2]! * z + v[3]!)) / cz + c.cx);
  const py = Math.floor((c.fy * (v[4]! * x + v[5]! * y + v[6]! * z + v[7]!)) / cz + c.cy);
  if (px < 0 || py < 0 || px >= image.width || py >= image.height) return -1;
  return (py * image.width + px) * 3;
}

/** log r, g, b of the pixel at offset `p` (at least 1/255, so a black pixel stays finite). */
export function logRgbAt(view: TrainingView, p: number): [number, number, number] {
  const d = view.image.data;
  return [0, 1, 2].map((ch) => Math.log(Math.max(d[p + ch]!, 1 / 255))) as [number, number, number];
}
