/** `metrics.arrow` (Arrow IPC file) in the browser; apache-arrow is loaded on first use. */
import { metricsHistories } from "@splatbook/views";

/** [step, PSNR] and [step, SSIM] pairs from the file's bytes. */
export async function parseMetrics(
  bytes: ArrayBuffer,
): Promise<{ psnr: [number, number][]; ssim: [number, number][] }> {
  const arrow = await import(/* webpackChunkName: "splatbook-arrow" */ "apache-arrow");
  return metricsHistories(arrow.tableFromIPC(new Uint8Array(bytes)));
}
