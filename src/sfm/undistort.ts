import { join } from "node:path";
import { runColmap } from "./colmapSteps.js";
import { simpleRadialToPinhole } from "./pinholeCameras.js";

/**
 * Undistorts a model to PINHOLE cameras for training: `outDir/images/…` and `outDir/sparse/`
 * (binary model). `outDir` must not exist yet.
 */
export async function undistortToPinhole(
  imageRoot: string,
  modelDir: string,
  outDir: string,
  signal?: AbortSignal,
): Promise<void> {
  await runColmap(
    [
      "image_undistorter",
      ...["--image_path", imageRoot, "--input_path", modelDir, "--output_path", outDir],
      ...["--output_type", "COLMAP"],
    ],
    "image undistortion",
    signal,
  );
  // COLMAP copies a camera without distortion unchanged; the workspace is PINHOLE all the same.
  await simpleRadialToPinhole(join(outDir, "sparse"));
}
