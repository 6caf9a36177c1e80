/**
 * A refined model moved onto its focal priors along the focal/depth ambiguity of one viewing
 * direction (src/sfm/focalHold.ts), then bundle-adjusted with the focal lengths held.
 *
 * With every camera looking along d (up to turns about it), focal a·f and the scene stretched by
 * 1/a across d fit the pictures as the refined model does: x' = d(d·x) + (x − d(d·x))/a for every
 * point and camera centre, rotations unchanged. So the refined model, whose focal drifted along
 * that family, is carried back to the prior exactly and only polished by the bundle adjuster.
 * (Mapping again with the focal held does not get there: on the straight drone pass the mapper
 * then bent the path, 17° median rotation error at 0.69 px, where the true cameras explain the
 * same matches at 0.37 px.) COLMAP's text model is the medium (`model_converter`).
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runColmap, type StepContext } from "./colmapSteps.js";

/** Focal prior (frame pixels) per COLMAP camera id. */
export type FocalPriors = ReadonlyMap<number, number>;

const fmt = (x: number) => String(x);

/** x stretched by 1/a across the unit direction d. */
function stretch(x: readonly number[], d: readonly number[], a: number): number[] {
  const along = x[0]! * d[0]! + x[1]! * d[1]! + x[2]! * d[2]!;
  return [0, 1, 2].map((k) => d[k]! * along + (x[k]! - d[k]! * along) / a);
}

/** World→camera rotation (rows) of a unit quaternion w, x, y, z. */
function rotation(q: readonly number[]): number[][] {
  const [w, x, y, z] = q as [number, number, number, number];
  return [
    [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
    [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
    [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
  ];
}

/**
 * The text model `lines` (cameras.txt, images.txt, points3D.txt) with each camera's focal set to
 * its prior and the scene stretched by `a` across `d`. Images' first lines carry the pose.
 */
export function reseatText(
  text: { cameras: string; images: string; points: string },
  priors: FocalPriors,
  d: readonly number[],
  a: number,
): { cameras: string; images: string; points: string } {
  const lines = (s: string) => s.split("\n");
  const cameras = lines(text.cameras).map((l) => {
    if (l.startsWith("#") || l.trim() === "") return l;
    const t = l.trim().split(/\s+/);
    const prior = priors.get(Number(t[0]));
    if (prior !== undefined) t[4] = fmt(prior);
    return t.join(" ");
  });
  let poseLine = true;
  const images = lines(text.images).map((l) => {
    if (l.startsWith("#")) return l;
    const isPose = poseLine;
    if (isPose && l.trim() === "") return l; // the file's last newline
    poseLine = !poseLine;
    if (!isPose) return l;
    const t = l.split(" ");
    const q = t.slice(1, 5).map(Number);
    const tr = t.slice(5, 8).map(Number);
    const r = rotation(q);
    const c = [0, 1, 2].map((k) => -(r[0]![k]! * tr[0]! + r[1]![k]! * tr[1]! + r[2]![k]! * tr[2]!));
    const c2 = stretch(c, d, a);
    const t2 = r.map((row) => -(row[0]! * c2[0]! + row[1]! * c2[1]! + row[2]! * c2[2]!));
    return [t[0], ...t.slice(1, 5), ...t2.map(fmt), ...t.slice(8)].join(" ");
  });
  const points = lines(text.points).map((l) => {
    if (l.startsWith("#") || l.trim() === "") return l;
    const t = l.split(" ");
    const x = stretch(t.slice(1, 4).map(Number), d, a);
    return [t[0], ...x.map(fmt), ...t.slice(4)].join(" ");
  });
  return { cameras: cameras.join("\n"), images: images.join("\n"), points: points.join("\n") };
}

/**
 * Writes into `outDir` (binary) the model of `modelDir` reseated on the priors (stretch factor
 * `a` across the mean viewing direction `d`), bundle-adjusted with the focal lengths held.
 */
export async function reseatOnPriors(
  modelDir: string,
  outDir: string,
  priors: FocalPriors,
  d: readonly number[],
  a: number,
  c: StepContext,
): Promise<void> {
  const [raw, moved] = [join(outDir, "..", "reseat_raw"), join(outDir, "..", "reseat_moved")];
  for (const dir of [raw, moved, outDir]) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
  }
  const convert = ["model_converter", "--input_path", modelDir, "--output_path", raw];
  await runColmap([...convert, "--output_type", "TXT"], "model conversion", c.signal);
  const read = (name: string) => readFile(join(raw, name), "utf8");
  const text = { cameras: await read("cameras.txt"), images: await read("images.txt") };
  const out = reseatText({ ...text, points: await read("points3D.txt") }, priors, d, a);
  await writeFile(join(moved, "cameras.txt"), out.cameras);
  await writeFile(join(moved, "images.txt"), out.images);
  await writeFile(join(moved, "points3D.txt"), out.points);
  await runColmap(
    [
      ...["bundle_adjuster", "--input_path", moved, "--output_path", outDir],
      ...["--BundleAdjustment.refine_focal_length", "0"],
      ...["--BundleAdjustment.refine_principal_point", "0"],
      ...["--BundleAdjustment.refine_extra_params", "0"],
    ],
    "bundle adjustment",
    c.signal,
    (line) => c.onLog?.(line),
  );
  await rm(raw, { recursive: true, force: true });
  await rm(moved, { recursive: true, force: true });
}
