/**
 * Rounds of "cut part of the model, bundle-adjust the rest" over a COLMAP binary model, as text
 * in between: the loop shared by the residual trim (observations, src/sfm/residualTrim.ts) and
 * the track test (whole points, src/sfm/trackTest.ts).
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runColmap, type StepContext } from "./colmapSteps.js";

/** A COLMAP text model (cameras.txt, images.txt, points3D.txt). */
export interface TextModel {
  cameras: string;
  images: string;
  points: string;
}

/** One round's cut: the model without what it drops, and how much of how much that was. */
export interface Cut<R> {
  model: TextModel;
  round: R;
  dropped: number;
  total: number;
}

/** When the rounds stop. */
export interface RoundLimits {
  /** At most this many rounds. */
  maxRounds: number;
  /** Stop once a round drops less than this share of its total. */
  converged: number;
  /** Stop before more than this share of the first round's total would have gone in all. */
  maxDropped: number;
}

/** The rounds that were adjusted, and whether the result differs from the input model. */
export interface RoundsRecord<R> {
  rounds: R[];
  kept: boolean;
}

/**
 * Cuts the binary model in `modelDir` round by round with `cut` and bundle-adjusts each cut (focal
 * lengths refined unless `holdFocal`; principal point and distortion held as in the mapper),
 * writing the result in `outDir` (empty when no round ran). Scratch rounds live beside `outDir`
 * under `scratchName`. Null when `cut` cannot read the model.
 */
export async function adjustInRounds<R>(
  modelDir: string,
  outDir: string,
  holdFocal: boolean,
  c: StepContext,
  limits: RoundLimits & { scratchName: string },
  cut: (m: TextModel) => Cut<R> | null,
): Promise<RoundsRecord<R> | null> {
  const scratch = join(outDir, "..", limits.scratchName);
  await rm(scratch, { recursive: true, force: true });
  const rounds: R[] = [];
  let current = modelDir;
  let dropped = 0;
  let first: number | null = null;
  for (let i = 0; i < limits.maxRounds; i++) {
    const [text, cutDir, adjusted] = ["text", "cut", "adjusted"].map((s) =>
      join(scratch, `${i}_${s}`),
    );
    for (const d of [text, cutDir, adjusted]) await mkdir(d!, { recursive: true });
    const convert = ["model_converter", "--input_path", current, "--output_path", text!];
    await runColmap([...convert, "--output_type", "TXT"], "model conversion", c.signal);
    const read = (name: string) => readFile(join(text!, name), "utf8");
    const model = { cameras: await read("cameras.txt"), images: await read("images.txt") };
    const r = cut({ ...model, points: await read("points3D.txt") });
    if (!r) return null;
    const small = r.dropped < limits.converged * r.total;
    if (small && i > 0) break;
    first ??= r.total;
    if (dropped + r.dropped > limits.maxDropped * first) break;
    rounds.push(r.round);
    dropped += r.dropped;
    await writeFile(join(cutDir!, "cameras.txt"), r.model.cameras);
    await writeFile(join(cutDir!, "images.txt"), r.model.images);
    await writeFile(join(cutDir!, "points3D.txt"), r.model.points);
    await runColmap(
      [
        ...["bundle_adjuster", "--input_path", cutDir!, "--output_path", adjusted!],
        ...["--BundleAdjustment.refine_focal_length", holdFocal ? "0" : "1"],
        ...["--BundleAdjustment.refine_principal_point", "0"],
        ...["--BundleAdjustment.refine_extra_params", "0"],
      ],
      "bundle adjustment",
      c.signal,
      (line) => c.onLog?.(line),
    );
    current = adjusted!;
    if (small) break;
  }
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  if (current !== modelDir) {
    const copy = ["model_converter", "--input_path", current, "--output_path", outDir];
    await runColmap([...copy, "--output_type", "BIN"], "model conversion", c.signal);
  }
  await rm(scratch, { recursive: true, force: true });
  return { rounds, kept: current !== modelDir };
}
