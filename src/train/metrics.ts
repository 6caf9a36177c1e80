import { tableFromArrays, tableToIPC } from "apache-arrow";
import { writeFileAtomically } from "../util/atomicFile.js";

/** One row of the training history, written at each evaluation. */
export interface MetricsRow {
  step: number;
  /** Mean training loss over the steps since the previous row (NaN if none was read back). */
  loss: number;
  psnr: number;
  ssim: number;
  /** Held-out PSNR after fitting each view's colour transform on its left half (NaN if absent). */
  psnr_fitted?: number;
  splat_count: number;
  elapsed_secs: number;
  position_lr: number;
}

/** Name of the metrics file in the output folder. */
export const METRICS_FILENAME = "metrics.arrow";

/**
 * The history as an Arrow IPC *file* (random-access format with footer), which
 * `pyarrow.ipc.open_file` / `pandas.read_feather` read. Integers are int32, the rest float64.
 */
export function encodeMetrics(rows: readonly MetricsRow[]): Uint8Array {
  const f64 = (key: "loss" | "psnr" | "ssim" | "elapsed_secs" | "position_lr") =>
    Float64Array.from(rows, (r) => r[key]);
  const table = tableFromArrays({
    step: Int32Array.from(rows, (r) => r.step),
    loss: f64("loss"),
    psnr: f64("psnr"),
    ssim: f64("ssim"),
    splat_count: Int32Array.from(rows, (r) => r.splat_count),
    elapsed_secs: f64("elapsed_secs"),
    position_lr: f64("position_lr"),
    // Added after the original columns, so readers by position keep working.
    psnr_fitted: Float64Array.from(rows, (r) => r.psnr_fitted ?? NaN),
  });
  return tableToIPC(table, "file");
}

/** Rewrites the whole history atomically (it is small: one row per evaluation). */
export async function writeMetrics(path: string, rows: readonly MetricsRow[]): Promise<void> {
  await writeFileAtomically(path, encodeMetrics(rows));
}
